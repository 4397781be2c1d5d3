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

TEST(DirectoryFingerprintTest, ChangesWithFilesOnly) {
  const std::string dir = FreshDir("fingerprint");
  Write(dir + "/a.textproto", "a");
  const uint64_t first = DirectoryFingerprint(dir);
  EXPECT_EQ(DirectoryFingerprint(dir), first);
  Write(dir + "/sub/b.textproto", "b");
  const uint64_t added = DirectoryFingerprint(dir);
  EXPECT_NE(added, first);
  Write(dir + "/sub/b.textproto", "bb");
  const uint64_t edited = DirectoryFingerprint(dir);
  EXPECT_NE(edited, added);
  fs::remove(dir + "/sub/b.textproto");
  EXPECT_NE(DirectoryFingerprint(dir), edited);
  EXPECT_NE(DirectoryFingerprint(dir + "/missing"), first);
}

TEST(DirectoryFingerprintTest, FollowsSymlinkedFiles) {
  const std::string dir = FreshDir("links");
  const std::string target = FreshDir("link-targets") + "/real.textproto";
  Write(target, "one");
  fs::create_symlink(target, dir + "/link.textproto");
  const uint64_t before = DirectoryFingerprint(dir);
  Write(target, "two!");
  EXPECT_NE(DirectoryFingerprint(dir), before);
}

TEST(RulesWatcherTest, CallsBackWhenTheDirectoryChanges) {
  const std::string dir = FreshDir("poll");
  Write(dir + "/a.textproto", "a");
  std::atomic<int> calls{0};
  RulesWatcher watcher(dir, absl::Milliseconds(10), [&] { calls.fetch_add(1); });
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
  RulesWatcher watcher(dir, absl::Milliseconds(10), [&] { calls.fetch_add(1); });
  Write(dir + "/a.textproto", "a");
  watcher.Start();
  EXPECT_TRUE(Eventually([&] { return calls.load() == 1; }));
}

TEST(RulesWatcherTest, TriggerCallsBackWithoutPolling) {
  const std::string dir = FreshDir("trigger");
  std::atomic<int> calls{0};
  RulesWatcher watcher(dir, absl::ZeroDuration(), [&] { calls.fetch_add(1); });
  watcher.Start();
  Write(dir + "/a.textproto", "a");
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(calls.load(), 0);  // polling is off
  watcher.Trigger();
  EXPECT_TRUE(Eventually([&] { return calls.load() == 1; }));
  watcher.Stop();
  watcher.Stop();  // idempotent
}

}  // namespace
}  // namespace entente
