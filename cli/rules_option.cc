#include "cli/rules_option.h"

#include <iostream>

#include "absl/flags/flag.h"
#include "absl/strings/str_split.h"
#include "cli/flags.h"
#include "engine/evaluation.h"
#include "engine/rule_set_directory.h"

namespace entente {

std::string RulesPath(const char* argv0) {
  std::string path = absl::GetFlag(FLAGS_rules);
  return path.empty() ? DefaultRulesDirectory(argv0) : path;
}

std::shared_ptr<const CompiledRuleSet> LoadRulesOrReport(const char* argv0) {
  std::vector<Diagnostic> diagnostics;
  const std::string path = RulesPath(argv0);
  auto rules = LoadRuleSetFromPath(path, absl::GetFlag(FLAGS_rule_set), &diagnostics);
  for (const Diagnostic& d : diagnostics) {
    if (d.severity == Diagnostic::Severity::kError) std::cerr << d.ToString() << "\n";
  }
  if (!rules.ok()) {
    std::cerr << "entente: " << rules.status().message() << "\n";
    return nullptr;
  }
  // Which rules answered: a checkout's rules/ and a copy can differ.
  std::cerr << "entente: rules " << path << " (" << (*rules)->name() << " "
            << (*rules)->version() << ")\n";
  return *rules;
}

bool LoadGoldOrReport(const std::vector<std::string>& args, const char* command,
                      std::vector<entente::v1::LabelledSentence>* gold) {
  std::string path = absl::GetFlag(FLAGS_gold);
  if (path.empty() && !args.empty()) path = args[0];
  if (path.empty()) {
    std::cerr << "entente: " << command << " needs --gold FILE.jsonl\n";
    return false;
  }
  // Several files, comma-separated, are read as one gold set.
  gold->clear();
  for (absl::string_view one : absl::StrSplit(path, ',', absl::SkipEmpty())) {
    auto read = ReadGoldFile(std::string(one));
    if (!read.ok()) {
      std::cerr << "entente: " << read.status().message() << "\n";
      return false;
    }
    for (auto& item : *read) gold->push_back(std::move(item));
  }
  return true;
}

}  // namespace entente
