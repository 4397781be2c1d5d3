#include "engine/segmenter.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace entente {
namespace {

std::vector<std::string> Split(absl::string_view text) {
  std::vector<SentenceSpan> spans;
  SplitSentences(text, &spans);
  std::vector<std::string> out;
  for (const auto& s : spans) out.emplace_back(text.substr(s.begin, s.end - s.begin));
  return out;
}

TEST(Segmenter, SplitsOnTerminatorsWithOffsets) {
  std::string text = "Mr. Wang spoke. China agreed!  Did Iran agree? Yes.";
  std::vector<SentenceSpan> spans;
  SplitSentences(text, &spans);
  ASSERT_EQ(spans.size(), 4u);
  EXPECT_EQ(spans[0].begin, 0u);
  EXPECT_EQ(spans[0].end, 15u);
  EXPECT_EQ(text.substr(spans[1].begin, spans[1].end - spans[1].begin), "China agreed!");
  EXPECT_EQ(text.substr(spans[2].begin, spans[2].end - spans[2].begin), "Did Iran agree?");
  EXPECT_EQ(spans[3].end, text.size());
}

TEST(Segmenter, KeepsAbbreviationsInsideSentences) {
  EXPECT_EQ(Split("The U.S. and the U.K. voted. Resolution No. 5 passed."),
            (std::vector<std::string>{"The U.S. and the U.K. voted.", "Resolution No. 5 passed."}));
  EXPECT_EQ(Split("President John F. Kennedy spoke. Dr. Smith replied."),
            (std::vector<std::string>{"President John F. Kennedy spoke.", "Dr. Smith replied."}));
  EXPECT_EQ(Split("Prices rose 3.5 per cent. Trade fell."),
            (std::vector<std::string>{"Prices rose 3.5 per cent.", "Trade fell."}));
}

TEST(Segmenter, LowercaseAfterPeriodDoesNotSplit) {
  EXPECT_EQ(Split("See e.g. the report. It says so."),
            (std::vector<std::string>{"See e.g. the report.", "It says so."}));
}

TEST(Segmenter, BlankLinesAndPunctuatedLineEndsEndSentences) {
  EXPECT_EQ(Split("A heading without a period\n\nSecond one.\nThird:\nfourth.\n  Fifth.  "),
            (std::vector<std::string>{"A heading without a period", "Second one.",
                                      "Third:", "fourth.", "Fifth."}));
}

TEST(Segmenter, HardWrappedLinesAreOneSentence) {
  std::string text = "the people of the Federal Republic of\nGermany. On the contrary, we\r\nhope.";
  EXPECT_EQ(Split(text),
            (std::vector<std::string>{"the people of the Federal Republic of\nGermany.",
                                      "On the contrary, we\r\nhope."}));
}

TEST(Segmenter, ClosingQuotesStayWithTheirSentence) {
  EXPECT_EQ(Split("He said: \"We want peace.\" Then he left."),
            (std::vector<std::string>{"He said: \"We want peace.\"", "Then he left."}));
  EXPECT_EQ(Split("They agreed.” The talks ended."),
            (std::vector<std::string>{"They agreed.”", "The talks ended."}));
}

TEST(Segmenter, Utf8TextKeepsByteOffsets) {
  std::string text = "Türkiye welcomed the truce. Côte d’Ivoire agreed.";
  std::vector<SentenceSpan> spans;
  SplitSentences(text, &spans);
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(text.substr(spans[1].begin, spans[1].end - spans[1].begin), "Côte d’Ivoire agreed.");
}

TEST(Segmenter, EmptyAndBlankInputs) {
  EXPECT_TRUE(Split("").empty());
  EXPECT_TRUE(Split("   \n\n \t ").empty());
  EXPECT_EQ(Split("...").size(), 1u);
}

TEST(Segmenter, ArbitraryBytesDoNotBreakIt) {
  std::string bytes;
  for (int i = 0; i < 2000; ++i) bytes.push_back(static_cast<char>((i * 37) % 256));
  std::vector<SentenceSpan> spans;
  SplitSentences(bytes, &spans);
  for (const auto& s : spans) {
    EXPECT_LT(s.begin, s.end);
    EXPECT_LE(s.end, bytes.size());
  }
}

}  // namespace
}  // namespace entente
