#include "engine/lexicon.h"

#include "gtest/gtest.h"
#include "re2/re2.h"

namespace entente {
namespace {

LoadedRuleSet WithLexicons(const std::string& text) {
  std::vector<Diagnostic> diagnostics;
  auto loaded = LoadRuleSetFromText(text, "test.textproto", &diagnostics);
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  return *loaded;
}

bool Matches(const std::string& pattern, const std::string& text) {
  RE2::Options options;
  options.set_case_sensitive(false);
  RE2 re(pattern, options);
  EXPECT_TRUE(re.ok()) << re.error() << " in " << pattern;
  return RE2::PartialMatch(text, re);
}

TEST(PhraseToRegex, WordBoundedWithFlexibleSpaceAndApostrophes) {
  std::string re = PhraseToRegex("cease fire");
  EXPECT_TRUE(Matches(re, "a cease   fire now"));
  EXPECT_FALSE(Matches(re, "a ceasefires"));
  EXPECT_TRUE(Matches(PhraseToRegex("Côte d'Ivoire"), "in Côte d’Ivoire today"));
  EXPECT_TRUE(Matches(PhraseToRegex("U.S."), "the U.S. said"));
  EXPECT_FALSE(Matches(PhraseToRegex("U.S."), "the UXSX said"));
}

TEST(LexiconTable, ExpandsReferencesCaseInsensitively) {
  LoadedRuleSet loaded = WithLexicons(R"(
    lexicon { name: "truce" term: "ceasefire" term: "truce" }
    lexicon { name: "call" term: "call for" term: "urge" }
  )");
  std::vector<Diagnostic> diagnostics;
  LexiconTable table = LexiconTable::Build(loaded, &diagnostics);
  EXPECT_TRUE(diagnostics.empty());
  std::set<std::string> used;
  auto re = table.Expand("{call} (?:an? )?{truce}", &used);
  ASSERT_TRUE(re.ok()) << re.status();
  EXPECT_TRUE(Matches(*re, "They CALL FOR a TRUCE."));
  EXPECT_FALSE(Matches(*re, "They call for a truces."));
  EXPECT_EQ(used, (std::set<std::string>{"call", "truce"}));
  // Numeric repetitions are not references.
  EXPECT_TRUE(table.Expand("a{2,3}").ok());
  EXPECT_EQ(table.Expand("{nope}").status().code(), absl::StatusCode::kNotFound);
}

TEST(LexiconTable, ExtendsAndNestedReferences) {
  LoadedRuleSet loaded = WithLexicons(R"(
    lexicon { name: "base" term: "support" }
    lexicon { name: "more" extends: "base" term: "back" }
    lexicon { name: "phrase" term: "firmly {more}" }
  )");
  std::vector<Diagnostic> diagnostics;
  LexiconTable table = LexiconTable::Build(loaded, &diagnostics);
  EXPECT_TRUE(diagnostics.empty());
  auto re = table.Expand("{phrase}");
  ASSERT_TRUE(re.ok());
  EXPECT_TRUE(Matches(*re, "we firmly back them"));
  EXPECT_TRUE(Matches(*re, "we firmly support them"));
  EXPECT_EQ(table.Terms("more"), (std::vector<std::string>{"support", "back"}));
}

TEST(LexiconTable, ReportsCyclesUnknownsAndDuplicates) {
  LoadedRuleSet loaded = WithLexicons(R"(
    lexicon { name: "a" extends: "b" term: "x" }
    lexicon { name: "b" extends: "a" term: "y" }
    lexicon { name: "self" term: "{self} again" }
    lexicon { name: "c" extends: "missing" term: "z" }
    lexicon { name: "c" term: "dup" }
    lexicon { name: "bad" regex: true term: "(unclosed" }
  )");
  std::vector<Diagnostic> diagnostics;
  LexiconTable table = LexiconTable::Build(loaded, &diagnostics);
  std::string all;
  for (const auto& d : diagnostics) all += d.ToString() + "\n";
  EXPECT_NE(all.find("refers to itself"), std::string::npos) << all;
  EXPECT_NE(all.find("unknown lexicon {missing}"), std::string::npos) << all;
  EXPECT_NE(all.find("duplicate lexicon name"), std::string::npos) << all;
  EXPECT_NE(all.find("invalid regex term"), std::string::npos) << all;
  EXPECT_FALSE(table.Contains("self"));
  // Diagnostics point at the lexicon's line.
  for (const auto& d : diagnostics) EXPECT_GT(d.location.line, 0) << d.ToString();
}

}  // namespace
}  // namespace entente
