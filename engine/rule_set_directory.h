// File: engine/rule_set_directory.h
//
// A rules directory holds one rule set per top-level *.textproto file (the
// fragments they include live in subdirectories). These functions load and
// compile all of them, or the one a path names, reporting what failed
// without giving up on the rest.
//
//   entente::DirectoryLoad load = entente::LoadRuleSetDirectory("rules");
//   for (const auto& [name, rules] : load.rule_sets) { ... }
//   for (const auto& d : load.diagnostics) std::cerr << d.ToString() << "\n";

#ifndef ENTENTE_ENGINE_RULE_SET_DIRECTORY_H_
#define ENTENTE_ENGINE_RULE_SET_DIRECTORY_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/compiled_rule_set.h"
#include "engine/diagnostic.h"

namespace entente {

struct DirectoryLoad {
  // Rule sets that compiled, by name.
  std::map<std::string, std::shared_ptr<const CompiledRuleSet>> rule_sets;
  // Files that did not load or compile, with the reason.
  std::map<std::string, std::string> failures;
  std::vector<Diagnostic> diagnostics;
  // Set when the directory itself could not be read.
  absl::Status status;
};

// Loads every top-level rule set of `directory`. Two files with the same
// rule-set name are an error for the second one.
DirectoryLoad LoadRuleSetDirectory(const std::string& directory,
                                   const CompileOptions& options = {});

// Loads one rule set from `path`: a rule-set file, or a directory from which
// the rule set called `name` is taken ("default" when `name` is empty).
absl::StatusOr<std::shared_ptr<const CompiledRuleSet>> LoadRuleSetFromPath(
    const std::string& path, const std::string& name, std::vector<Diagnostic>* diagnostics,
    const CompileOptions& options = {});

// The bundled rules directory: $ENTENTE_RULES if set; else the workspace's
// rules/ under `bazel run`; else the checkout's rules/ that the runfiles of
// `argv0` link to (so a rule file added since the build is read), or the
// runfiles' copy when they are not links; else ./rules.
std::string DefaultRulesDirectory(const char* argv0);

}  // namespace entente

#endif  // ENTENTE_ENGINE_RULE_SET_DIRECTORY_H_
