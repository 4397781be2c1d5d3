#include "service/rules_watcher.h"

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace entente {
namespace {

namespace fs = std::filesystem;

std::string FreshDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/watch-", name);
  fs::remove_all(dir);
  fs::create_directories(dir + "/sub");
  return dir;
}

void Write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

// Waits up to 5 s for `condition`.
template <typename F>
bool Eventually(F condition) {
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (!condition()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

TEST(RulesWatcherTest, CallsBackWhenTheDirectoryChanges) {
  const std::string dir = FreshDir("poll");
  Write(dir + "/a.textproto", "a");
  std::atomic<int> calls{0};
  RulesWatcher watcher(dir, {}, absl::Milliseconds(10), [&] { calls.fetch_add(1); });
  watcher.Start();
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(calls.load(), 0);  // nothing changed
  Write(dir + "/sub/new.textproto", "new");
  EXPECT_TRUE(Eventually([&] { return calls.load() == 1; }));
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(calls.load(), 1);  // once per change
  watcher.Stop();
  EXPECT_EQ(watcher.callbacks(), 1);
}

TEST(RulesWatcherTest, ChangesBeforeStartAreSeen) {
  const std::string dir = FreshDir("before-start");
  std::atomic<int> calls{0};
  RulesWatcher watcher(dir, {}, absl::Milliseconds(10), [&] { calls.fetch_add(1); });
  Write(dir + "/a.textproto", "a");
  watcher.Start();
  EXPECT_TRUE(Eventually([&] { return calls.load() == 1; }));
}

TEST(RulesWatcherTest, TriggerCallsBackWithoutPolling) {
  const std::string dir = FreshDir("trigger");
  std::atomic<int> calls{0};
  RulesWatcher watcher(dir, {}, absl::ZeroDuration(), [&] { calls.fetch_add(1); });
  watcher.Start();
  Write(dir + "/a.textproto", "a");
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(calls.load(), 0);  // polling is off
  watcher.Trigger();
  EXPECT_TRUE(Eventually([&] { return calls.load() == 1; }));
  watcher.Stop();
  watcher.Stop();  // idempotent
}

// A symbolic-link loop made while the watcher runs costs a few entries per
// poll; the change is seen, and Stop() returns.
TEST(RulesWatcherTest, ALinkLoopIsAChangeAndStopStillReturns) {
  const std::string dir = FreshDir("loop");
  std::atomic<int> calls{0};
  RulesWatcher watcher(dir, {}, absl::Milliseconds(10), [&] { calls.fetch_add(1); });
  watcher.Start();
  fs::create_directories(dir + "/x");
  fs::create_directory_symlink(".", dir + "/x/a");
  fs::create_directory_symlink(".", dir + "/x/b");
  EXPECT_TRUE(Eventually([&] { return calls.load() >= 1; }));
  watcher.Stop();
}

}  // namespace
}  // namespace entente
