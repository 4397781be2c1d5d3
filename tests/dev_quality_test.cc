// The quality bar on the labelled dev set (../shared/data/dev.jsonl, UN
// General Debate sentences). The bars sit a little under what the bundled
// rules achieve (see the note on issue 2 and docs), so that a change that
// makes the rules worse fails here. Raise them when the rules improve.

#include "engine/evaluation.h"
#include "engine/rule_set_directory.h"
#include "gtest/gtest.h"
#include "tests/test_paths.h"

namespace entente {
namespace {

constexpr double kMinMicroF1 = 0.85;
constexpr double kMinStanceF1 = 0.82;
constexpr double kMinHolderExact = 0.76;

TEST(DevQuality, MeetsTheBar) {
  std::vector<Diagnostic> diagnostics;
  auto rules = LoadRuleSetFromPath(testing::RunfilesPath("rules"), "default", &diagnostics);
  ASSERT_TRUE(rules.ok()) << rules.status();
  const std::string path = testing::SharedPath("data/dev.jsonl");
  ASSERT_FALSE(path.empty()) << "cannot find ../shared; set ENTENTE_SHARED";
  auto gold = ReadGoldFile(path);
  ASSERT_TRUE(gold.ok()) << gold.status();
  ASSERT_GE(gold->size(), 100u);

  entente::v1::EvaluationReport report = Evaluate(**rules, *gold, 0.0);
  std::cout << FormatReport(report, 0);
  EXPECT_GE(report.micro().f1(), kMinMicroF1);
  for (const char* stance : {"ceasefire", "core_interests", "multilateral"}) {
    ASSERT_TRUE(report.by_stance().count(stance)) << stance;
    EXPECT_GE(report.by_stance().at(stance).f1(), kMinStanceF1) << stance;
  }
  ASSERT_GT(report.holders_total(), 0);
  EXPECT_GE(static_cast<double>(report.holders_exact()) / report.holders_total(),
            kMinHolderExact);
}

}  // namespace
}  // namespace entente
