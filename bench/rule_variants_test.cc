#include "bench/rule_variants.h"

#include <string>
#include <vector>

#include "engine/compiled_rule_set.h"
#include "engine/rule_set_loader.h"
#include "gtest/gtest.h"

namespace entente {
namespace bench {
namespace {

constexpr char kBase[] = R"pb(
  name: "base"
  stance { id: "ceasefire" }
  stance { id: "multilateral" }
  rule {
    id: "a"
    stance: "ceasefire"
    polarity: SUPPORT
    weight: 0.8
    pattern: "call for a ceasefire"
    example { text: "We call for a ceasefire." }
  }
  rule { id: "b" stance: "multilateral" polarity: OPPOSE weight: 0.7 pattern: "leave the union" }
  rule { id: "c" stance: "ceasefire" polarity: OPPOSE weight: 0.6 pattern: "reject the truce" }
  rule_weight { rule: "c" weight: 0.5 }
)pb";

LoadedRuleSet Base() {
  std::vector<Diagnostic> diagnostics;
  auto loaded = LoadRuleSetFromText(kBase, "base", &diagnostics);
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  return *loaded;
}

TEST(ContentWords, SkipsTheCommonestAndShortWords) {
  std::vector<absl::string_view> sentences;
  std::vector<std::string> storage;
  // "alpha" is the commonest word, "beta" the next; "xy" is too short.
  for (int i = 0; i < 300; ++i) {
    storage.push_back("alpha beta xy word" + std::string(1, static_cast<char>('a' + i % 26)) +
                      std::to_string(i));
  }
  for (const auto& s : storage) sentences.push_back(s);
  std::vector<std::string> words = ContentWords(sentences, 10);
  EXPECT_LE(words.size(), 10u);
  for (const std::string& w : words) {
    EXPECT_NE(w, "alpha");
    EXPECT_NE(w, "xy");
    EXPECT_GE(w.size(), 4u);
  }
}

TEST(WithRuleCount, CutsToTheFirstRulesAndDropsTheirWeights) {
  LoadedRuleSet cut = WithRuleCount(Base(), 2, {"peace", "talks"}, 1);
  ASSERT_EQ(cut.rule_set.rule_size(), 2);
  EXPECT_EQ(cut.rule_set.rule(1).id(), "b");
  EXPECT_EQ(cut.rule_set.rule_weight_size(), 0);  // "c" is gone
  EXPECT_EQ(cut.rule_set.rule(0).example_size(), 0);
  std::vector<Diagnostic> diagnostics;
  EXPECT_TRUE(CompiledRuleSet::Compile(cut, {}, &diagnostics).ok());
}

TEST(WithRuleCount, GrowsWithGeneratedRulesThatCompileAndMatch) {
  LoadedRuleSet grown =
      WithRuleCount(Base(), 50, {"peace", "talks", "security", "council", "nuclear"}, 3);
  ASSERT_EQ(grown.rule_set.rule_size(), 50);
  EXPECT_EQ(grown.rule_set.rule(3).id(), "generated_0");
  EXPECT_EQ(grown.rule_set.rule(3).stance(), "ceasefire");     // cycles through the base
  EXPECT_EQ(grown.rule_set.rule(4).stance(), "multilateral");  // rules' stances
  EXPECT_EQ(grown.rule_locations.size(), 50u);
  std::vector<Diagnostic> diagnostics;
  auto compiled = CompiledRuleSet::Compile(grown, {}, &diagnostics);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  EXPECT_TRUE((*compiled)->unfiltered_readings().empty());  // every generated rule is filterable
  std::vector<int> candidates;
  (*compiled)->SelectCandidates("peace and security talks on the council", &candidates);
  EXPECT_FALSE(candidates.empty());
}

}  // namespace
}  // namespace bench
}  // namespace entente
