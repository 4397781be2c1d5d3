#include "engine/token_pattern.h"

#include <map>
#include <string>

#include "gtest/gtest.h"
#include "re2/re2.h"

namespace entente {
namespace {

// Translates `tokens` with a context that knows two lexicons and the clause
// breaks "but" and "however"; lexicon references are replaced by their
// terms here (as LexiconTable::Expand does).
std::string Regex(const std::string& tokens,
                  const std::map<std::string, std::string>* params = nullptr) {
  size_t offset = 0;
  absl::StatusOr<TokenSequence> seq = ParseTokens(tokens, &offset);
  EXPECT_TRUE(seq.ok()) << tokens << ": " << seq.status() << " at " << offset;
  if (!seq.ok()) return "";
  TokenContext context;
  context.clause_breaks = {"but", "however"};
  context.lexicon_words = [](absl::string_view name) -> absl::StatusOr<std::vector<std::string>> {
    if (name == "negation") return std::vector<std::string>{"not", "never", "no"};
    return absl::NotFoundError("unknown lexicon");
  };
  context.params = params;
  absl::StatusOr<std::string> re = TokensToRegex(*seq, context, &offset);
  EXPECT_TRUE(re.ok()) << tokens << ": " << re.status();
  std::string out = re.ok() ? *re : "";
  auto replace = [&](const std::string& from, const std::string& to) {
    for (size_t at; (at = out.find(from)) != std::string::npos;) out.replace(at, from.size(), to);
  };
  replace("{ceasefire_term}", "\\b(?:ceasefire|truce)\\b");
  replace("{negation}", "\\b(?:not|never|no)\\b");
  replace("{actor__ANY}", "\\b(?:China|Iran|the United Nations)\\b");
  return out;
}

// The text of the leftmost match of `regex` in `text` (case-insensitive, as
// rules are), or "<none>".
std::string Find(const std::string& regex, const std::string& text) {
  RE2::Options options;
  options.set_case_sensitive(false);
  RE2 re(regex, options);
  EXPECT_TRUE(re.ok()) << regex << ": " << re.error();
  re2::StringPiece match;
  if (!re.Match(text, 0, text.size(), RE2::UNANCHORED, &match, 1)) return "<none>";
  return std::string(match);
}

// The error offset of a malformed sequence (and that it is malformed).
size_t ErrorAt(const std::string& tokens) {
  size_t offset = 999;
  absl::StatusOr<TokenSequence> seq = ParseTokens(tokens, &offset);
  EXPECT_FALSE(seq.ok()) << tokens;
  return offset;
}

TEST(TokenPattern, WordsLexiconsOptionalsAndGaps) {
  std::string re = Regex("call for ~2 {ceasefire_term}");
  EXPECT_EQ(Find(re, "He will call for a total truce."), "call for a total truce");
  EXPECT_EQ(Find(re, "call for ceasefire"), "call for ceasefire");
  EXPECT_EQ(Find(re, "call for a very long and total ceasefire"), "<none>");
  re = Regex("immediate? {ceasefire_term}");
  EXPECT_EQ(Find(re, "an immediate ceasefire"), "immediate ceasefire");
  EXPECT_EQ(Find(re, "a ceasefire"), "ceasefire");
  // Words are whole words.
  EXPECT_EQ(Find(Regex("call for"), "recall forms"), "<none>");
}

TEST(TokenPattern, LemmasMatchTheirForms) {
  std::string re = Regex("[urge] ~3 {ceasefire_term}");
  for (const char* text : {"urge a truce", "She urges a truce", "they urged an immediate truce",
                           "is urging a ceasefire"}) {
    EXPECT_NE(Find(re, text), "<none>") << text;
  }
  re = Regex("[withdraw from] the [truce/N]");
  EXPECT_EQ(Find(re, "Russia withdrew from the truces."), "withdrew from the truces");
  EXPECT_EQ(Find(Regex("[seek] {ceasefire_term}"), "it sought truce"), "sought truce");
}

TEST(TokenPattern, AlternativesAndOptionalGroups) {
  std::string re = Regex("(support | stand behind | [back]) (a | the)? {ceasefire_term}");
  EXPECT_EQ(Find(re, "we stand behind the truce"), "stand behind the truce");
  EXPECT_EQ(Find(re, "we backed truce"), "backed truce");
  EXPECT_EQ(Find(re, "we support a ceasefire"), "support a ceasefire");
  EXPECT_EQ(Find(re, "we stand a ceasefire"), "<none>");
}

TEST(TokenPattern, ClauseGapsStopAtPunctuationAndClauseBreaks) {
  std::string re = Regex("[support] ~6 {ceasefire_term}");
  EXPECT_EQ(Find(re, "we support, as always, a truce"), "support, as always, a truce");
  EXPECT_EQ(Find(re, "we support peace. a truce"), "<none>");
  EXPECT_EQ(Find(re, "we support peace; a truce"), "<none>");
  EXPECT_EQ(Find(re, "we support peace but not a truce"), "<none>");
  EXPECT_EQ(Find(re, "we support peace, however, a truce"), "<none>");
  // Words that only begin like a clause break are words.
  EXPECT_EQ(Find(re, "we support butter and a truce"), "support butter and a truce");
  // ~~N crosses clauses.
  EXPECT_EQ(Find(Regex("[support] ~~6 {ceasefire_term}"), "we support peace; a truce"),
            "support peace; a truce");
}

TEST(TokenPattern, GapsCanExcludeWords) {
  std::string re = Regex("[reject] ~4!{negation} {ceasefire_term}");
  EXPECT_EQ(Find(re, "they rejected the truce"), "rejected the truce");
  EXPECT_EQ(Find(re, "they rejected calls for no truce"), "<none>");
  EXPECT_EQ(Find(re, "they rejected NEVER a truce"), "<none>");
  EXPECT_EQ(Find(re, "they rejected notes on a truce"), "rejected notes on a truce");
  re = Regex("[reject] ~4!(offers | talks) {ceasefire_term}");
  EXPECT_EQ(Find(re, "rejected offers of a truce"), "<none>");
  EXPECT_EQ(Find(re, "rejected the truce"), "rejected the truce");
}

TEST(TokenPattern, RolesBecomeNamedGroups) {
  std::string re = Regex("holder:{actor}? [call] for ~3 target:{ceasefire_term}");
  RE2::Options options;
  options.set_case_sensitive(false);
  RE2 compiled(re, options);
  ASSERT_TRUE(compiled.ok()) << compiled.error();
  EXPECT_EQ(compiled.NamedCapturingGroups().count("holder"), 1u);
  EXPECT_EQ(compiled.NamedCapturingGroups().count("target"), 1u);
  EXPECT_EQ(Find(re, "China and Iran called for a truce"), "Iran called for a truce");
  EXPECT_EQ(Find(re, "They called for a truce"), "called for a truce");
}

TEST(TokenPattern, TemplateParametersAreBoundToSequences) {
  std::map<std::string, std::string> params = {{"THEME", "(sanctions | [embargo/N])"}};
  std::string re = Regex("[call] for ~3 $THEME", &params);
  EXPECT_EQ(Find(re, "they called for tougher embargoes"), "called for tougher embargoes");
  EXPECT_EQ(Find(re, "they voted for sanctions"), "<none>");
  size_t offset = 0;
  auto seq = ParseTokens("[call] for $OTHER", &offset);
  ASSERT_TRUE(seq.ok());
  TokenContext context;
  context.params = &params;
  EXPECT_FALSE(TokensToRegex(*seq, context, &offset).ok());
  EXPECT_EQ(offset, 11u);
}

TEST(TokenPattern, ErrorsPointAtTheirColumn) {
  EXPECT_EQ(ErrorAt("call* for sanctions"), 4u);
  EXPECT_EQ(ErrorAt("call(s|ed|ing)? for sanctions"), 4u);
  EXPECT_EQ(ErrorAt("urge \\w+ sanctions"), 5u);
  EXPECT_EQ(ErrorAt("{call} for {sanc_term"), 11u);
  EXPECT_EQ(ErrorAt("call {2,3} truce"), 5u);
  EXPECT_EQ(ErrorAt("holder:{actor:COUNTRY} said"), 14u);
  EXPECT_EQ(ErrorAt("call ~0 truce"), 5u);
  EXPECT_EQ(ErrorAt("call ~21 truce"), 5u);
  EXPECT_EQ(ErrorAt("~3 ceasefire"), 0u);
  EXPECT_EQ(ErrorAt("ceasefire ~3"), 10u);
  EXPECT_EQ(ErrorAt("call ~2 ~3 truce"), 8u);
  EXPECT_EQ(ErrorAt("maybe? perhaps?"), 0u);
  EXPECT_EQ(ErrorAt("holder: China said"), 7u);
  EXPECT_EQ(ErrorAt("call for ) truce"), 9u);
  EXPECT_EQ(ErrorAt("call (for | ) truce"), 12u);
  EXPECT_EQ(ErrorAt("call (for | to truce"), 5u);
  EXPECT_EQ(ErrorAt("call | urge"), 5u);
  EXPECT_EQ(ErrorAt("[call/X] for"), 5u);
  EXPECT_EQ(ErrorAt(""), 0u);
  EXPECT_EQ(ErrorAt("{ceasefire_term}s"), 16u);
}

TEST(WordNotIn, MatchesWholeWordsOutsideTheSet) {
  RE2 re(absl::StrCat("^", WordNotIn({"not", "never", "NO", "don't"}), "$"));
  ASSERT_TRUE(re.ok()) << re.error();
  for (const char* word : {"peace", "n", "ne", "nev", "neverland", "note", "nots", "nO1", "yes"}) {
    EXPECT_TRUE(RE2::FullMatch(word, re)) << word;
  }
  for (const char* word : {"not", "NOT", "Never", "no", "No"}) {
    EXPECT_FALSE(RE2::FullMatch(word, re)) << word;
  }
  RE2 any(absl::StrCat("^", WordNotIn({}), "$"));
  EXPECT_TRUE(RE2::FullMatch("anything", any));
}

}  // namespace
}  // namespace entente
