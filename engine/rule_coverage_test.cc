#include "engine/rule_coverage.h"

#include "engine/classifier.h"
#include "engine/result_diff.h"
#include "gtest/gtest.h"

namespace entente {
namespace {

std::shared_ptr<const CompiledRuleSet> Compile(const std::string& text) {
  std::vector<Diagnostic> diagnostics;
  auto loaded = LoadRuleSetFromText(text, "t.textproto", &diagnostics);
  EXPECT_TRUE(loaded.ok());
  auto compiled = CompiledRuleSet::Compile(*loaded, {}, &diagnostics);
  EXPECT_TRUE(compiled.ok()) << compiled.status();
  return *compiled;
}

constexpr char kBase[] = R"pb(
  name: "t"
  version: "1"
  lexicon { name: "truce" term: "truce" term: "ceasefire" term: "armistice" }
  rule { id: "call" stance: "ceasefire" polarity: SUPPORT tokens: "call for ~2 {truce}" }
  rule { id: "never" stance: "ceasefire" polarity: OPPOSE tokens: "{truce} is a trap" }
)pb";

TEST(RuleCoverage, CountsFiringsSamplesDeadRulesAndUnusedTerms) {
  auto rules = Compile(kBase);
  RuleCoverage coverage(*rules, 1);
  for (const char* text : {"We call for a truce.", "They call for a ceasefire. Yes.", "No."}) {
    coverage.Add("d", text, Classify(*rules, text, {}));
  }
  EXPECT_EQ(coverage.documents(), 3);
  EXPECT_EQ(coverage.rules()[0].fired, 2);
  EXPECT_EQ(coverage.rules()[0].samples.size(), 1u);
  EXPECT_EQ(coverage.rules()[1].fired, 0);
  int unused = 0;
  for (const auto& t : coverage.terms()) unused += t.documents == 0 ? 1 : 0;
  EXPECT_EQ(unused, 1);  // "armistice"
  std::string report = coverage.Format();
  EXPECT_NE(report.find("rules that never fired:\n    never"), std::string::npos) << report;
  EXPECT_NE(report.find("{truce} \"armistice\""), std::string::npos) << report;
  EXPECT_NE(coverage.FormatJson().find("\"fired\":2"), std::string::npos);
}

TEST(ResultDiff, ReportsAppearedDisappearedAndPolarityChanges) {
  auto before = Compile(kBase);
  auto after = Compile(R"pb(
    name: "t"
    version: "2"
    lexicon { name: "truce" term: "truce" term: "ceasefire" }
    rule { id: "call" stance: "ceasefire" polarity: OPPOSE tokens: "call for ~2 {truce}" }
    rule { id: "mutual" stance: "core" polarity: SUPPORT tokens: "support each other" }
  )pb");
  ResultDiff diff;
  for (const char* text : {"We call for a truce.", "We support each other.", "Nothing."}) {
    diff.Add("d", Classify(*before, text, {}), Classify(*after, text, {}));
  }
  EXPECT_EQ(diff.documents(), 3);
  EXPECT_EQ(diff.unchanged(), 1);
  EXPECT_EQ(diff.Count(ResultDiff::Kind::kPolarityChanged, "ceasefire"), 1);
  EXPECT_EQ(diff.Count(ResultDiff::Kind::kAppeared, "core"), 1);
  EXPECT_EQ(diff.Count(ResultDiff::Kind::kDisappeared), 0);
  std::string report = diff.Format(5);
  EXPECT_NE(report.find("SUPPORT [] -> OPPOSE []"), std::string::npos) << report;
}

}  // namespace
}  // namespace entente
