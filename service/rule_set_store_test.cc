#include "service/rule_set_store.h"

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

std::string RuleSetText(const std::string& name, const std::string& version,
                        const std::string& word) {
  return absl::StrCat("name: \"", name, "\"\nversion: \"", version,
                      "\"\nstance { id: \"fruit\" }\n"
                      "rule { id: \"r\" stance: \"fruit\" polarity: SUPPORT pattern: \"\\\\b",
                      word, "\\\\b\" }\n");
}

void Write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

std::string FreshDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string dir = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/store-", name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(RuleSetStoreTest, NothingLoadedIsAFailedPrecondition) {
  RuleSetStore store(FreshDir("nothing"), {});
  EXPECT_FALSE(store.HasRuleSets());
  EXPECT_EQ(store.Find("").status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(RuleSetStoreTest, LoadsEveryRuleSetAndFindsThemByName) {
  const std::string dir = FreshDir("load");
  Write(dir + "/default.textproto", RuleSetText("default", "1", "apple"));
  Write(dir + "/other.textproto", RuleSetText("other", "7", "pear"));
  RuleSetStore store(dir, {});
  ReloadOutcome outcome = store.Reload();
  EXPECT_TRUE(outcome.ok);
  EXPECT_EQ(outcome.added, (std::vector<std::string>{"default", "other"}));
  EXPECT_EQ(outcome.generation, 1);
  auto found = store.Find("");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ((*found)->name, "default");
  EXPECT_EQ((*found)->file, "default.textproto");
  EXPECT_TRUE(absl::StartsWith((*found)->version, "1+")) << (*found)->version;
  EXPECT_EQ((*found)->version.size(), 2u + 8u);
  ASSERT_TRUE(store.Find("other").ok());
  absl::Status missing = store.Find("nope").status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(missing.message(), "loaded: default, other")) << missing;
  EXPECT_EQ(store.List().size(), 2u);
}

TEST(RuleSetStoreTest, VersionDependsOnContentOnly) {
  const std::string a = FreshDir("version-a");
  const std::string b = FreshDir("version-b");
  Write(a + "/x.textproto", RuleSetText("default", "1", "apple"));
  Write(b + "/y.textproto", RuleSetText("default", "1", "apple"));
  RuleSetStore store_a(a, {});
  RuleSetStore store_b(b, {});
  store_a.Reload();
  store_b.Reload();
  EXPECT_EQ((*store_a.Find(""))->version, (*store_b.Find(""))->version);
  Write(b + "/y.textproto", RuleSetText("default", "1", "plum"));
  store_b.Reload();
  EXPECT_NE((*store_a.Find(""))->version, (*store_b.Find(""))->version);
}

TEST(RuleSetStoreTest, ReloadSwapsChangedRuleSetsAndKeepsUnchangedOnes) {
  const std::string dir = FreshDir("swap");
  Write(dir + "/default.textproto", RuleSetText("default", "1", "apple"));
  Write(dir + "/other.textproto", RuleSetText("other", "1", "pear"));
  RuleSetStore store(dir, {});
  store.Reload();
  std::shared_ptr<const ServingRuleSet> in_flight = *store.Find("");
  std::shared_ptr<const ServingRuleSet> other = *store.Find("other");

  // Rewriting the same content changes nothing.
  Write(dir + "/default.textproto", RuleSetText("default", "1", "apple"));
  ReloadOutcome same = store.Reload();
  EXPECT_TRUE(same.ok);
  EXPECT_FALSE(same.changed());
  EXPECT_EQ(same.generation, 1);
  EXPECT_EQ(*store.Find(""), in_flight);

  Write(dir + "/default.textproto", RuleSetText("default", "1", "banana"));
  ReloadOutcome changed = store.Reload();
  EXPECT_EQ(changed.updated, std::vector<std::string>{"default"});
  EXPECT_EQ(changed.generation, 2);
  std::shared_ptr<const ServingRuleSet> now = *store.Find("");
  EXPECT_NE(now->version, in_flight->version);
  EXPECT_EQ(*store.Find("other"), other);  // same object: not recompiled into a new version
  // The request that started before the reload still has its version.
  EXPECT_TRUE(absl::StrContains(in_flight->rules->rules()[0].readings[0].expanded, "apple"));
}

TEST(RuleSetStoreTest, BrokenFileKeepsTheLastGoodVersionUntilFixed) {
  const std::string dir = FreshDir("broken");
  Write(dir + "/default.textproto", RuleSetText("default", "1", "apple"));
  RuleSetStore store(dir, {});
  int listened = 0;
  store.SetReloadListener([&](const ReloadOutcome&) { ++listened; });
  store.Reload();
  const std::string good = (*store.Find(""))->version;

  Write(dir + "/default.textproto", "name: \"default\"\nrule { id: \"r\" pattern: \"(\" }\n");
  ReloadOutcome broken = store.Reload();
  EXPECT_FALSE(broken.ok);
  EXPECT_FALSE(broken.changed());
  EXPECT_EQ(broken.kept, std::vector<std::string>{"default"});
  ASSERT_EQ(broken.failures.size(), 1u);
  EXPECT_EQ(broken.failures.begin()->first, "default.textproto");
  EXPECT_FALSE(broken.diagnostics.empty());
  auto serving = store.Find("");
  ASSERT_TRUE(serving.ok());
  EXPECT_EQ((*serving)->version, good);
  EXPECT_FALSE((*serving)->reload_error.empty());
  EXPECT_FALSE(store.LastReload().ok);

  Write(dir + "/default.textproto", RuleSetText("default", "2", "apple"));
  ReloadOutcome fixed = store.Reload();
  EXPECT_TRUE(fixed.ok);
  EXPECT_TRUE((*store.Find(""))->reload_error.empty());
  EXPECT_TRUE(absl::StartsWith((*store.Find(""))->version, "2+"));
  EXPECT_EQ(listened, 3);
}

TEST(RuleSetStoreTest, FixingABrokenFileBackToTheSameContentClearsTheError) {
  const std::string dir = FreshDir("restore");
  Write(dir + "/default.textproto", RuleSetText("default", "1", "apple"));
  RuleSetStore store(dir, {});
  store.Reload();
  const std::string good = (*store.Find(""))->version;
  Write(dir + "/default.textproto", "name: ");
  store.Reload();
  Write(dir + "/default.textproto", RuleSetText("default", "1", "apple"));
  EXPECT_TRUE(store.Reload().ok);
  EXPECT_EQ((*store.Find(""))->version, good);
  EXPECT_TRUE((*store.Find(""))->reload_error.empty());
}

TEST(RuleSetStoreTest, DeletedFileRemovesItsRuleSet) {
  const std::string dir = FreshDir("delete");
  Write(dir + "/default.textproto", RuleSetText("default", "1", "apple"));
  Write(dir + "/other.textproto", RuleSetText("other", "1", "pear"));
  RuleSetStore store(dir, {});
  store.Reload();
  fs::remove(dir + "/other.textproto");
  ReloadOutcome outcome = store.Reload();
  EXPECT_TRUE(outcome.ok);
  EXPECT_EQ(outcome.removed, std::vector<std::string>{"other"});
  EXPECT_EQ(store.Find("other").status().code(), absl::StatusCode::kNotFound);
}

TEST(RuleSetStoreTest, UnreadableDirectoryKeepsEverything) {
  const std::string dir = FreshDir("vanish");
  Write(dir + "/default.textproto", RuleSetText("default", "1", "apple"));
  RuleSetStore store(dir, {});
  store.Reload();
  fs::remove_all(dir);
  ReloadOutcome outcome = store.Reload();
  EXPECT_FALSE(outcome.ok);
  EXPECT_FALSE(outcome.directory_status.ok());
  EXPECT_TRUE(store.Find("").ok());
}

// A rule file that is a link to a file outside the directory is never
// read: the whole directory is refused, the last good versions serve, and
// nothing of the outside file shows in diagnostics.
TEST(RuleSetStoreTest, LinkOutOfTheDirectoryIsRefusedBeforeAnythingIsRead) {
  const std::string dir = FreshDir("link-out");
  const std::string outside = FreshDir("link-out-target");
  Write(outside + "/secret.textproto", "first-token-of-a-secret-file and more");
  Write(dir + "/default.textproto", RuleSetText("default", "1", "apple"));
  RuleSetStore store(dir, {});
  ASSERT_TRUE(store.Reload().ok);
  fs::create_symlink(outside + "/secret.textproto", dir + "/stolen.textproto");
  ReloadOutcome outcome = store.Reload();
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.directory_status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(absl::StrContains(outcome.directory_status.message(), "stolen.textproto"));
  EXPECT_TRUE(outcome.diagnostics.empty());
  EXPECT_EQ(outcome.kept, std::vector<std::string>{"default"});
  EXPECT_TRUE(store.Find("").ok());

  RuleSetStore::Options trusting;
  trusting.directory.links_may_leave = true;
  RuleSetStore trusted(dir, trusting);
  outcome = trusted.Reload();
  EXPECT_TRUE(outcome.directory_status.ok());  // read, and refused as not a rule set
  EXPECT_EQ(outcome.failures.count("stolen.textproto"), 1u);
}

TEST(RuleSetStoreTest, DefaultRuleSetNameIsConfigurable) {
  const std::string dir = FreshDir("default-name");
  Write(dir + "/other.textproto", RuleSetText("other", "1", "pear"));
  RuleSetStore::Options options;
  options.default_rule_set = "other";
  RuleSetStore store(dir, options);
  store.Reload();
  ASSERT_TRUE(store.Find("").ok());
  EXPECT_EQ((*store.Find(""))->name, "other");
}

}  // namespace
}  // namespace entente
