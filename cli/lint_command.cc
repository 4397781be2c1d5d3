// `entente lint [RULES...]`: parse and compile rule files, report problems
// as file:line:col: error|warning: [id] message.

#include <filesystem>
#include <iostream>

#include "absl/flags/flag.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/rules_option.h"
#include "engine/compiled_rule_set.h"
#include "engine/rule_set_lint.h"
#include "engine/rule_set_loader.h"

namespace entente {
namespace {

// Lints one file; returns (errors, warnings).
std::pair<int, int> LintFile(const std::string& path, const std::string& root) {
  std::vector<Diagnostic> diagnostics;
  LoadOptions options;
  options.root = root;
  absl::StatusOr<LoadedRuleSet> loaded = LoadRuleSet(path, options, &diagnostics);
  if (loaded.ok()) {
    if (loaded->rule_set.name().empty()) {
      // A fragment: its lexicons and actors live in other files, so only its
      // syntax can be checked on its own.
      std::cerr << path << ": note: no rule-set name: a fragment, checked for syntax only; "
                << "lint the rule set that includes it for the rest\n";
    } else {
      auto compiled = CompiledRuleSet::Compile(*loaded, {}, &diagnostics);
      if (compiled.ok()) {
        std::vector<Diagnostic> warnings = LintRuleSet(**compiled);
        diagnostics.insert(diagnostics.end(), warnings.begin(), warnings.end());
      }
    }
  } else if (diagnostics.empty()) {
    diagnostics.push_back({Diagnostic::Severity::kError, {path, 0, 0}, "",
                           std::string(loaded.status().message())});
  }
  int errors = 0, warnings = 0;
  for (const Diagnostic& d : diagnostics) {
    std::cout << d.ToString() << "\n";
    (d.severity == Diagnostic::Severity::kError ? errors : warnings)++;
  }
  return {errors, warnings};
}

}  // namespace

int RunLint(const char* argv0, const Args& args) {
  namespace fs = std::filesystem;
  std::vector<std::pair<std::string, std::string>> files;  // (file, root)
  Args targets = args;
  if (targets.empty()) targets.push_back(RulesPath(argv0));
  for (const std::string& target : targets) {
    std::error_code ec;
    if (fs::is_directory(target, ec)) {
      absl::StatusOr<std::vector<std::string>> list = ListRuleSetFiles(target);
      if (!list.ok()) {
        std::cerr << "entente: " << list.status().message() << "\n";
        return 2;
      }
      for (const auto& f : *list) files.emplace_back(f, target);
    } else {
      // A file on its own may include siblings: let includes resolve inside
      // the nearest directory that holds a top-level rule set, or its own.
      fs::path parent = fs::path(target).parent_path();
      std::string root = parent.empty() ? "." : parent.string();
      if (fs::path(root).filename() == "stances" || fs::path(root).filename() == "common") {
        root = fs::path(root).parent_path().string();
      }
      files.emplace_back(target, root);
    }
  }
  int errors = 0, warnings = 0;
  for (const auto& [file, root] : files) {
    auto [e, w] = LintFile(file, root);
    errors += e;
    warnings += w;
  }
  std::cerr << files.size() << " file(s): " << errors << " error(s), " << warnings
            << " warning(s)\n";
  if (errors > 0 || (absl::GetFlag(FLAGS_strict) && warnings > 0)) return 1;
  return 0;
}

}  // namespace entente
