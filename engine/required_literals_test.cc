#include "engine/required_literals.h"

#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "re2/re2.h"

namespace entente {
namespace {

// The condition as text: clauses joined by " & ", literals by "|", with
// \b shown where a boundary is checked.
std::string Show(absl::string_view pattern, RequiredLiteralOptions options = {}) {
  LiteralCondition c = RequiredLiterals(pattern, options);
  std::vector<std::string> clauses;
  for (const LiteralClause& clause : c.clauses) {
    std::vector<std::string> literals;
    for (const RequiredLiteral& l : clause) {
      literals.push_back(absl::StrCat(l.word_start ? "\\b" : "", l.text, l.word_end ? "\\b" : ""));
    }
    clauses.push_back(absl::StrJoin(literals, "|"));
  }
  return absl::StrJoin(clauses, " & ");
}

TEST(RequiredLiterals, ConcatenationRequiresEveryRun) {
  EXPECT_EQ(Show("call\\s+for\\s+a\\s+ceasefire"), "call & ceasefire & for");
}

TEST(RequiredLiterals, AlternationRequiresOneBranch) {
  EXPECT_EQ(Show("(?:ceasefire|truce)"), "ceasefire|truce");
  EXPECT_EQ(Show("\\b(?:call|urge)s?\\s+for\\s+(?:a\\s+)?(?:ceasefire|truce)\\b"),
            "call|urge & ceasefire|truce & for");
}

TEST(RequiredLiterals, OptionalAndStarredPartsRequireNothing) {
  EXPECT_EQ(Show("(?:immediate\\s+)?ceasefire"), "ceasefire");
  EXPECT_EQ(Show("(?:lasting\\s+)*truce"), "truce");
  EXPECT_EQ(Show("(?:\\w+\\W+){0,4}?truce"), "truce");
  EXPECT_EQ(Show("(?:lasting\\s+){1,2}truce"), "lasting & truce");
  EXPECT_EQ(Show("(?:lasting\\s+)+?truce"), "lasting & truce");
}

TEST(RequiredLiterals, RepetitionAppliesToTheLastCharacterOnly) {
  EXPECT_EQ(Show("ceasefires?"), "ceasefire");
  EXPECT_EQ(Show("truce{0,1}s"), "truc");
  EXPECT_EQ(Show("abcdx+yz"), "abcd");
  // A brace that is not a repetition is a literal.
  EXPECT_EQ(Show("a{b}cd"), "a{b}cd");
}

TEST(RequiredLiterals, LiteralsAreLowerCasedAndUnescaped) {
  EXPECT_EQ(Show("(?-i:SCO)\\s+Summit"), "sco & summit");
  EXPECT_EQ(Show("cease\\-fire"), "cease-fire");
  EXPECT_EQ(Show("\\x41BC\\x{44}"), "abcd");
  EXPECT_EQ(Show("don[’']t\\s+stop"), "don & stop");
  EXPECT_EQ(Show("café\\s+noir"), "café & noir");
}

TEST(RequiredLiterals, ShortLiteralsNeedBoundariesOnBothSides) {
  EXPECT_EQ(Show("\\bUN\\b"), "\\bun\\b");
  EXPECT_EQ(Show("\\bUN"), "");
  EXPECT_EQ(Show("\\b(?:UN|EU)\\b"), "");  // the boundaries are outside the group
  EXPECT_EQ(Show("\\bUN\\b|\\bEU\\b"), "\\beu\\b|\\bun\\b");
  // Long literals drop their boundaries so that one stands for its plurals.
  EXPECT_EQ(Show("\\bceasefire\\b|\\bceasefires\\b"), "ceasefire");
}

TEST(RequiredLiterals, DistributesSmallAlternations) {
  EXPECT_EQ(Show("(?:oppose\\s+weakening|defend)\\s+multilateralism"),
            "defend|oppose & defend|weakening & multilateralism");
}

TEST(RequiredLiterals, ClassesDotsAndAnchorsBreakRuns) {
  EXPECT_EQ(Show("^peace[.]keeping$"), "keeping & peace");
  EXPECT_EQ(Show("peace.keeping"), "keeping & peace");
  EXPECT_EQ(Show("[\\]a-z]+ceasefire[[:alpha:]]"), "ceasefire");
}

TEST(RequiredLiterals, UnknownSyntaxRequiresNothing) {
  EXPECT_TRUE(RequiredLiterals("\\Qceasefire\\E", {}).always());
  EXPECT_TRUE(RequiredLiterals("\\101bc", {}).always());
  EXPECT_TRUE(RequiredLiterals("(?P=name)", {}).always());
  EXPECT_TRUE(RequiredLiterals("(unclosed", {}).always());
  EXPECT_TRUE(RequiredLiterals("", {}).always());
}

TEST(RequiredLiterals, HugeAlternationsStayLinear) {
  std::string terms;
  for (int i = 0; i < 100000; ++i) absl::StrAppend(&terms, i > 0 ? "|" : "", "term", i, "\\s+word");
  // Too many literals to be worth a clause; what every branch shares stays.
  EXPECT_EQ(Show(absl::StrCat("(?:", terms, ")\\s+agreed")), "agreed & word");
}

TEST(RequiredLiterals, NamedGroupsAndFlags) {
  EXPECT_EQ(Show("(?P<holder>\\w+)\\s+(?i:supports)\\s+(?s)truce"), "supports & truce");
  EXPECT_EQ(Show("(?<holder>China)\\s+agrees"), "agrees & china");
}

// Random patterns over a small alphabet that folds interestingly (k and the
// Kelvin sign, s and the long s), matched against random texts: whenever
// RE2 matches, the condition must hold. This is the contract the prefilter
// relies on.
class RandomPatterns {
 public:
  explicit RandomPatterns(uint32_t seed) : rng_(seed) {}

  std::string Pattern(int depth = 0) {
    std::string out;
    int items = 1 + Below(4);
    for (int i = 0; i < items; ++i) out += Item(depth);
    if (depth < 3 && Below(4) == 0) out += "|" + Pattern(depth + 1);
    return out;
  }

  std::string Text() {
    static const std::vector<std::string> kChars = {"a",      "b", "s", "k", "K", "S", "ſ",
                                                    "\u212A", " ", "-", "A", "é", "É", "x"};
    std::string out;
    int n = Below(12);
    for (int i = 0; i < n; ++i) out += kChars[Below(static_cast<int>(kChars.size()))];
    return out;
  }

 private:
  int Below(int n) { return static_cast<int>(rng_() % static_cast<uint32_t>(n)); }

  std::string Item(int depth) {
    static const std::vector<std::string> kAtoms = {
        "a",   "b",   "s",   "k",   "K",         "S",     "ab",   "ska",  "\\b",
        "\\B", "\\w", "\\W", "\\s", ".",         "[ab]",  "[^a]", "\\-",  "é",
        "É",   "^",   "$",   "ſ",   "\\x{212A}", "\\x61", "(?i)", "(?-i)"};
    std::string item;
    int kind = Below(10);
    if (kind == 0 && depth < 3) {
      static const std::vector<std::string> kOpen = {"(", "(?:", "(?i:", "(?-i:", "(?P<g>"};
      std::string open = kOpen[Below(static_cast<int>(kOpen.size()))];
      if (open == "(?P<g>") open = absl::StrCat("(?P<g", counter_++, ">");
      item = open + Pattern(depth + 1) + ")";
    } else {
      item = kAtoms[Below(static_cast<int>(kAtoms.size()))];
    }
    static const std::vector<std::string> kRepeat = {"",    "",      "",     "?",  "*", "+",
                                                     "{2}", "{0,2}", "{1,}", "??", "+?"};
    std::string repeat = kRepeat[Below(static_cast<int>(kRepeat.size()))];
    if (item == "^" || item == "$" || item == "\\b" || item == "\\B" || item == "(?i)" ||
        item == "(?-i)") {
      repeat.clear();
    }
    return item + repeat;
  }

  std::mt19937 rng_;
  int counter_ = 0;
};

TEST(RequiredLiterals, SoundOnRandomPatternsAndTexts) {
  RandomPatterns random(20261128);
  RequiredLiteralOptions options;
  options.min_length = 1;  // keep every literal, to exercise the walk fully
  options.min_bounded_length = 1;
  int checked = 0;
  int matched = 0;
  for (int p = 0; p < 3000; ++p) {
    std::string pattern = random.Pattern();
    for (bool case_sensitive : {false, true}) {
      RE2::Options re_options;
      re_options.set_case_sensitive(case_sensitive);
      re_options.set_log_errors(false);
      RE2 re(pattern, re_options);
      if (!re.ok()) continue;
      LiteralCondition condition = RequiredLiterals(pattern, options);
      for (int t = 0; t < 40; ++t) {
        std::string text = random.Text();
        ++checked;
        if (!RE2::PartialMatch(text, re)) continue;
        ++matched;
        ASSERT_TRUE(SatisfiesCondition(condition, text))
            << "pattern /" << pattern << "/ (case " << (case_sensitive ? "sensitive" : "folded")
            << ") matches \"" << text << "\" but the condition " << Show(pattern, options)
            << " does not hold";
      }
    }
  }
  EXPECT_GT(matched, checked / 20);  // the test exercises matches, not just misses
}

}  // namespace
}  // namespace entente
