// Hostile text through the bundled rules, the JSON Lines reader and the
// batch job: empty and blank text, invalid UTF-8, NUL bytes, ten megabytes of
// one word, a hundred thousand one-letter sentences, run-on sentences full
// of matches, right-to-left and combining characters, emoji. Each gets a
// clear status or a correct answer, never a crash; and the work grows
// linearly with the input. Linearity is shown by counting work (sentences,
// RE2 searches, result bytes), never by timing: wall-clock scaling is
// measured by bench/hostile (see BENCHMARKS.md).

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/batch.h"
#include "cli/document_source.h"
#include "cli/json_line.h"
#include "engine/classifier.h"
#include "engine/segmenter.h"
#include "engine/utf8.h"
#include "gtest/gtest.h"
#include "tests/test_paths.h"

namespace entente {
namespace {

// `n` copies in an optimized build, an eighth under a sanitizer
// (ENTENTE_SANITIZER, set by --config=asan), where every match costs about
// 50 times more: the linearity checks compare two sizes of one build, so
// they hold at any scale.
size_t Copies(size_t n) { return std::getenv("ENTENTE_SANITIZER") != nullptr ? n / 8 : n; }

std::string Repeat(absl::string_view s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out.append(s.data(), s.size());
  return out;
}

class HostileText : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::vector<Diagnostic> diagnostics;
    auto compiled =
        CompileRuleSetFile(testing::RunfilesPath("rules/default.textproto"), &diagnostics);
    ASSERT_TRUE(compiled.ok()) << compiled.status();
    rules_ = new std::shared_ptr<const CompiledRuleSet>(*compiled);
  }

  // Classifies `text` (valid UTF-8) and checks what must hold of any
  // result: spans inside the text and equal to its bytes, scores in [0, 1],
  // sentences no longer than kMaxSentenceBytes, a result that serializes.
  static v1::ClassifyResult ClassifyChecked(absl::string_view text,
                                            ClassifierScratch* scratch = nullptr) {
    EXPECT_TRUE(IsValidUtf8(text));
    ClassifyOptions options;
    options.speaker = "CHN";
    v1::ClassifyResult result = Classify(**rules_, text, options, scratch);
    auto check_span = [&](const v1::Span& span) {
      ASSERT_GE(span.begin(), 0);
      ASSERT_LE(span.begin(), span.end());
      ASSERT_LE(static_cast<size_t>(span.end()), text.size());
      EXPECT_EQ(span.text(), text.substr(span.begin(), span.end() - span.begin()));
    };
    for (const auto& s : result.sentences()) {
      check_span(s.span());
      EXPECT_LE(s.span().end() - s.span().begin(), static_cast<int>(kMaxSentenceBytes));
    }
    for (const auto& a : result.annotations()) {
      EXPECT_GE(a.score(), 0.0);
      EXPECT_LE(a.score(), 1.0);
      check_span(a.sentence());
      for (const auto& e : a.evidence()) check_span(e.span());
    }
    std::string bytes;
    EXPECT_TRUE(result.SerializeToString(&bytes));
    return result;
  }

  static std::shared_ptr<const CompiledRuleSet>* rules_;
};

std::shared_ptr<const CompiledRuleSet>* HostileText::rules_ = nullptr;

TEST_F(HostileText, EmptyAndBlankTextHaveNoSentences) {
  for (absl::string_view text :
       {absl::string_view(""), absl::string_view(" "), absl::string_view(" \t\n\r\f\v \n\n")}) {
    v1::ClassifyResult result = ClassifyChecked(text);
    EXPECT_EQ(result.sentences_size(), 0);
    EXPECT_EQ(result.annotations_size(), 0);
  }
  v1::ClassifyResult blank = ClassifyChecked(Repeat(" \t\n", 1 << 20));
  EXPECT_EQ(blank.sentences_size(), 0);
}

TEST_F(HostileText, InvalidUtf8IsFoundWithItsOffset) {
  struct Case {
    const char* what;
    std::string text;
    size_t offset;
  };
  const std::vector<Case> cases = {
      {"truncated 3-byte sequence", "ceasefire \xE2\x80", 10},
      {"truncated 4-byte sequence", "\xF0\x9F\x98", 0},
      {"lone continuation byte", "a\x80", 1},
      {"overlong '/'", "x\xC0\xAF", 1},
      {"overlong 3-byte NUL", "\xE0\x80\x80", 0},
      {"overlong 4-byte", "\xF0\x80\x80\xAF", 0},
      {"high surrogate", "truce \xED\xA0\x80", 6},
      {"low surrogate", "\xED\xBF\xBF", 0},
      {"above U+10FFFF", "\xF4\x90\x80\x80", 0},
      {"byte 0xFF", "ok \xFF", 3},
  };
  for (const Case& c : cases) {
    size_t offset = 12345;
    EXPECT_FALSE(IsValidUtf8(c.text, &offset)) << c.what;
    EXPECT_EQ(offset, c.offset) << c.what;

    // The batch reader refuses it with the offset, in JSON and in text form.
    DocumentFields fields;
    JsonFields scratch({"id", "text", "speaker"});
    Document document;
    std::string line = "{\"id\": \"d\", \"text\": \"";
    line += c.text;
    line += "\"}";
    absl::Status s = ParseDocumentLine(line, 1, fields, &scratch, &document);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.what;
    EXPECT_NE(s.message().find("not valid UTF-8 (byte " + std::to_string(c.offset) + ")"),
              absl::string_view::npos)
        << c.what << ": " << s;
    fields.format = "text";
    s = ParseDocumentLine(c.text, 1, fields, &scratch, &document);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.what;
  }
  // Escapes cannot smuggle a surrogate in either.
  JsonFields scratch({"text"});
  EXPECT_EQ(ParseJsonObject(R"({"text": "\ud800"})", &scratch).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseJsonObject(R"({"text": "\udc00\ud800"})", &scratch).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(ParseJsonObject(R"({"text": "\ud83d\ude00"})", &scratch).ok());
  EXPECT_EQ(scratch.value(0), "\xF0\x9F\x98\x80");
}

TEST_F(HostileText, NulBytesAreOrdinaryCharacters) {
  const std::string text("China called for a ceasefire in Gaza.\0\0 Iran\0 agreed.", 53);
  v1::ClassifyResult result = ClassifyChecked(text);
  ASSERT_GE(result.annotations_size(), 1);
  EXPECT_EQ(result.annotations(0).stance(), "ceasefire");
  EXPECT_EQ(result.annotations(0).holders(0).actor(), "CHN");

  // Through JSON: \u0000 is valid and reaches the engine as a NUL byte.
  DocumentFields fields;
  JsonFields scratch({"id", "text", "speaker"});
  Document document;
  ASSERT_TRUE(
      ParseDocumentLine(R"({"id": "n", "text": "a\u0000b"})", 1, fields, &scratch, &document).ok());
  EXPECT_EQ(document.text, std::string("a\0b", 3));
}

TEST_F(HostileText, TenMegabytesOfOneWordAreCutIntoBoundedSentences) {
  const std::string word(10 << 20, 'a');
  v1::ClassifyResult result = ClassifyChecked(word);
  EXPECT_EQ(result.annotations_size(), 0);
  // No white space: cut at the limit, every piece full but the last.
  const size_t expected = (word.size() + kMaxSentenceBytes - 1) / kMaxSentenceBytes;
  EXPECT_EQ(static_cast<size_t>(result.sentences_size()), expected);

  // Multi-byte characters are never split.
  const std::string accents = Repeat("\xC3\xA9", 5 << 20);  // "é" x 5M
  std::vector<SentenceSpan> spans;
  SplitSentences(accents, &spans);
  for (const SentenceSpan& s : spans) {
    ASSERT_TRUE(IsValidUtf8(absl::string_view(accents).substr(s.begin, s.end - s.begin)));
  }
}

TEST_F(HostileText, AHundredThousandOneLetterSentences) {
  // "B? " ends a sentence every time.
  v1::ClassifyResult questions = ClassifyChecked(Repeat("B? ", 100000));
  EXPECT_EQ(questions.sentences_size(), 100000);
  EXPECT_EQ(questions.annotations_size(), 0);
  // "B. " reads as initials ("John F. Kennedy") and never ends a sentence:
  // the run is cut at white space into sentences of at most the limit.
  v1::ClassifyResult initials = ClassifyChecked(Repeat("B. ", 100000));
  EXPECT_GE(initials.sentences_size(), static_cast<int>(300000 / kMaxSentenceBytes));
  EXPECT_LE(initials.sentences_size(), static_cast<int>(2 * 300000 / kMaxSentenceBytes + 1));
  for (const auto& s : initials.sentences()) {
    EXPECT_EQ(s.span().text().back(), '.');  // cut at a space, not inside "B."
  }
}

// Work on a run-on text of `copies` repetitions of `unit`.
struct Work {
  int sentences = 0;
  int annotations = 0;
  int evidence = 0;
  int64_t searches = 0;
  size_t result_bytes = 0;
};

Work Measure(absl::string_view unit, size_t copies,
             v1::ClassifyResult (*classify)(absl::string_view, ClassifierScratch*)) {
  ClassifierScratch scratch;
  v1::ClassifyResult result = classify(Repeat(unit, copies), &scratch);
  Work w;
  w.sentences = result.sentences_size();
  w.annotations = result.annotations_size();
  for (const auto& a : result.annotations()) w.evidence += a.evidence_size();
  w.searches = scratch.pattern_searches;
  w.result_bytes = result.ByteSizeLong();
  return w;
}

// Doubling the input at most doubles the work, give or take one sentence.
void ExpectLinear(const Work& once, const Work& twice, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_GT(once.searches, 0);
  EXPECT_LE(twice.sentences, 2 * once.sentences + 1);
  EXPECT_LE(twice.evidence, 2 * once.evidence + 64);
  EXPECT_LE(static_cast<double>(twice.searches), 2.1 * once.searches + 64);
  EXPECT_LE(static_cast<double>(twice.result_bytes), 2.1 * once.result_bytes);
}

TEST_F(HostileText, RunOnSentencesFullOfMatchesCostLinearWork) {
  // No sentence end anywhere, a stance every few words, holders, negations
  // and first persons to attribute: the inputs that made attribution and
  // context scale with the square of the sentence before sentences were
  // capped (a 128 KB run-on took seconds).
  const std::vector<std::string> units = {
      "China calls for a ceasefire and ",
      "we do not support a ceasefire and ",
      "China and Iran and Russia reject the truce while ",
      "the two nations will coordinate within the SCO and BRICS as ",
  };
  for (const std::string& unit : units) {
    Work once = Measure(unit, Copies(4000), &HostileText::ClassifyChecked);
    Work twice = Measure(unit, 2 * Copies(4000), &HostileText::ClassifyChecked);
    EXPECT_GT(once.annotations, 0) << unit;
    ExpectLinear(once, twice, unit);
  }
}

TEST_F(HostileText, ManyShortSentencesWithMatchesCostLinearWork) {
  const std::string unit = "China calls for a ceasefire. Iran rejected the truce. ";
  Work once = Measure(unit, Copies(5000), &HostileText::ClassifyChecked);
  Work twice = Measure(unit, 2 * Copies(5000), &HostileText::ClassifyChecked);
  EXPECT_EQ(once.sentences, static_cast<int>(2 * Copies(5000)));
  EXPECT_EQ(twice.sentences, static_cast<int>(4 * Copies(5000)));
  EXPECT_EQ(twice.annotations, 2 * once.annotations);
  ExpectLinear(once, twice, unit);
}

TEST_F(HostileText, RightToLeftCombiningAndEmojiAreClassified) {
  // Arabic with right-to-left marks around an English sentence.
  const std::string rtl =
      "\xD8\xA7\xD9\x84\xD8\xB5\xD9\x8A\xD9\x86 \xD8\xAA\xD8\xAF\xD8\xB9\xD9\x88. "
      "\xE2\x80\x8F"
      "China called for a ceasefire in Gaza.\xE2\x80\x8F";
  v1::ClassifyResult result = ClassifyChecked(rtl);
  ASSERT_EQ(result.annotations_size(), 1);
  EXPECT_EQ(result.annotations(0).stance(), "ceasefire");
  EXPECT_EQ(result.annotations(0).holders(0).actor(), "CHN");

  // Emoji (with a variation selector and a flag) between the words.
  const std::string emoji =
      "\xF0\x9F\x87\xA8\xF0\x9F\x87\xB3 China called for a ceasefire "
      "\xF0\x9F\x95\x8A\xEF\xB8\x8F in Gaza. \xF0\x9F\x98\x80";
  result = ClassifyChecked(emoji);
  ASSERT_EQ(result.annotations_size(), 1);
  EXPECT_EQ(result.annotations(0).holders(0).actor(), "CHN");

  // A combining accent inside a keyword makes it another word: no match,
  // no crash; and a thousand combining marks on one letter are one word.
  result = ClassifyChecked("China called for a cea\xCC\x81sefire in Gaza.");
  EXPECT_EQ(result.annotations_size(), 0);
  result = ClassifyChecked("Z" + Repeat("\xCC\x81", 100000) + " agreed.");
  EXPECT_EQ(result.annotations_size(), 0);
}

// Batch: every hostile line becomes a result or an error record, the output
// stays valid UTF-8 JSON Lines in input order, and the job goes on.
TEST_F(HostileText, BatchTurnsHostileLinesIntoErrorRecords) {
  const std::string dir = testing::MakeTempDir("hostile_batch");
  const std::string input = dir + "/in.jsonl";
  const std::vector<std::string> lines = {
      R"({"id": "ok", "text": "China called for a ceasefire."})",
      "{\"id\": \"bad-text\", \"text\": \"truce \xED\xA0\x80\"}",
      "{\"id\": \"bad-\xFF-id\", \"text\": \"Iran called for a truce.\"}",
      "{\"id\": \"bad-\xC0\xAF\", \"text\": 5}",
      R"({"id": "nul", "text": "a\u0000b"})",
      R"({"id": "lone", "text": "\ud800"})",
      R"({"id": "deep", "a": )" + std::string(100000, '[') + std::string(100000, ']') + "}",
      "{\"id\": \"truncated\", \"text\": \"China",
      "\"just a string\"",
      R"({"id": "word", "text": ")" + std::string(1 << 20, 'w') + "\"}",
      "",
      R"({"id": "last", "text": ""})",
  };
  {
    std::ofstream out(input, std::ios::binary);
    for (const std::string& line : lines) out << line << "\n";
  }
  BatchOptions options;
  options.threads = 2;
  options.output = dir + "/out.jsonl";
  options.progress = "never";
  BatchSummary summary;
  ASSERT_TRUE(RunBatch(**rules_, {input}, options, &summary).ok());
  EXPECT_EQ(summary.documents, 5);  // ok, bad-id (as its line number), nul, word, last
  EXPECT_EQ(summary.errors, 6);

  std::ifstream in(options.output, std::ios::binary);
  std::string line;
  std::vector<std::string> ids;
  std::vector<std::string> errors;
  while (std::getline(in, line)) {
    ASSERT_TRUE(IsValidUtf8(line)) << line;
    JsonFields fields({"id", "error"});
    ASSERT_TRUE(ParseJsonObject(line, &fields).ok()) << line.substr(0, 200);
    ids.push_back(fields.found(0) ? fields.value(0) : "");
    errors.push_back(fields.found(1) ? fields.value(1) : "");
  }
  ASSERT_EQ(ids.size(), 11u);
  EXPECT_EQ(ids[0], "ok");
  EXPECT_EQ(errors[0], "");
  EXPECT_EQ(ids[1], "bad-text");
  EXPECT_NE(errors[1].find("not valid UTF-8 (byte 6)"), std::string::npos) << errors[1];
  EXPECT_EQ(ids[2], "3");  // an unprintable id is replaced by the line number
  EXPECT_EQ(errors[2], "");
  EXPECT_EQ(ids[3], "4");
  EXPECT_NE(errors[3].find("missing string field"), std::string::npos) << errors[3];
  EXPECT_EQ(ids[4], "nul");
  EXPECT_NE(errors[5].find("unpaired surrogate"), std::string::npos) << errors[5];
  EXPECT_NE(errors[6].find("nesting too deep"), std::string::npos) << errors[6];
  EXPECT_NE(errors[7].find("unterminated string"), std::string::npos) << errors[7];
  EXPECT_NE(errors[8].find("must be a JSON object"), std::string::npos) << errors[8];
  EXPECT_EQ(ids[9], "word");
  EXPECT_EQ(ids[10], "last");
}

TEST_F(HostileText, BatchOfNothingIsAnEmptyJob) {
  const std::string dir = testing::MakeTempDir("hostile_empty_batch");
  std::ofstream(dir + "/in.jsonl") << "\n  \n\t\n";
  BatchOptions options;
  options.threads = 2;
  options.output = dir + "/out.jsonl";
  options.progress = "never";
  BatchSummary summary;
  ASSERT_TRUE(RunBatch(**rules_, {dir + "/in.jsonl"}, options, &summary).ok());
  EXPECT_EQ(summary.documents, 0);
  EXPECT_EQ(summary.errors, 0);
  std::ifstream in(options.output);
  std::stringstream content;
  content << in.rdbuf();
  EXPECT_EQ(content.str(), "");
}

}  // namespace
}  // namespace entente
