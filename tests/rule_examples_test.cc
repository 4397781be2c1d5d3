// The bundled rules' embedded examples are the rule set's tests: every one
// must pass, and every rule must have at least one.

#include "engine/rule_examples.h"

#include "engine/rule_set_directory.h"
#include "gtest/gtest.h"
#include "tests/test_paths.h"

namespace entente {
namespace {

// The bundled rules directory, loaded once for all the tests.
const DirectoryLoad& Bundled() {
  static const DirectoryLoad* load =
      new DirectoryLoad(LoadRuleSetDirectory(testing::RunfilesPath("rules")));
  return *load;
}

TEST(BundledRules, AllRuleSetsCompileWithoutErrors) {
  const DirectoryLoad& load = Bundled();
  ASSERT_TRUE(load.status.ok()) << load.status;
  for (const auto& d : load.diagnostics) {
    EXPECT_NE(d.severity, Diagnostic::Severity::kError) << d.ToString();
  }
  EXPECT_TRUE(load.failures.empty()) << load.failures.begin()->second;
  ASSERT_EQ(load.rule_sets.count("default"), 1u);
  EXPECT_TRUE(load.rule_sets.at("default")->has_prefilter());
}

TEST(BundledRules, EveryExamplePasses) {
  const DirectoryLoad& load = Bundled();
  ASSERT_TRUE(load.status.ok()) << load.status;
  ASSERT_FALSE(load.rule_sets.empty());
  for (const auto& [name, rules] : load.rule_sets) {
    std::vector<ExampleOutcome> outcomes = RunRuleExamples(*rules, "");
    EXPECT_GT(outcomes.size(), 0u) << name;
    for (const ExampleOutcome& o : outcomes) EXPECT_TRUE(o.passed) << o.Describe();
  }
}

TEST(BundledRules, EveryRuleHasAnExample) {
  const DirectoryLoad& load = Bundled();
  ASSERT_TRUE(load.status.ok()) << load.status;
  for (const auto& [name, rules] : load.rule_sets) {
    for (const auto& rule : rules->source().rule()) {
      EXPECT_GT(rule.example_size(), 0) << name << ": rule " << rule.id() << " has no example";
    }
  }
}

}  // namespace
}  // namespace entente
