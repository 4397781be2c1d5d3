#include "engine/rule_set_directory.h"

#include <cstdlib>
#include <filesystem>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "engine/rule_set_loader.h"

namespace entente {

DirectoryLoad LoadRuleSetDirectory(const std::string& directory, const CompileOptions& options) {
  DirectoryLoad out;
  absl::StatusOr<std::vector<std::string>> files = ListRuleSetFiles(directory);
  if (!files.ok()) {
    out.status = files.status();
    return out;
  }
  if (files->empty()) {
    out.status = absl::NotFoundError(
        absl::StrCat(directory, ": no rule-set files (*.textproto) at its top level"));
    return out;
  }
  for (const std::string& file : *files) {
    LoadOptions load_options;
    load_options.root = directory;
    absl::StatusOr<LoadedRuleSet> loaded = LoadRuleSet(file, load_options, &out.diagnostics);
    if (!loaded.ok()) {
      out.failures[file] = std::string(loaded.status().message());
      continue;
    }
    absl::StatusOr<std::shared_ptr<const CompiledRuleSet>> compiled =
        CompiledRuleSet::Compile(*loaded, options, &out.diagnostics);
    if (!compiled.ok()) {
      out.failures[file] = std::string(compiled.status().message());
      continue;
    }
    const std::string& name = (*compiled)->name();
    if (out.rule_sets.count(name) > 0) {
      out.failures[file] = absl::StrCat("rule set name \"", name, "\" is used by another file");
      out.diagnostics.push_back({Diagnostic::Severity::kError,
                                 {file, 1, 1},
                                 name,
                                 "rule set name is used by another file"});
      continue;
    }
    out.rule_sets[name] = *std::move(compiled);
  }
  return out;
}

absl::StatusOr<std::shared_ptr<const CompiledRuleSet>> LoadRuleSetFromPath(
    const std::string& path, const std::string& name, std::vector<Diagnostic>* diagnostics,
    const CompileOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) {
    return CompileRuleSetFile(path, diagnostics, options);
  }
  const std::string wanted = name.empty() ? "default" : name;
  DirectoryLoad load = LoadRuleSetDirectory(path, options);
  diagnostics->insert(diagnostics->end(), load.diagnostics.begin(), load.diagnostics.end());
  if (!load.status.ok()) return load.status;
  auto it = load.rule_sets.find(wanted);
  if (it != load.rule_sets.end()) return it->second;
  if (!load.failures.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("rule set \"", wanted, "\" not loaded; ",
                                                   load.failures.begin()->first, ": ",
                                                   load.failures.begin()->second));
  }
  return absl::NotFoundError(absl::StrCat("no rule set named \"", wanted, "\" in ", path));
}

std::string DefaultRulesDirectory(const char* argv0) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (const char* env = std::getenv("ENTENTE_RULES"); env != nullptr && *env != '\0') {
    return env;
  }
  if (const char* ws = std::getenv("BUILD_WORKSPACE_DIRECTORY"); ws != nullptr) {
    fs::path candidate = fs::path(ws) / "rules";
    if (fs::is_directory(candidate, ec)) return candidate.string();
  }
  // The runfiles' rules/ is a tree of links made at build time into the
  // checkout's rules/: read the checkout itself, so that a rule file added
  // since the build is seen without rebuilding.
  auto checkout_of = [&](const fs::path& runfiles_rules) -> std::string {
    fs::path real = fs::canonical(runfiles_rules / "default.textproto", ec);
    if (!ec && fs::is_directory(real.parent_path(), ec)) return real.parent_path().string();
    return runfiles_rules.string();
  };
  if (argv0 != nullptr) {
    fs::path runfiles = fs::path(std::string(argv0) + ".runfiles") / "entente" / "rules";
    if (fs::is_directory(runfiles, ec)) return checkout_of(runfiles);
    if (const char* dir = std::getenv("RUNFILES_DIR"); dir != nullptr) {
      fs::path candidate = fs::path(dir) / "entente" / "rules";
      if (fs::is_directory(candidate, ec)) return checkout_of(candidate);
    }
  }
  return "rules";
}

}  // namespace entente
