#include "engine/literal_matcher.h"

#include <random>
#include <set>
#include <string>
#include <vector>

#include "engine/utf8.h"
#include "gtest/gtest.h"
#include "re2/re2.h"

namespace entente {
namespace {

std::set<int> Found(const LiteralMatcher& matcher, absl::string_view text) {
  std::set<int> found;
  matcher.FindAll(text, [&](int id) { found.insert(id); });
  return found;
}

TEST(LiteralMatcher, FindsOverlappingLiteralsCaseInsensitively) {
  LiteralMatcher m = LiteralMatcher::Build(
      {{"ceasefire"}, {"cease"}, {"nation"}, {"international"}, {"as long as"}}, 1 << 20);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(Found(m, "The International CEASEFIRE holds"), (std::set<int>{0, 1, 2, 3}));
  EXPECT_EQ(Found(m, "as long as"), (std::set<int>{4}));
  EXPECT_EQ(Found(m, "as  long as"), (std::set<int>{}));  // a literal space is one space
  EXPECT_EQ(Found(m, ""), (std::set<int>{}));
}

TEST(LiteralMatcher, ChecksWordBoundariesAsRe2Does) {
  LiteralMatcher m = LiteralMatcher::Build({{"un", true, true}, {"for", false, true}}, 1 << 20);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(Found(m, "The UN."), (std::set<int>{0}));
  EXPECT_EQ(Found(m, "UN"), (std::set<int>{0}));
  EXPECT_EQ(Found(m, "united"), (std::set<int>{}));
  EXPECT_EQ(Found(m, "_un"), (std::set<int>{}));
  EXPECT_EQ(Found(m, "\xC3\xA9un"), (std::set<int>{0}));  // é is not a word character
  EXPECT_EQ(Found(m, "therefore for"), (std::set<int>{1}));
  EXPECT_EQ(Found(m, "therefore"), (std::set<int>{}));
}

TEST(LiteralMatcher, FoldsLongSAndKelvinSignLikeRe2) {
  LiteralMatcher m = LiteralMatcher::Build({{"cessation"}, {"kill"}, {"caf\xC3\xA9"}}, 1 << 20);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(Found(m,
                  "ce\xC5\xBF\xC5\xBF"
                  "ation"),
            (std::set<int>{0}));                               // long s
  EXPECT_EQ(Found(m, "\xE2\x84\xAAILL"), (std::set<int>{1}));  // Kelvin sign
  EXPECT_EQ(Found(m, "CAF\xC3\x89"), (std::set<int>{2}));      // É
}

TEST(LiteralMatcher, OnlyTwoNonAsciiCharactersFoldToAsciiLetters) {
  // The matcher maps U+017F and U+212A to s and k and every other non-ASCII
  // character to one symbol; that is sound only if RE2 folds no other
  // character to an ASCII letter.
  RE2 ascii_letter("(?i)[a-z]");
  std::vector<int> folding;
  for (int cp = 0x80; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    std::string s;
    AppendUtf8(static_cast<uint32_t>(cp), &s);
    if (RE2::FullMatch(s, ascii_letter)) folding.push_back(cp);
  }
  EXPECT_EQ(folding, (std::vector<int>{0x17F, 0x212A}));
}

TEST(LiteralMatcher, OverItsBudgetFindsNothing) {
  std::vector<RequiredLiteral> literals;
  for (int i = 0; i < 1000; ++i) literals.push_back({"literal" + std::to_string(i)});
  EXPECT_FALSE(LiteralMatcher::Build(literals, 1 << 10).ok());
  EXPECT_TRUE(LiteralMatcher::Build(literals, 16 << 20).ok());
}

// Random literals and texts over an alphabet that folds interestingly:
// whatever RE2 finds with ToRegex(), the matcher finds; for ASCII literals
// it finds nothing more.
TEST(LiteralMatcher, AgreesWithRe2OnRandomLiteralsAndTexts) {
  std::mt19937 rng(11);
  auto below = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  const std::vector<std::string> literal_chars = {"a", "b", "s", "k", " ", "-", "\xC3\xA9", "_"};
  const std::vector<std::string> text_chars = {"a",
                                               "b",
                                               "s",
                                               "k",
                                               "A",
                                               "B",
                                               "S",
                                               "K",
                                               " ",
                                               "-",
                                               "_",
                                               "\xC5\xBF",
                                               "\xE2\x84\xAA",
                                               "\xC3\xA9",
                                               "\xC3\x89",
                                               "\xC3\xA8",
                                               "\xFF",
                                               "1"};
  int agreements = 0;
  for (int round = 0; round < 300; ++round) {
    std::vector<RequiredLiteral> literals;
    int n = 1 + below(30);
    for (int i = 0; i < n; ++i) {
      RequiredLiteral l;
      int length = 1 + below(4);
      for (int c = 0; c < length; ++c)
        l.text += literal_chars[below(static_cast<int>(literal_chars.size()))];
      l.word_start = below(3) == 0;
      l.word_end = below(3) == 0;
      literals.push_back(l);
    }
    LiteralMatcher m = LiteralMatcher::Build(literals, 1 << 20);
    ASSERT_TRUE(m.ok());
    std::vector<std::unique_ptr<RE2>> regexes;
    for (const auto& l : literals) regexes.push_back(std::make_unique<RE2>(l.ToRegex()));
    for (int t = 0; t < 100; ++t) {
      std::string text;
      int length = below(14);
      for (int c = 0; c < length; ++c)
        text += text_chars[below(static_cast<int>(text_chars.size()))];
      std::set<int> found = Found(m, text);
      for (size_t i = 0; i < literals.size(); ++i) {
        const bool re2_found = RE2::PartialMatch(text, *regexes[i]);
        const bool ascii = literals[i].text.find('\xC3') == std::string::npos;
        if (re2_found) {
          ASSERT_TRUE(found.count(static_cast<int>(i)))
              << "missed \"" << literals[i].text << "\" (" << literals[i].ToRegex() << ") in \""
              << text << "\"";
        } else if (ascii) {
          ASSERT_FALSE(found.count(static_cast<int>(i)))
              << "reported \"" << literals[i].text << "\" (" << literals[i].ToRegex() << ") in \""
              << text << "\"";
        }
        ++agreements;
      }
    }
  }
  EXPECT_GT(agreements, 10000);
}

// A literal set with more than 2^15 automaton states uses 32-bit table
// cells instead of 16-bit ones; both must find the same occurrences.
TEST(LiteralMatcher, LargeAutomatonFindsWhatASmallOneFinds) {
  std::mt19937 rng(7);
  std::vector<RequiredLiteral> literals;
  for (int i = 0; i < 6000; ++i) {
    RequiredLiteral l;
    for (int c = 0; c < 10; ++c) l.text += static_cast<char>('a' + rng() % 26);
    l.word_start = i % 2 == 0;
    literals.push_back(l);
  }
  LiteralMatcher large = LiteralMatcher::Build(literals, 64 << 20);
  ASSERT_TRUE(large.ok());
  ASSERT_GE(large.state_count(), 1 << 15);
  std::string text = "Before " + literals[0].text + " and x" + literals[1].text + ", x" +
                     literals[2].text + " and " + literals[5999].text.substr(1) + ".";
  EXPECT_EQ(Found(large, text), (std::set<int>{0, 1}));
  for (int i = 0; i < 6000; i += 500) {
    LiteralMatcher small = LiteralMatcher::Build({literals[i]}, 1 << 20);
    ASSERT_LT(small.state_count(), 1 << 15);
    const std::string alone = "It said " + literals[i].text + " twice";
    EXPECT_EQ(Found(small, alone), (std::set<int>{0}));
    EXPECT_TRUE(Found(large, alone).count(i));
  }
}

}  // namespace
}  // namespace entente
