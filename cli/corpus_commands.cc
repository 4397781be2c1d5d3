// `entente coverage CORPUS...` and `entente diff --old_rules A --new_rules B CORPUS...`.

#include <iostream>

#include "absl/flags/flag.h"
#include "cli/commands.h"
#include "cli/document_source.h"
#include "cli/flags.h"
#include "cli/rules_option.h"
#include "engine/classifier.h"
#include "engine/result_diff.h"
#include "engine/rule_coverage.h"
#include "engine/rule_set_directory.h"

namespace entente {
namespace {

DocumentFields FieldsFromFlags() {
  DocumentFields fields;
  fields.id_field = absl::GetFlag(FLAGS_id_field);
  fields.text_field = absl::GetFlag(FLAGS_text_field);
  fields.speaker_field = absl::GetFlag(FLAGS_speaker_field);
  fields.format = absl::GetFlag(FLAGS_format);
  fields.default_speaker = absl::GetFlag(FLAGS_speaker);
  return fields;
}

ClassifyOptions OptionsFor(const Document& d) {
  ClassifyOptions options;
  options.id = d.id;
  options.speaker = d.speaker;
  options.min_score = absl::GetFlag(FLAGS_min_score);
  options.include_sentences = false;
  options.aggregate = false;
  return options;
}

std::shared_ptr<const CompiledRuleSet> LoadNamed(const std::string& path) {
  std::vector<Diagnostic> diagnostics;
  auto rules = LoadRuleSetFromPath(path, absl::GetFlag(FLAGS_rule_set), &diagnostics);
  for (const auto& d : diagnostics) {
    if (d.severity == Diagnostic::Severity::kError) std::cerr << d.ToString() << "\n";
  }
  if (!rules.ok()) {
    std::cerr << "entente: " << path << ": " << rules.status().message() << "\n";
    return nullptr;
  }
  return *rules;
}

}  // namespace

int RunCoverage(const char* argv0, const Args& args) {
  if (args.empty()) {
    std::cerr << "entente: coverage needs a corpus file (JSON Lines, optionally gzip; - for stdin)\n";
    return 2;
  }
  auto rules = LoadRulesOrReport(argv0);
  if (rules == nullptr) return 2;
  RuleCoverage coverage(*rules, absl::GetFlag(FLAGS_samples));
  int64_t errors = 0;
  absl::Status s = ForEachDocument(
      args, FieldsFromFlags(), absl::GetFlag(FLAGS_limit),
      [&](const Document& d) { coverage.Add(d.id, d.text, Classify(*rules, d.text, OptionsFor(d))); },
      &errors);
  if (!s.ok()) {
    std::cerr << "entente: " << s.message() << "\n";
    return 2;
  }
  std::cout << (absl::GetFlag(FLAGS_json) ? coverage.FormatJson() + "\n" : coverage.Format());
  if (errors > 0) std::cerr << "entente: skipped " << errors << " malformed line(s)\n";
  return 0;
}

int RunDiff(const char* /*argv0*/, const Args& args) {
  const std::string old_path = absl::GetFlag(FLAGS_old_rules);
  const std::string new_path = absl::GetFlag(FLAGS_new_rules);
  if (old_path.empty() || new_path.empty() || args.empty()) {
    std::cerr << "entente: diff needs --old_rules A --new_rules B and a corpus file\n";
    return 2;
  }
  auto old_rules = LoadNamed(old_path);
  auto new_rules = LoadNamed(new_path);
  if (old_rules == nullptr || new_rules == nullptr) return 2;
  ResultDiff diff;
  int64_t errors = 0;
  absl::Status s = ForEachDocument(
      args, FieldsFromFlags(), absl::GetFlag(FLAGS_limit),
      [&](const Document& d) {
        diff.Add(d.id, Classify(*old_rules, d.text, OptionsFor(d)),
                 Classify(*new_rules, d.text, OptionsFor(d)));
      },
      &errors);
  if (!s.ok()) {
    std::cerr << "entente: " << s.message() << "\n";
    return 2;
  }
  std::cout << "old: " << old_rules->name() << " " << old_rules->version() << "  new: "
            << new_rules->name() << " " << new_rules->version() << "\n"
            << diff.Format(absl::GetFlag(FLAGS_max_cases));
  if (errors > 0) std::cerr << "entente: skipped " << errors << " malformed line(s)\n";
  return 0;
}

}  // namespace entente
