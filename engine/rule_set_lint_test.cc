#include "engine/rule_set_lint.h"

#include "gtest/gtest.h"

namespace entente {
namespace {

TEST(RuleSetLint, WarnsAboutWhatAnalystsShouldFix) {
  std::vector<Diagnostic> diagnostics;
  auto loaded = LoadRuleSetFromText(
      R"pb(
        name: "t"
        actor { id: "FRA" name: "France" }
        lexicon { name: "unused" term: "x" }
        lexicon { name: "truce" term: "truce" term: "Truce" }
        rule { id: "no_examples" stance: "s" polarity: SUPPORT tokens: "{truce}" }
        rule {
          id: "bad_actor"
          stance: "s"
          polarity: SUPPORT
          tokens: "call for {truce}"
          example { text: "France calls for a truce." holders: "FRANCE" speaker: "FRA" }
        }
        rule {
          id: "slow"
          stance: "s"
          polarity: SUPPORT
          pattern: "\\bno\\s+\\w"
          example { text: "no way" }
        }
      )pb",
      "t.textproto", &diagnostics);
  ASSERT_TRUE(loaded.ok());
  auto compiled = CompiledRuleSet::Compile(*loaded, {}, &diagnostics);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  std::string all;
  for (const auto& d : LintRuleSet(**compiled)) {
    EXPECT_EQ(d.severity, Diagnostic::Severity::kWarning);
    all += d.ToString() + "\n";
  }
  EXPECT_NE(all.find("[unused] lexicon is never used"), std::string::npos) << all;
  EXPECT_NE(all.find("[truce] term \"Truce\" is listed twice"), std::string::npos) << all;
  EXPECT_NE(all.find("[no_examples] rule has no example"), std::string::npos) << all;
  EXPECT_NE(all.find("[bad_actor] example holder \"FRANCE\" is not a known actor id"),
            std::string::npos)
      << all;
  EXPECT_EQ(all.find("speaker \"FRA\""), std::string::npos) << all;
  EXPECT_NE(all.find("[slow] the prefilter finds no required word"), std::string::npos) << all;
  EXPECT_NE(all.find("t.textproto:"), std::string::npos) << all;
}

}  // namespace
}  // namespace entente
