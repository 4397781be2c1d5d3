// Golden test: the article the project started from. China and Iran support
// a ceasefire in Gaza and pledge mutual support on core interests; China
// calls for coordination within the SCO and BRICS.

#include <set>

#include "engine/classifier.h"
#include "engine/rule_set_directory.h"
#include "gtest/gtest.h"
#include "tests/test_paths.h"

namespace entente {
namespace {

using entente::v1::ClassifyResult;

// Actors holding `stance` with `polarity` anywhere in the result.
std::set<std::string> Holders(const ClassifyResult& result, const std::string& stance,
                              entente::v1::Polarity polarity) {
  std::set<std::string> out;
  for (const auto& s : result.aggregate().actor_stances()) {
    if (s.stance() == stance && s.polarity() == polarity) out.insert(s.actor());
  }
  return out;
}

class SeedArticleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<Diagnostic> diagnostics;
    auto rules = LoadRuleSetFromPath(testing::RunfilesPath("rules"), "default", &diagnostics);
    ASSERT_TRUE(rules.ok()) << rules.status();
    rules_ = *rules;
    const std::string path = testing::SharedPath("seed/article.txt");
    ASSERT_FALSE(path.empty()) << "cannot find ../shared; set ENTENTE_SHARED";
    text_ = testing::ReadFileOrEmpty(path);
    ASSERT_FALSE(text_.empty()) << path;
    result_ = Classify(*rules_, text_, {});
  }

  std::shared_ptr<const CompiledRuleSet> rules_;
  std::string text_;
  ClassifyResult result_;
};

TEST_F(SeedArticleTest, ChinaAndIranSupportACeasefire) {
  std::set<std::string> holders = Holders(result_, "ceasefire", entente::v1::SUPPORT);
  EXPECT_TRUE(holders.count("CHN")) << result_.DebugString();
  EXPECT_TRUE(holders.count("IRN"));
  EXPECT_TRUE(Holders(result_, "ceasefire", entente::v1::OPPOSE).empty());
}

TEST_F(SeedArticleTest, ChinaAndIranPledgeMutualSupportOnCoreInterests) {
  std::set<std::string> holders = Holders(result_, "core_interests", entente::v1::SUPPORT);
  EXPECT_TRUE(holders.count("CHN"));
  EXPECT_TRUE(holders.count("IRN"));
  bool mutual_edge = false;
  for (const auto& e : result_.aggregate().edges()) {
    if (e.stance() == "core_interests" && e.actor_a() == "CHN" && e.actor_b() == "IRN") {
      mutual_edge = e.mutual();
    }
  }
  EXPECT_TRUE(mutual_edge) << "expected a mutual CHN--IRN core_interests edge";
}

TEST_F(SeedArticleTest, ChinaCallsForCoordinationWithinScoAndBrics) {
  EXPECT_TRUE(Holders(result_, "multilateral", entente::v1::SUPPORT).count("CHN"));
}

TEST_F(SeedArticleTest, EveryAnnotationCarriesEvidenceWithinItsSentence) {
  ASSERT_GT(result_.annotations_size(), 0);
  for (const auto& a : result_.annotations()) {
    EXPECT_GT(a.score(), 0.0);
    EXPECT_LE(a.score(), 1.0);
    ASSERT_GT(a.evidence_size(), 0);
    for (const auto& e : a.evidence()) {
      EXPECT_FALSE(e.rule_id().empty());
      EXPECT_GE(e.span().begin(), a.sentence().begin());
      EXPECT_LE(e.span().end(), a.sentence().end());
      EXPECT_EQ(text_.substr(e.span().begin(), e.span().end() - e.span().begin()),
                e.span().text());
    }
  }
}

TEST_F(SeedArticleTest, NoStanceOnTheSourceLine) {
  for (const auto& a : result_.annotations()) {
    EXPECT_EQ(a.sentence().text().find("Original Source"), std::string::npos);
  }
}

}  // namespace
}  // namespace entente
