#include "engine/calibration.h"

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

entente::v1::LabelledSentence Item(const std::string& text, bool labelled) {
  entente::v1::LabelledSentence item;
  item.set_text(text);
  if (labelled) {
    auto* label = item.add_labels();
    label->set_stance("ceasefire");
    label->set_polarity(entente::v1::SUPPORT);
  }
  return item;
}

TEST(Calibration, FitsSmoothedPrecisionAndImprovesHeldOutBrier) {
  auto rules = Compile(R"pb(
    name: "t"
    rule { id: "good" stance: "ceasefire" polarity: SUPPORT weight: 0.5 tokens: "call for truce" }
    rule { id: "noisy" stance: "ceasefire" polarity: SUPPORT weight: 0.9 tokens: "truce" }
  )pb");
  std::vector<entente::v1::LabelledSentence> gold;
  for (int i = 0; i < 40; ++i) {
    gold.push_back(Item("We call for truce.", true));  // both rules fire, right
    gold.push_back(Item("The truce held.", false));    // only the noisy rule, wrong
  }
  CalibrationReport report = Calibrate(*rules, gold, {});
  EXPECT_EQ(report.annotations, 80);
  ASSERT_EQ(report.weights.size(), 2u);
  const FittedWeight& good = report.weights[0];
  const FittedWeight& noisy = report.weights[1];
  EXPECT_EQ(good.total, 40);
  EXPECT_EQ(good.correct, 40);
  EXPECT_NEAR(good.weight, (40 + 4 * 0.5) / 44.0, 1e-9);
  EXPECT_EQ(noisy.total, 80);
  EXPECT_NEAR(noisy.weight, (40 + 4 * 0.9) / 84.0, 1e-9);
  EXPECT_LT(report.brier_after, report.brier_before);

  std::string weights = WeightsTextProto(report, "gold.jsonl");
  EXPECT_NE(weights.find("rule_weight { rule: \"noisy\" weight: 0.519"), std::string::npos)
      << weights;
}

TEST(Calibration, RuleWeightsReplaceRuleWeightsAndStaleOnesWarn) {
  std::vector<Diagnostic> diagnostics;
  auto loaded = LoadRuleSetFromText(
      R"pb(
        name: "t"
        rule { id: "r" stance: "s" polarity: SUPPORT weight: 0.9 tokens: "truce" }
        rule_weight { rule: "r" weight: 0.4 }
        rule_weight { rule: "gone" weight: 0.4 }
      )pb",
      "t.textproto", &diagnostics);
  ASSERT_TRUE(loaded.ok());
  auto compiled = CompiledRuleSet::Compile(*loaded, {}, &diagnostics);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  EXPECT_DOUBLE_EQ((*compiled)->rules()[0].weight, 0.4);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].severity, Diagnostic::Severity::kWarning);
  EXPECT_NE(diagnostics[0].message.find("unknown rule"), std::string::npos);
}

}  // namespace
}  // namespace entente
