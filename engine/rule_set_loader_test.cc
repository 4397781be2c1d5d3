#include "engine/rule_set_loader.h"

#include <filesystem>
#include <fstream>

#include "engine/compiled_rule_set.h"
#include "gtest/gtest.h"
#include "tests/test_paths.h"

namespace entente {
namespace {

void Write(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
}

std::string Joined(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) out += d.ToString() + "\n";
  return out;
}

TEST(RuleSetLoader, SyntaxErrorsCarryFileLineAndColumn) {
  std::string dir = testing::MakeTempDir("loader_syntax");
  Write(dir + "/broken.textproto", "name: \"x\"\nrule {\n  id: \"r\"\n  polarity: MAYBE\n}\n");
  std::vector<Diagnostic> diagnostics;
  auto loaded = LoadRuleSet(dir + "/broken.textproto", {}, &diagnostics);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_FALSE(diagnostics.empty());
  EXPECT_EQ(diagnostics[0].location.file, dir + "/broken.textproto");
  EXPECT_EQ(diagnostics[0].location.line, 4);
  EXPECT_EQ(diagnostics[0].location.column, 13);  // at MAYBE
  EXPECT_NE(diagnostics[0].ToString().find(":4:"), std::string::npos) << Joined(diagnostics);
}

TEST(RuleSetLoader, TruncatedFileIsADiagnosticNotACrash) {
  std::vector<Diagnostic> diagnostics;
  auto loaded =
      LoadRuleSetFromText("name: \"x\" rule { id: \"a\" pattern: \"ab", "t", &diagnostics);
  EXPECT_FALSE(loaded.ok());
  EXPECT_FALSE(diagnostics.empty());
}

TEST(RuleSetLoader, MergesIncludesAndRemembersWhereThingsCameFrom) {
  std::string dir = testing::MakeTempDir("loader_include");
  Write(dir + "/main.textproto",
        "name: \"main\"\nversion: \"1\"\ninclude: \"parts/lex.textproto\"\n");
  Write(dir + "/parts/lex.textproto", "\n\nlexicon { name: \"l\" term: \"x\" }\n");
  std::vector<Diagnostic> diagnostics;
  auto loaded = LoadRuleSet(dir + "/main.textproto", {}, &diagnostics);
  ASSERT_TRUE(loaded.ok()) << Joined(diagnostics);
  EXPECT_EQ(loaded->rule_set.name(), "main");
  ASSERT_EQ(loaded->rule_set.lexicon_size(), 1);
  ASSERT_EQ(loaded->lexicon_locations.size(), 1u);
  EXPECT_EQ(loaded->lexicon_locations[0].line, 3);
  EXPECT_NE(loaded->lexicon_locations[0].file.find("parts/lex.textproto"), std::string::npos);
  EXPECT_EQ(loaded->files.size(), 2u);
}

TEST(RuleSetLoader, IncludesCannotLeaveTheRulesDirectory) {
  std::string dir = testing::MakeTempDir("loader_escape");
  Write(dir + "/rules/main.textproto", "name: \"main\"\ninclude: \"../secret.textproto\"\n");
  Write(dir + "/secret.textproto", "lexicon { name: \"l\" term: \"x\" }\n");
  std::vector<Diagnostic> diagnostics;
  auto loaded = LoadRuleSet(dir + "/rules/main.textproto", {}, &diagnostics);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(Joined(diagnostics).find("outside the rules directory"), std::string::npos);

  Write(dir + "/rules/abs.textproto", "name: \"abs\"\ninclude: \"/etc/passwd\"\n");
  diagnostics.clear();
  EXPECT_EQ(LoadRuleSet(dir + "/rules/abs.textproto", {}, &diagnostics).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(RuleSetLoader, IncludeCyclesAndMissingFilesAreReported) {
  std::string dir = testing::MakeTempDir("loader_cycle");
  Write(dir + "/a.textproto", "name: \"a\"\ninclude: \"b.textproto\"\n");
  Write(dir + "/b.textproto", "include: \"a.textproto\"\n");
  std::vector<Diagnostic> diagnostics;
  EXPECT_FALSE(LoadRuleSet(dir + "/a.textproto", {}, &diagnostics).ok());
  EXPECT_NE(Joined(diagnostics).find("more than once"), std::string::npos);

  Write(dir + "/c.textproto", "name: \"c\"\ninclude: \"nowhere.textproto\"\n");
  diagnostics.clear();
  EXPECT_EQ(LoadRuleSet(dir + "/c.textproto", {}, &diagnostics).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(diagnostics.back().location.line, 2);
}

TEST(RuleSetLoader, TextRuleSetsCannotInclude) {
  std::vector<Diagnostic> diagnostics;
  EXPECT_FALSE(
      LoadRuleSetFromText("name: \"x\" include: \"y.textproto\"", "req", &diagnostics).ok());
}

TEST(Compiler, ReportsSemanticErrorsWithRuleIdsAndPositions) {
  std::vector<Diagnostic> diagnostics;
  auto loaded = LoadRuleSetFromText(R"(name: "x"
stance { id: "s" }
rule { id: "unknown_lexicon" stance: "s" polarity: SUPPORT
  pattern: "{nope}" }
rule { id: "bad_re2" stance: "s" polarity: SUPPORT pattern: "(unclosed" }
rule { id: "empty" stance: "s" polarity: SUPPORT pattern: "a*" }
rule { id: "weight" stance: "s" polarity: SUPPORT weight: 1.5 pattern: "x" }
rule { id: "no_stance" stance: "other" polarity: SUPPORT pattern: "y" }
rule { id: "dup" stance: "s" polarity: SUPPORT pattern: "z" }
rule { id: "dup" stance: "s" polarity: SUPPORT pattern: "w" }
rule { id: "none" stance: "s" polarity: SUPPORT }
rule { id: "nopolarity" stance: "s" pattern: "v" }
rule { id: "typo" stance: "s" polarity: SUPPORT tokens: "call for {ceasefire_trem}" }
)",
                                    "bad.textproto", &diagnostics);
  ASSERT_TRUE(loaded.ok());
  auto compiled = CompiledRuleSet::Compile(*loaded, {}, &diagnostics);
  EXPECT_EQ(compiled.status().code(), absl::StatusCode::kInvalidArgument);
  std::string all = Joined(diagnostics);
  // Errors inside a pattern or token sequence point at their column in the
  // string: the reference, the unclosed parenthesis.
  EXPECT_NE(all.find("bad.textproto:4:13: error: [unknown_lexicon] unknown lexicon {nope}"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("bad.textproto:5:62: error: [bad_re2] invalid RE2 pattern: missing )"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("[empty] reading can match the empty string"), std::string::npos) << all;
  EXPECT_NE(all.find("[weight] weight 1.5 is outside (0, 1]"), std::string::npos) << all;
  EXPECT_NE(all.find("[no_stance] unknown stance \"other\""), std::string::npos) << all;
  EXPECT_NE(all.find("[dup] duplicate rule id"), std::string::npos) << all;
  EXPECT_NE(all.find("[none] rule has no reading"), std::string::npos) << all;
  EXPECT_NE(all.find("bad.textproto:13:67: error: [typo] unknown lexicon {ceasefire_trem}"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("[nopolarity] rule needs a polarity"), std::string::npos);
}

TEST(Compiler, SmallPrefilterBudgetFallsBackWithoutDroppingRules) {
  std::string text = "name: \"x\"\n";
  for (int i = 0; i < 200; ++i) {
    text += "rule { id: \"r" + std::to_string(i) +
            "\" stance: \"s\" polarity: SUPPORT pattern: \"" + "w" + std::to_string(i) +
            "[a-z]{1,40}x\" }\n";
  }
  std::vector<Diagnostic> diagnostics;
  auto loaded = LoadRuleSetFromText(text, "many.textproto", &diagnostics);
  ASSERT_TRUE(loaded.ok());
  CompileOptions options;
  options.prefilter_max_mem = 1 << 10;  // far too small for 200 patterns
  auto compiled = CompiledRuleSet::Compile(*loaded, options, &diagnostics);
  ASSERT_TRUE(compiled.ok()) << Joined(diagnostics);
  EXPECT_EQ((*compiled)->rules().size(), 200u);
  std::vector<int> candidates;
  (*compiled)->SelectCandidates("w123abcx", &candidates);
  EXPECT_NE(std::find(candidates.begin(), candidates.end(), (*compiled)->FindRule("r123")),
            candidates.end());
}

}  // namespace
}  // namespace entente
