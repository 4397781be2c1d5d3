#include "service/rules_directory.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace entente {
namespace {

namespace fs = std::filesystem;

std::string FreshDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/scan-", name);
  fs::remove_all(dir);
  fs::create_directories(dir + "/sub");
  return dir;
}

void Write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

uint64_t Fingerprint(const std::string& dir, bool links_may_leave = false) {
  RulesDirectoryPolicy policy;
  policy.links_may_leave = links_may_leave;
  return ScanRulesDirectory(dir, policy).fingerprint;
}

TEST(ScanRulesDirectoryTest, FingerprintChangesWithFilesOnly) {
  const std::string dir = FreshDir("fingerprint");
  Write(dir + "/a.textproto", "a");
  const uint64_t first = Fingerprint(dir);
  EXPECT_EQ(Fingerprint(dir), first);
  Write(dir + "/sub/b.textproto", "b");
  const uint64_t added = Fingerprint(dir);
  EXPECT_NE(added, first);
  Write(dir + "/sub/b.textproto", "bb");
  const uint64_t edited = Fingerprint(dir);
  EXPECT_NE(edited, added);
  fs::remove(dir + "/sub/b.textproto");
  EXPECT_NE(Fingerprint(dir), edited);
  EXPECT_NE(Fingerprint(dir + "/missing"), first);
}

TEST(ScanRulesDirectoryTest, MissingOrNotADirectoryIsNotFound) {
  const std::string dir = FreshDir("missing");
  EXPECT_EQ(ScanRulesDirectory(dir + "/nope", {}).status.code(), absl::StatusCode::kNotFound);
  Write(dir + "/file", "x");
  EXPECT_EQ(ScanRulesDirectory(dir + "/file", {}).status.code(), absl::StatusCode::kNotFound);
}

// mkdir x; ln -s . x/a; ln -s . x/b: followed, the tree would be infinite.
TEST(ScanRulesDirectoryTest, DirectoryLinkLoopsAreNotFollowed) {
  const std::string dir = FreshDir("loop");
  fs::create_directories(dir + "/x");
  fs::create_directory_symlink(".", dir + "/x/a");
  fs::create_directory_symlink(".", dir + "/x/b");
  fs::create_directory_symlink("..", dir + "/x/up");
  Write(dir + "/default.textproto", "a");
  RulesDirectoryScan scan = ScanRulesDirectory(dir, {});
  EXPECT_TRUE(scan.status.ok()) << scan.status;
  EXPECT_EQ(scan.entries, 6);  // sub, x, x/a, x/b, x/up, default.textproto
}

TEST(ScanRulesDirectoryTest, EveryKindOfEntryCountsTowardTheLimit) {
  const std::string dir = FreshDir("limit");
  RulesDirectoryPolicy policy;
  policy.max_entries = 20;
  for (int i = 0; i < 10; ++i) fs::create_directories(absl::StrCat(dir, "/d", i));
  EXPECT_TRUE(ScanRulesDirectory(dir, policy).status.ok());
  for (int i = 0; i < 15; ++i) {
    fs::create_directory_symlink(".", absl::StrCat(dir, "/sub/l", i));
  }
  RulesDirectoryScan scan = ScanRulesDirectory(dir, policy);
  EXPECT_EQ(scan.status.code(), absl::StatusCode::kResourceExhausted) << scan.status;
  EXPECT_EQ(scan.entries, 21);
  EXPECT_TRUE(absl::StrContains(scan.status.message(), "more than 20 entries"));
}

TEST(ScanRulesDirectoryTest, LinksThatLeaveTheDirectoryAreRefusedUnlessTrusted) {
  const std::string dir = FreshDir("leave");
  const std::string outside = FreshDir("outside");
  Write(outside + "/secret.textproto", "name: \"stolen\"");
  Write(dir + "/real.textproto", "a");
  // Links that stay inside are fine, whatever they point at.
  fs::create_symlink("real.textproto", dir + "/alias.textproto");
  fs::create_directory_symlink("..", dir + "/sub/up");
  EXPECT_TRUE(ScanRulesDirectory(dir, {}).status.ok());

  fs::create_symlink(outside + "/secret.textproto", dir + "/sub/stolen.textproto");
  RulesDirectoryScan scan = ScanRulesDirectory(dir, {});
  EXPECT_EQ(scan.status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(absl::StrContains(scan.status.message(), "sub/stolen.textproto")) << scan.status;
  EXPECT_FALSE(absl::StrContains(scan.status.message(), outside)) << scan.status;
  fs::remove(dir + "/sub/stolen.textproto");
  fs::create_directory_symlink(outside, dir + "/elsewhere");
  EXPECT_EQ(ScanRulesDirectory(dir, {}).status.code(), absl::StatusCode::kPermissionDenied);

  RulesDirectoryPolicy trusted;
  trusted.links_may_leave = true;
  EXPECT_TRUE(ScanRulesDirectory(dir, trusted).status.ok());
}

// Bazel runfiles: files that are links to files elsewhere. Editing the
// target is a change.
TEST(ScanRulesDirectoryTest, TrustedLinkedFilesAreFingerprintedByTheirTarget) {
  const std::string dir = FreshDir("links");
  const std::string target = FreshDir("link-targets") + "/real.textproto";
  Write(target, "one");
  fs::create_symlink(target, dir + "/link.textproto");
  const uint64_t before = Fingerprint(dir, true);
  Write(target, "two!");
  EXPECT_NE(Fingerprint(dir, true), before);
}

TEST(ScanRulesDirectoryTest, TheDirectoryItselfMayBeALink) {
  const std::string dir = FreshDir("real");
  Write(dir + "/a.textproto", "a");
  fs::create_symlink("a.textproto", dir + "/b.textproto");
  const std::string link = FreshDir("current") + "/rules";
  fs::create_directory_symlink(dir, link);
  RulesDirectoryScan scan = ScanRulesDirectory(link, {});
  EXPECT_TRUE(scan.status.ok()) << scan.status;
  EXPECT_EQ(scan.entries, 3);
}

TEST(ScanRulesDirectoryTest, UnreadableSubdirectoryIsPermissionDenied) {
  if (geteuid() == 0) GTEST_SKIP() << "root reads every directory";
  const std::string dir = FreshDir("unreadable");
  fs::permissions(dir + "/sub", fs::perms::none);
  RulesDirectoryScan scan = ScanRulesDirectory(dir, {});
  fs::permissions(dir + "/sub", fs::perms::owner_all);
  EXPECT_EQ(scan.status.code(), absl::StatusCode::kPermissionDenied) << scan.status;
}

TEST(ScanRulesDirectoryTest, StopsWhenAsked) {
  const std::string dir = FreshDir("stop");
  Write(dir + "/a.textproto", "a");
  std::atomic<bool> stop{true};
  EXPECT_EQ(ScanRulesDirectory(dir, {}, &stop).status.code(), absl::StatusCode::kCancelled);
}

}  // namespace
}  // namespace entente
