// Hostile rule files: truncated text protos, wrong types, ten thousand
// rules, a lexicon of a hundred thousand terms, patterns over the RE2 memory
// budgets, patterns that match the empty string, lexicons that refer to
// themselves or double at every level. Each gets a diagnostic with a
// position (or compiles, when it is merely big), never a crash; and compile
// work is bounded: what could expand without limit is measured first and
// refused (no timed assertions here: the refusals happen before anything is
// expanded, which the tests check by size).

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/classifier.h"
#include "engine/compiled_rule_set.h"
#include "engine/lexicon.h"
#include "engine/pattern_size.h"
#include "engine/rule_set_loader.h"
#include "gtest/gtest.h"

namespace entente {
namespace {

constexpr char kHeader[] = "name: \"h\" version: \"1\" stance { id: \"s\" }\n";

std::string Joined(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) out += d.ToString() + "\n";
  return out;
}

bool HasError(const std::vector<Diagnostic>& diagnostics, absl::string_view text) {
  for (const auto& d : diagnostics) {
    if (d.severity == Diagnostic::Severity::kError &&
        d.ToString().find(std::string(text)) != std::string::npos) {
      return true;
    }
  }
  return false;
}

struct Outcome {
  absl::Status status;
  std::shared_ptr<const CompiledRuleSet> rules;
  std::vector<Diagnostic> diagnostics;
};

Outcome LoadAndCompile(const std::string& text, const CompileOptions& options = {}) {
  Outcome out;
  absl::StatusOr<LoadedRuleSet> loaded = LoadRuleSetFromText(text, "hostile", &out.diagnostics);
  if (!loaded.ok()) {
    out.status = loaded.status();
    return out;
  }
  auto compiled = CompiledRuleSet::Compile(*loaded, options, &out.diagnostics);
  out.status = compiled.status();
  if (compiled.ok()) out.rules = *compiled;
  return out;
}

std::string Rule(const std::string& id, const std::string& pattern) {
  return absl::StrCat("rule { id: \"", id, "\" stance: \"s\" polarity: SUPPORT pattern: \"",
                      pattern, "\" }\n");
}

TEST(HostileRules, TruncatedTextProtosAreDiagnosedAtTheirEnd) {
  const std::string full = absl::StrCat(kHeader, Rule("r", "call for peace"));
  // Every prefix of a valid rule set: a diagnostic or a rule set, no crash.
  for (size_t n = 0; n < full.size(); ++n) {
    Outcome o = LoadAndCompile(full.substr(0, n));
    if (!o.status.ok()) {
      EXPECT_FALSE(o.diagnostics.empty()) << "prefix " << n << ": " << o.status;
    }
  }
  Outcome o = LoadAndCompile("name: \"x\"\nrule { id: \"a\" pattern: \"ab");
  EXPECT_EQ(o.status.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_FALSE(o.diagnostics.empty());
  EXPECT_EQ(o.diagnostics[0].location.line, 2);
}

TEST(HostileRules, WrongTypesAreDiagnosedWithPositions) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"name: 5\n", "Expected string"},
      {"stance { id: \"s\" }\nrule { id: \"r\" weight: \"high\" }\n", "Expected double"},
      {"rule { id: \"r\" polarity: MAYBE }\n", "Unknown enumeration value"},
      {"stance { id: \"s\" }\nrule { id: \"r\" stance: \"s\" polarity: 7 pattern: \"x\" }\n",
       "rule needs a polarity (SUPPORT or OPPOSE)"},
      {"context { id: \"c\" kind: 42 effect: FLIP term: \"not\" }\n",
       "context trigger needs a kind"},
      {"context { id: \"c\" kind: NEGATION effect: 9 term: \"not\" }\n",
       "context trigger needs an effect"},
      {"context { id: \"c\" kind: NEGATION effect: FLIP direction: 5 term: \"not\" }\n",
       "unknown direction 5"},
      {"rule { id: [\"r\"] }\n", "Expected string"},
      {"lexicon: \"x\"\n", "Expected \"{\""},
      {"rule { id: \"r\" unknown_field: 1 }\n", "unknown_field"},
      {"rule { id: \"r\" mutual: maybe }\n", "Invalid value for boolean field"},
      {"include: \"/etc/passwd\"\n", "include"},
  };
  for (const auto& [text, expected] : cases) {
    Outcome o = LoadAndCompile(text);
    EXPECT_FALSE(o.status.ok()) << text;
    ASSERT_FALSE(o.diagnostics.empty()) << text;
    EXPECT_TRUE(HasError(o.diagnostics, expected)) << text << Joined(o.diagnostics);
    EXPECT_GT(o.diagnostics[0].location.line, 0) << text;
  }
}

TEST(HostileRules, TenThousandRulesCompileWithAPrefilter) {
  std::string text = kHeader;
  for (int i = 0; i < 10000; ++i) {
    absl::StrAppend(&text, Rule(absl::StrCat("r", i), absl::StrCat("w", i, "x calls? for peace")));
  }
  Outcome o = LoadAndCompile(text);
  ASSERT_TRUE(o.status.ok()) << o.status << Joined(o.diagnostics);
  EXPECT_EQ(o.rules->rules().size(), 10000u);
  EXPECT_TRUE(o.rules->has_prefilter());
  // The prefilter still narrows ten thousand rules to the one that can match.
  std::vector<int> candidates;
  EXPECT_TRUE(o.rules->SelectCandidates("w1234x calls for peace", &candidates));
  EXPECT_EQ(candidates, std::vector<int>{1234});
  v1::ClassifyResult result = Classify(*o.rules, "Then w9999x calls for peace.", {});
  ASSERT_EQ(result.annotations_size(), 1);
  EXPECT_EQ(result.annotations(0).evidence(0).rule_id(), "r9999");
}

TEST(HostileRules, AHundredThousandTermLexiconIsOverTheRuleMemoryBudget) {
  std::string text = absl::StrCat(kHeader, "lexicon { name: \"big\"");
  for (int i = 0; i < 100000; ++i) absl::StrAppend(&text, " term: \"term", i, " word\"");
  absl::StrAppend(&text, " }\n", Rule("r", "{big} agreed"));
  Outcome o = LoadAndCompile(text);
  EXPECT_EQ(o.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(HasError(o.diagnostics, "hostile:3:")) << Joined(o.diagnostics);
  EXPECT_TRUE(HasError(o.diagnostics, "pattern too large")) << Joined(o.diagnostics);

  // (A lexicon of 20,000 terms compiles: see ManyRulesNamingABigLexicon.)
}

TEST(HostileRules, PatternsOverTheMemoryBudgetsAreDiagnosed) {
  CompileOptions tight;
  tight.rule_max_mem = 64 << 10;
  Outcome o =
      LoadAndCompile(absl::StrCat(kHeader, Rule("wide", "(?:\\\\w+\\\\s+){500}peace")), tight);
  EXPECT_EQ(o.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(HasError(o.diagnostics, "[wide] invalid RE2 pattern: pattern too large"))
      << Joined(o.diagnostics);
  // RE2's own limit on repetitions.
  o = LoadAndCompile(absl::StrCat(kHeader, Rule("rep", "((a{100}){100}){100}")));
  EXPECT_TRUE(HasError(o.diagnostics, "[rep] invalid RE2 pattern")) << Joined(o.diagnostics);
}

TEST(HostileRules, APrefilterOverItsBudgetFallsBackToEveryRuleWithTheSameResults) {
  std::string text = kHeader;
  for (int i = 0; i < 300; ++i) {
    absl::StrAppend(&text, Rule(absl::StrCat("r", i), absl::StrCat("peace", i, " (?:now|today)")));
  }
  CompileOptions tiny;
  tiny.prefilter_max_mem = 1 << 10;
  Outcome small = LoadAndCompile(text, tiny);
  ASSERT_TRUE(small.status.ok()) << Joined(small.diagnostics);
  EXPECT_FALSE(small.rules->has_prefilter());
  bool warned = false;
  for (const auto& d : small.diagnostics) {
    warned = warned || d.message.find("does not fit") != std::string::npos;
  }
  EXPECT_TRUE(warned) << Joined(small.diagnostics);
  Outcome normal = LoadAndCompile(text);
  ASSERT_TRUE(normal.rules->has_prefilter());
  const std::string input = "They want peace17 now. And peace299 today, not peace300 now.";
  v1::ClassifyResult a = Classify(*small.rules, input, {});
  v1::ClassifyResult b = Classify(*normal.rules, input, {});
  EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString());
  EXPECT_EQ(a.annotations_size(), 2);
}

TEST(HostileRules, EmptyMatchingPatternsAreErrors) {
  for (const char* pattern :
       {"", "(?:peace)?", "a*", "\\\\b", "^", "(?:)", "x{0}", "\\\\bpeace|\\\\B", "$"}) {
    Outcome o = LoadAndCompile(absl::StrCat(kHeader, Rule("e", pattern)));
    EXPECT_EQ(o.status.code(), absl::StatusCode::kInvalidArgument) << pattern;
    EXPECT_FALSE(o.diagnostics.empty()) << pattern;
  }
  Outcome o = LoadAndCompile(absl::StrCat(kHeader, Rule("e", "(?:peace)?")));
  EXPECT_TRUE(HasError(o.diagnostics, "can match the empty string")) << Joined(o.diagnostics);
  // A lexicon of an empty term, and a token pattern of optional elements only.
  o = LoadAndCompile(
      absl::StrCat(kHeader, "lexicon { name: \"x\" term: \"\" }\n", Rule("e", "{x}")));
  EXPECT_TRUE(HasError(o.diagnostics, "empty term")) << Joined(o.diagnostics);
  o = LoadAndCompile(absl::StrCat(
      kHeader, "rule { id: \"t\" stance: \"s\" polarity: SUPPORT tokens: \"a? b?\" }\n"));
  EXPECT_TRUE(HasError(o.diagnostics, "not optional")) << Joined(o.diagnostics);
}

TEST(HostileRules, LexiconsThatReferToThemselvesAreErrors) {
  Outcome o = LoadAndCompile(
      absl::StrCat(kHeader, "lexicon { name: \"x\" term: \"{x} again\" }\n", Rule("r", "{x}")));
  EXPECT_TRUE(HasError(o.diagnostics, "hostile:2:1: error: [x] lexicon \"x\" refers to itself"))
      << Joined(o.diagnostics);
  o = LoadAndCompile(absl::StrCat(kHeader, "lexicon { name: \"x\" extends: \"y\" term: \"a\" }\n",
                                  "lexicon { name: \"y\" term: \"b {z}\" }\n",
                                  "lexicon { name: \"z\" extends: \"x\" term: \"c\" }\n",
                                  Rule("r", "{y}")));
  EXPECT_EQ(o.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(HasError(o.diagnostics, "refers to itself")) << Joined(o.diagnostics);
}

// "a1" is "{a0} {a0}", "a2" is "{a1} {a1}" ...: `levels` lines that stand
// for 2^levels copies of "peace".
std::string Doubling(int levels) {
  std::string text = absl::StrCat(kHeader, "lexicon { name: \"a0\" term: \"peace\" }\n");
  for (int i = 1; i <= levels; ++i) {
    absl::StrAppend(&text, "lexicon { name: \"a", i, "\" term: \"{a", i - 1, "} {a", i - 1,
                    "}\" }\n");
  }
  return absl::StrCat(text, Rule("r", absl::StrCat("{a", levels, "} now")));
}

TEST(HostileRules, LexiconsThatDoubleAtEveryLevelAreRefusedBeforeExpanding) {
  // Sixty levels would be an exabyte of pattern: measured, not built.
  absl::StatusOr<LoadedRuleSet> loaded;
  std::vector<Diagnostic> diagnostics;
  loaded = LoadRuleSetFromText(Doubling(60), "hostile", &diagnostics);
  ASSERT_TRUE(loaded.ok());
  PatternSizeEstimate size = EstimatePatternBytes(*loaded);
  EXPECT_EQ(size.total_bytes, kSaturatedPatternBytes);
  EXPECT_EQ(size.largest_subject.rfind("lexicon \"a", 0), 0u) << size.largest_subject;

  Outcome o = LoadAndCompile(Doubling(60));
  EXPECT_EQ(o.status.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(o.diagnostics.size(), 1u) << Joined(o.diagnostics);
  EXPECT_TRUE(HasError(o.diagnostics, "hostile:" + std::to_string(o.diagnostics[0].location.line)));
  EXPECT_TRUE(HasError(o.diagnostics,
                       "expands to more than 4 EiB of RE2 patterns, over the "
                       "budget of 16.0 MiB; its largest part is lexicon \"a"))
      << Joined(o.diagnostics);
  // It points at one of the last, doubling, lexicons.
  EXPECT_GT(o.diagnostics[0].location.line, 50);
  EXPECT_LE(o.diagnostics[0].location.line, 62);

  // A few levels are fine, and the estimate bounds what is really built.
  o = LoadAndCompile(Doubling(8));
  ASSERT_TRUE(o.status.ok()) << Joined(o.diagnostics);
  loaded = LoadRuleSetFromText(Doubling(8), "hostile", &diagnostics);
  ASSERT_TRUE(loaded.ok());
  int64_t built = 0;
  for (const auto& lexicon : loaded->rule_set.lexicon()) {
    built += static_cast<int64_t>(o.rules->lexicons().RegexFor(lexicon.name())->size());
  }
  for (const auto& rule : o.rules->rules()) {
    for (const auto& reading : rule.readings)
      built += static_cast<int64_t>(reading.expanded.size());
  }
  EXPECT_LE(built, EstimatePatternBytes(*loaded).total_bytes);
}

TEST(HostileRules, ManyRulesNamingABigLexiconAreRefusedBeforeCompiling) {
  // Each rule compiles its own copy of a 20,000-term lexicon (about 0.5 MB
  // of pattern, twice): a hundred rules were minutes of compiling and
  // gigabytes. Now the budget refuses them before any RE2 is built.
  std::string text = absl::StrCat(kHeader, "lexicon { name: \"big\"");
  for (int i = 0; i < 20000; ++i) absl::StrAppend(&text, " term: \"term", i, " word\"");
  absl::StrAppend(&text, " }\n");
  for (int i = 0; i < 100; ++i) {
    absl::StrAppend(&text, Rule(absl::StrCat("r", i), absl::StrCat("{big} agreed", i)));
  }
  Outcome o = LoadAndCompile(text);
  EXPECT_EQ(o.status.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(o.diagnostics.size(), 1u) << Joined(o.diagnostics);
  EXPECT_TRUE(HasError(o.diagnostics, "over the budget")) << Joined(o.diagnostics);
  // One such rule is within the budget.
  std::string one = text.substr(0, text.find("rule {")) + Rule("r", "{big} agreed");
  o = LoadAndCompile(one);
  EXPECT_TRUE(o.status.ok()) << Joined(o.diagnostics);
}

TEST(HostileRules, LongLexiconChainsDoNotOverflowTheStack) {
  // Each lexicon extends the next one: a hundred thousand levels of
  // reference. Measuring is iterative; building refuses nesting deeper than
  // 100 levels instead of recursing that deep.
  std::string text = kHeader;
  const int kLevels = 100000;
  for (int i = 0; i < kLevels; ++i) {
    absl::StrAppend(&text, "lexicon { name: \"c", i, "\" term: \"w", i, "\"");
    if (i + 1 < kLevels) absl::StrAppend(&text, " extends: \"c", i + 1, "\"");
    absl::StrAppend(&text, " }\n");
  }
  absl::StrAppend(&text, Rule("r", "{c0} now"));
  Outcome o = LoadAndCompile(text);
  EXPECT_EQ(o.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(HasError(o.diagnostics, "over the budget")) << Joined(o.diagnostics).substr(0, 500);

  // The builder itself stops at its depth limit (Compile measures first, so
  // only direct callers of LexiconTable::Build get this far).
  std::string chain = kHeader;
  for (int i = 0; i < 1000; ++i) {
    absl::StrAppend(&chain, "lexicon { name: \"c", i, "\" term: \"w", i, "\" extends: \"c", i + 1,
                    "\" }\n");
  }
  absl::StrAppend(&chain, "lexicon { name: \"c1000\" term: \"end\" }\n");
  std::vector<Diagnostic> diagnostics;
  absl::StatusOr<LoadedRuleSet> loaded = LoadRuleSetFromText(chain, "hostile", &diagnostics);
  ASSERT_TRUE(loaded.ok());
  LexiconTable table = LexiconTable::Build(*loaded, &diagnostics);
  EXPECT_TRUE(HasError(diagnostics, "more than 100 lexicon references deep"));
  EXPECT_FALSE(table.Contains("c0"));
}

TEST(HostileRules, IncludesInTextAreRefused) {
  Outcome o = LoadAndCompile(absl::StrCat(kHeader, "include: \"x.textproto\"\n"));
  EXPECT_EQ(o.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(HasError(o.diagnostics, "include is not allowed in a rule set sent as text"))
      << Joined(o.diagnostics);
}

// A fresh directory under the test's temporary directory.
std::filesystem::path TempDir(const std::string& name) {
  const char* base = std::getenv("TEST_TMPDIR");
  std::filesystem::path dir =
      std::filesystem::path(base != nullptr ? base : "/tmp") / ("hostile_rules_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

void WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

TEST(HostileRules, IncludesCannotLeaveTheRulesDirectory) {
  // Real files: a rules directory with a rule set that includes a file
  // beside the directory, which exists and is a valid fragment.
  std::filesystem::path dir = TempDir("escape");
  std::filesystem::create_directories(dir / "rules");
  WriteFile(dir / "outside.textproto", Rule("outside", "call for peace"));
  WriteFile(dir / "rules" / "top.textproto",
            absl::StrCat(kHeader, "include: \"../outside.textproto\"\n"));
  std::vector<Diagnostic> diagnostics;
  absl::StatusOr<LoadedRuleSet> loaded =
      LoadRuleSet((dir / "rules" / "top.textproto").string(), {}, &diagnostics);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kPermissionDenied);
  ASSERT_EQ(diagnostics.size(), 1u) << Joined(diagnostics);
  EXPECT_EQ(diagnostics[0].location.line, 2) << Joined(diagnostics);
  EXPECT_NE(diagnostics[0].message.find("resolves outside the rules directory"), std::string::npos)
      << Joined(diagnostics);

  // The same include from a file one level up is inside and loads.
  WriteFile(dir / "top.textproto", absl::StrCat(kHeader, "include: \"outside.textproto\"\n"));
  diagnostics.clear();
  loaded = LoadRuleSet((dir / "top.textproto").string(), {}, &diagnostics);
  ASSERT_TRUE(loaded.ok()) << Joined(diagnostics);
  EXPECT_EQ(loaded->rule_set.rule_size(), 1);
}

TEST(HostileRules, AChainOfThousandsOfIncludesIsRefusedWithoutRecursingIntoIt) {
  // Each file includes the next: without a depth limit the loader recursed
  // once per file and overflowed the stack (SIGSEGV) at about 4,000.
  std::filesystem::path dir = TempDir("chain");
  constexpr int kFiles = 4000;
  for (int i = 0; i < kFiles; ++i) {
    WriteFile(dir / absl::StrCat("f", i, ".textproto"),
              i + 1 < kFiles ? absl::StrCat("include: \"f", i + 1, ".textproto\"\n")
                             : Rule("last", "call for peace"));
  }
  WriteFile(dir / "top.textproto", absl::StrCat(kHeader, "include: \"f0.textproto\"\n"));
  std::vector<Diagnostic> diagnostics;
  absl::StatusOr<LoadedRuleSet> loaded =
      LoadRuleSet((dir / "top.textproto").string(), {}, &diagnostics);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(HasError(diagnostics, "nests more than 32 files deep")) << Joined(diagnostics);
  // The diagnostic points at the include line that went one level too far.
  ASSERT_FALSE(diagnostics.empty());
  EXPECT_EQ(diagnostics.back().location.line, 1);
  EXPECT_NE(diagnostics.back().location.file.find("f31.textproto"), std::string::npos)
      << Joined(diagnostics);
}

TEST(HostileRules, RuleFilesOverTheByteLimitsAreRefusedBeforeParsing) {
  std::filesystem::path dir = TempDir("big");
  // 50 MB of actors used to take 10 s and 1.5 GB to parse before anything
  // refused it. A file over the limit is refused by its size.
  LoadOptions options;
  options.max_file_bytes = 1 << 20;
  options.max_total_bytes = 3 << 20;
  std::string actors;
  for (int i = 0; actors.size() < (1u << 20) + 100; ++i) {
    absl::StrAppend(&actors, "actor { id: \"A", i, "\" type: STATE name: \"Land", i, "\" }\n");
  }
  WriteFile(dir / "actors.textproto", actors);
  WriteFile(dir / "top.textproto", absl::StrCat(kHeader, "include: \"actors.textproto\"\n"));
  std::vector<Diagnostic> diagnostics;
  absl::StatusOr<LoadedRuleSet> loaded =
      LoadRuleSet((dir / "top.textproto").string(), options, &diagnostics);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(HasError(diagnostics, "over the limit of 1048576")) << Joined(diagnostics);

  // Files each under the limit but together over the total.
  std::string part = actors.substr(0, actors.rfind("actor {", 900 << 10));
  std::string top = kHeader;
  for (int i = 0; i < 4; ++i) {
    std::string renamed = part;
    for (size_t at = 0; (at = renamed.find("\"A", at)) != std::string::npos; at += 3) {
      renamed.replace(at, 2, absl::StrCat("\"P", i));
    }
    WriteFile(dir / absl::StrCat("part", i, ".textproto"), renamed);
    absl::StrAppend(&top, "include: \"part", i, ".textproto\"\n");
  }
  WriteFile(dir / "top.textproto", top);
  diagnostics.clear();
  loaded = LoadRuleSet((dir / "top.textproto").string(), options, &diagnostics);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(HasError(diagnostics, "add up to more than 3145728 bytes")) << Joined(diagnostics);
  // Text sent for validation has the same total limit.
  diagnostics.clear();
  EXPECT_EQ(
      LoadRuleSetFromText(std::string((16 << 20) + 1, ' '), "big", &diagnostics).status().code(),
      absl::StatusCode::kResourceExhausted);
}

TEST(HostileRules, TheActorListCountsAgainstThePatternBudget) {
  std::string text = kHeader;
  for (int i = 0; i < 2000; ++i) {
    absl::StrAppend(&text, "actor { id: \"A", i, "\" type: STATE name: \"Republic of Land number ",
                    i, "\" }\n");
  }
  CompileOptions options;
  options.max_pattern_bytes = 64 << 10;
  Outcome o = LoadAndCompile(text, options);
  EXPECT_EQ(o.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(HasError(o.diagnostics, "the actor gazetteer (2000 names)")) << Joined(o.diagnostics);
}

TEST(HostileRules, ARoleAfterManyPlainGroupsIsFilledNotAnOutOfBoundsRead) {
  // The classifier kept 8 capture slots and indexed them with the holder's
  // group: a rule with more plain groups before it read past the array and
  // aborted (std::out_of_range) on every sentence it matched.
  std::string groups;
  for (char c = 'a'; c <= 'l'; ++c) absl::StrAppend(&groups, "(", std::string(1, c), ")?");
  Outcome o = LoadAndCompile(absl::StrCat(
      kHeader, "actor { id: \"CHN\" type: STATE name: \"China\" }\n",
      Rule("r", absl::StrCat(groups, "(?P<holder>China) calls for (?P<target>a ceasefire)"))));
  ASSERT_TRUE(o.status.ok()) << Joined(o.diagnostics);
  ASSERT_EQ(o.rules->rules()[0].readings[0].holder_group, 13);
  entente::v1::ClassifyResult result =
      Classify(*o.rules, "Today China calls for a ceasefire.", ClassifyOptions{});
  ASSERT_EQ(result.annotations_size(), 1);
  const auto& a = result.annotations(0);
  ASSERT_EQ(a.holders_size(), 1);
  EXPECT_EQ(a.holders(0).actor(), "CHN");
  ASSERT_EQ(a.evidence_size(), 1);
  EXPECT_EQ(a.evidence(0).target().text(), "a ceasefire");
}

TEST(HostileRules, FactorsThatAreNotNumbersInRangeAreErrors) {
  for (const char* factor : {"nan", "-nan", "inf", "-0.5", "1.5"}) {
    Outcome o = LoadAndCompile(absl::StrCat(
        kHeader, Rule("r", "call for peace"),
        "context { id: \"neg\" kind: NEGATION effect: DISCOUNT term: \"not\" factor: ", factor,
        " }\n"));
    EXPECT_FALSE(o.status.ok()) << factor;
    EXPECT_TRUE(HasError(o.diagnostics, "is not a number in [0, 1]")) << factor << "\n"
                                                                      << Joined(o.diagnostics);
  }
}

TEST(HostileRules, ContextTermsThatMatchEverywhereAreErrors) {
  // An empty term fired at every byte: a 3.8 MB text took 22 s, not 1.7 s.
  for (const char* field :
       {"term: \"\"", "term: \"  \"", "terminator: \"\" term: \"not\"",
        "pseudo: \"\" term: \"not\"", "pattern: \"x?\"", "pattern: \"\\\\b\""}) {
    Outcome o = LoadAndCompile(absl::StrCat(kHeader, Rule("r", "call for peace"),
                                            "context { id: \"neg\" kind: NEGATION effect: FLIP ",
                                            field, " }\n"));
    EXPECT_FALSE(o.status.ok()) << field;
    EXPECT_TRUE(HasError(o.diagnostics, "[neg]")) << field << "\n" << Joined(o.diagnostics);
  }
}

TEST(HostileRules, AnyByteEscapesAreErrorsWherePatternsAreWritten) {
  // \C let a match end inside a UTF-8 character: the server logged invalid
  // UTF-8, answered OK, and a Python client failed to decode the answer.
  const std::string rule_pattern = absl::StrCat(kHeader, Rule("r", "cease\\\\C+fire"));
  const std::string veto =
      absl::StrCat(kHeader,
                   "rule { id: \"r\" stance: \"s\" polarity: SUPPORT pattern: \"peace\" veto: "
                   "\"\\\\C\" }\n");
  const std::string lexicon = absl::StrCat(
      kHeader, "lexicon { name: \"x\" regex: true term: \"a\\\\C\" }\n", Rule("r", "{x}"));
  const std::string trigger =
      absl::StrCat(kHeader, Rule("r", "peace"),
                   "context { id: \"neg\" kind: NEGATION effect: FLIP pattern: \"no\\\\C\" }\n");
  for (const std::string& text : {rule_pattern, veto, lexicon, trigger}) {
    Outcome o = LoadAndCompile(text);
    EXPECT_FALSE(o.status.ok()) << text;
    EXPECT_TRUE(HasError(o.diagnostics, "inside a UTF-8 character")) << text << "\n"
                                                                     << Joined(o.diagnostics);
  }
}

}  // namespace
}  // namespace entente
