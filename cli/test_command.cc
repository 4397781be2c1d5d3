// `entente test [RULES...]`: run every rule's embedded examples.

#include <iostream>

#include "absl/flags/flag.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/rules_option.h"
#include "engine/rule_examples.h"
#include "engine/rule_set_directory.h"

namespace entente {

int RunTest(const char* argv0, const Args& args) {
  Args targets = args;
  if (targets.empty()) targets.push_back(RulesPath(argv0));
  const std::string filter = absl::GetFlag(FLAGS_filter);
  int passed = 0, failed = 0;
  for (const std::string& target : targets) {
    std::vector<Diagnostic> diagnostics;
    auto rules = LoadRuleSetFromPath(target, absl::GetFlag(FLAGS_rule_set), &diagnostics);
    for (const Diagnostic& d : diagnostics) {
      if (d.severity == Diagnostic::Severity::kError) std::cerr << d.ToString() << "\n";
    }
    if (!rules.ok()) {
      std::cerr << "entente: " << rules.status().message() << "\n";
      return 2;
    }
    for (const ExampleOutcome& outcome : RunRuleExamples(**rules, filter)) {
      if (outcome.passed) {
        ++passed;
      } else {
        ++failed;
        std::cout << outcome.Describe() << "\n";
      }
    }
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed > 0 ? 1 : 0;
}

}  // namespace entente
