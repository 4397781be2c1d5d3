#include "cli/rules_option.h"

#include <iostream>

#include "absl/flags/flag.h"
#include "cli/flags.h"
#include "engine/rule_set_directory.h"

namespace entente {

std::string RulesPath(const char* argv0) {
  std::string path = absl::GetFlag(FLAGS_rules);
  return path.empty() ? DefaultRulesDirectory(argv0) : path;
}

std::shared_ptr<const CompiledRuleSet> LoadRulesOrReport(const char* argv0) {
  std::vector<Diagnostic> diagnostics;
  auto rules = LoadRuleSetFromPath(RulesPath(argv0), absl::GetFlag(FLAGS_rule_set), &diagnostics);
  for (const Diagnostic& d : diagnostics) {
    if (d.severity == Diagnostic::Severity::kError) std::cerr << d.ToString() << "\n";
  }
  if (!rules.ok()) {
    std::cerr << "entente: " << rules.status().message() << "\n";
    return nullptr;
  }
  return *rules;
}

}  // namespace entente
