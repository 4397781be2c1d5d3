#include "engine/rule_prefilter.h"

#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "re2/re2.h"

namespace entente {
namespace {

std::vector<int> Select(const RulePrefilter& prefilter, absl::string_view text) {
  std::vector<int> candidates;
  EXPECT_TRUE(prefilter.Select(text, &candidates));
  return candidates;
}

TEST(RulePrefilter, SelectsRulesWhoseLiteralsAllOccur) {
  RulePrefilter prefilter = RulePrefilter::Build(
      {"(?:call|urge)s?\\s+for\\s+(?:a\\s+)?(?:ceasefire|truce)",
       "\\bwalk(?:ed|s)?\\s+away\\s+from\\s+(?:the\\s+)?truce", "\\bUN\\b\\s+\\w+"},
      {});
  ASSERT_TRUE(prefilter.ok());
  EXPECT_EQ(Select(prefilter, "China called for a ceasefire."), std::vector<int>{0});
  EXPECT_EQ(Select(prefilter, "They WALKED AWAY from the truce; we urge for a truce."),
            (std::vector<int>{0, 1}));
  EXPECT_EQ(Select(prefilter, "A ceasefire was declared."), std::vector<int>{});
  EXPECT_EQ(Select(prefilter, "The UN agreed."), std::vector<int>{2});
  EXPECT_EQ(Select(prefilter, "The UNited front."), std::vector<int>{});
  // Candidates, not matches: the words occur but the pattern does not match.
  EXPECT_EQ(Select(prefilter, "Truce for a call."), std::vector<int>{0});
}

TEST(RulePrefilter, RulesWithoutLiteralsAreAlwaysCandidates) {
  RulePrefilter prefilter = RulePrefilter::Build({"ceasefire", "\\w+\\s+\\d+", "truce"}, {});
  ASSERT_TRUE(prefilter.ok());
  EXPECT_EQ(prefilter.unfiltered(), std::vector<int>{1});
  EXPECT_EQ(Select(prefilter, "nothing here"), std::vector<int>{1});
  EXPECT_EQ(Select(prefilter, "truce and ceasefire"), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(prefilter.literal_count(), 2);
}

TEST(RulePrefilter, OverItsMemoryBudgetSelectsEveryRule) {
  std::vector<std::string> patterns;
  for (int i = 0; i < 300; ++i) patterns.push_back(absl::StrCat("peace", i, "\\s+(?:now|today)"));
  RulePrefilter::Options tiny;
  tiny.max_mem = 1 << 10;
  RulePrefilter prefilter = RulePrefilter::Build(patterns, tiny);
  EXPECT_FALSE(prefilter.ok());
  std::vector<int> candidates;
  EXPECT_FALSE(prefilter.Select("peace17 now", &candidates));
  EXPECT_EQ(candidates.size(), 300u);
}

TEST(RulePrefilter, EmptyRuleList) {
  RulePrefilter prefilter = RulePrefilter::Build({}, {});
  EXPECT_TRUE(prefilter.ok());
  EXPECT_EQ(Select(prefilter, "anything"), std::vector<int>{});
}

// Rule-like random patterns (word lists, gaps, optional parts, boundaries)
// over random sentences of the same words: every rule that matches must be
// a candidate.
TEST(RulePrefilter, CandidatesIncludeEveryMatchingRule) {
  std::mt19937 rng(4);
  auto below = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  const std::vector<std::string> words = {
      "we",      "call", "calls",  "for",  "a",    "ceasefire", "truce", "UN", "un",
      "support", "the",  "Kelvin", "ſtop", "stop", "fighting",  "ask",   "not"};
  auto word_list = [&] {
    std::vector<std::string> list;
    int n = 1 + below(4);
    for (int i = 0; i < n; ++i) list.push_back(words[below(static_cast<int>(words.size()))]);
    return absl::StrCat("(?:", absl::StrJoin(list, "|"), ")");
  };
  std::vector<std::string> patterns;
  for (int i = 0; i < 200; ++i) {
    std::string p;
    int parts = 1 + below(3);
    for (int k = 0; k < parts; ++k) {
      if (k > 0) {
        static const std::vector<std::string> kGaps = {"\\s+", "\\W+(?:\\w+\\W+){0,3}?", " ",
                                                       "\\s+(?:the\\s+)?", "\\b.*?\\b"};
        p += kGaps[below(static_cast<int>(kGaps.size()))];
      }
      p += below(3) == 0 ? absl::StrCat("\\b", word_list(), "\\b") : word_list();
      if (below(5) == 0) p += "s?";
    }
    if (below(6) == 0) p = absl::StrCat(p, "|", word_list(), "\\s+", word_list());
    patterns.push_back(p);
  }
  RulePrefilter prefilter = RulePrefilter::Build(patterns, {});
  ASSERT_TRUE(prefilter.ok());
  std::vector<std::unique_ptr<RE2>> regexes;
  RE2::Options options;
  options.set_case_sensitive(false);
  for (const std::string& p : patterns) {
    regexes.push_back(std::make_unique<RE2>(p, options));
    ASSERT_TRUE(regexes.back()->ok()) << p;
  }
  int matches = 0;
  int candidates_total = 0;
  for (int t = 0; t < 3000; ++t) {
    std::string text;
    int n = 1 + below(10);
    for (int i = 0; i < n; ++i) {
      static const std::vector<std::string> kSeparators = {" ", ", ", " - ", "  "};
      if (i > 0) text += kSeparators[below(static_cast<int>(kSeparators.size()))];
      std::string w = words[below(static_cast<int>(words.size()))];
      if (below(4) == 0) {
        for (char& c : w) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
      }
      text += w;
    }
    std::vector<int> candidates = Select(prefilter, text);
    candidates_total += static_cast<int>(candidates.size());
    for (size_t r = 0; r < patterns.size(); ++r) {
      if (!RE2::PartialMatch(text, *regexes[r])) continue;
      ++matches;
      ASSERT_TRUE(std::binary_search(candidates.begin(), candidates.end(), static_cast<int>(r)))
          << "rule /" << patterns[r] << "/ matches \"" << text << "\" but was not selected";
    }
  }
  EXPECT_GT(matches, 1000);
  // It does filter: of the (text, rule) pairs that do not match, the
  // prefilter rejects more than 45% (56% on 2026-12-04: 600,000 pairs,
  // 140,136 matches, 342,268 candidates; the texts and patterns are seeded).
  // With words this common and gaps this loose most pairs share their
  // literals; the default rules on real text keep 0.7 candidates a sentence
  // out of 63 rules (bench/workload_stats).
  const int pairs = 3000 * static_cast<int>(patterns.size());
  const double rejected = 1.0 - static_cast<double>(candidates_total - matches) / (pairs - matches);
  EXPECT_GT(rejected, 0.45) << candidates_total << " candidates, " << matches << " matches";
}

}  // namespace
}  // namespace entente
