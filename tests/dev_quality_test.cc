// The quality gate: the bundled default rules against both labelled files
// of ../shared/data: dev.jsonl (110 UN General Debate sentences, the file the
// first rules were written from) and dev2.jsonl (300 sentences from three
// genres: UN speeches, White House statements and readouts, news
// headlines). It prints P/R/F1 per stance and per source genre, and fails
// below the bars below.
//
// The bars are set a little under what the rules reach, so that a change
// that makes them worse fails here; raise them when the rules improve, and
// say so in the commit. dev2.jsonl was labelled independently of the rules,
// but every look at it makes it less held-out: the judgement of the
// project is on data nobody here has. Rule weights (rules/common/
// weights.textproto) do not move these numbers: the gate counts every
// annotation (min_score 0), and weights only change scores.
//
// Raised on 2026-12-04, after the rule sets were rewritten in the token
// language, from (micro F1 / holders exact):
//   dev.jsonl 0.912 / 0.82, dev2.jsonl 0.903 / 0.68; both: ceasefire 0.948,
//   core_interests 0.902, multilateral 0.850; ungdc 0.898, wh-briefings
//   0.884, gaza-news 0.954. (First bars, same day: dev 0.874, dev2 0.648.)

#include <iostream>
#include <map>
#include <string>

#include "engine/evaluation.h"
#include "engine/rule_set_directory.h"
#include "gtest/gtest.h"
#include "tests/test_paths.h"

namespace entente {
namespace {

struct Bar {
  double micro_f1;
  double holders_exact;
};

const std::map<std::string, Bar>& FileBars() {
  static const auto* bars = new std::map<std::string, Bar>{
      {"data/dev.jsonl", {0.89, 0.78}},
      {"data/dev2.jsonl", {0.88, 0.65}},
  };
  return *bars;
}

// Over both files together.
const std::map<std::string, double>& StanceF1Bars() {
  static const auto* bars = new std::map<std::string, double>{
      {"ceasefire", 0.92}, {"core_interests", 0.87}, {"multilateral", 0.82}};
  return *bars;
}
const std::map<std::string, double>& SourceF1Bars() {
  static const auto* bars = new std::map<std::string, double>{
      {"ungdc", 0.87}, {"wh-briefings", 0.85}, {"gaza-news", 0.92}};
  return *bars;
}

double HolderShare(int exact, int total) { return total > 0 ? double(exact) / total : 0; }

class DevQuality : public ::testing::Test {
 protected:
  // One compile for all the tests.
  static void SetUpTestSuite() {
    std::vector<Diagnostic> diagnostics;
    auto rules = LoadRuleSetFromPath(testing::RunfilesPath("rules"), "default", &diagnostics);
    ASSERT_TRUE(rules.ok()) << rules.status();
    shared_rules_ = new std::shared_ptr<const CompiledRuleSet>(*rules);
  }

  void SetUp() override {
    ASSERT_NE(shared_rules_, nullptr) << "the rules did not compile";
    rules_ = *shared_rules_;
  }

  static std::shared_ptr<const CompiledRuleSet>* shared_rules_;

  std::vector<entente::v1::LabelledSentence> Read(const std::string& name) {
    const std::string path = testing::SharedPath(name);
    EXPECT_FALSE(path.empty()) << "cannot find ../shared/" << name << "; set ENTENTE_SHARED";
    auto gold = ReadGoldFile(path);
    EXPECT_TRUE(gold.ok()) << gold.status();
    return gold.ok() ? *gold : std::vector<entente::v1::LabelledSentence>{};
  }

  std::shared_ptr<const CompiledRuleSet> rules_;
};

std::shared_ptr<const CompiledRuleSet>* DevQuality::shared_rules_ = nullptr;

TEST_F(DevQuality, EachFileMeetsItsBar) {
  for (const auto& [name, bar] : FileBars()) {
    auto gold = Read(name);
    ASSERT_GE(gold.size(), 100u) << name;
    entente::v1::EvaluationReport report = Evaluate(*rules_, gold, 0.0);
    std::cout << "=== " << name << "\n" << FormatReport(report, 0);
    EXPECT_GE(report.micro().f1(), bar.micro_f1) << name;
    EXPECT_GE(HolderShare(report.holders_exact(), report.holders_total()), bar.holders_exact)
        << name;
  }
}

TEST_F(DevQuality, EveryStanceAndSourceMeetsItsBarOnBothFiles) {
  std::vector<entente::v1::LabelledSentence> gold;
  for (const auto& [name, bar] : FileBars()) {
    auto part = Read(name);
    gold.insert(gold.end(), part.begin(), part.end());
  }
  ASSERT_GE(gold.size(), 400u);
  entente::v1::EvaluationReport report = Evaluate(*rules_, gold, 0.0);
  std::cout << "=== both files\n" << FormatReport(report, 0);
  for (const auto& [stance, bar] : StanceF1Bars()) {
    ASSERT_TRUE(report.by_stance().count(stance)) << stance;
    EXPECT_GE(report.by_stance().at(stance).f1(), bar) << stance;
  }
  for (const auto& [source, bar] : SourceF1Bars()) {
    ASSERT_TRUE(report.by_source().count(source)) << source;
    EXPECT_GE(report.by_source().at(source).micro().f1(), bar) << source;
  }
}

}  // namespace
}  // namespace entente
