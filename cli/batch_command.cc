// `entente batch [FILE...]`: JSON Lines in, JSON Lines out.

#include <iostream>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "cli/batch.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/rules_option.h"

namespace entente {

int RunBatchCommand(const char* argv0, const Args& args) {
  BatchOptions options;
  options.id_field = absl::GetFlag(FLAGS_id_field);
  options.text_field = absl::GetFlag(FLAGS_text_field);
  options.speaker_field = absl::GetFlag(FLAGS_speaker_field);
  options.format = absl::GetFlag(FLAGS_format);
  options.threads = absl::GetFlag(FLAGS_threads);
  options.min_score = absl::GetFlag(FLAGS_min_score);
  options.sentences = absl::GetFlag(FLAGS_sentences);
  options.output = absl::GetFlag(FLAGS_output);
  options.resume = absl::GetFlag(FLAGS_resume);
  options.progress = absl::GetFlag(FLAGS_progress);
  options.default_speaker = absl::GetFlag(FLAGS_speaker);
  std::string shard = absl::GetFlag(FLAGS_shard);
  if (!shard.empty()) {
    std::vector<std::string> parts = absl::StrSplit(shard, '/');
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &options.shard_index) ||
        !absl::SimpleAtoi(parts[1], &options.shard_count)) {
      std::cerr << "entente: --shard takes I/N, e.g. 0/4\n";
      return 2;
    }
  }
  auto rules = LoadRulesOrReport(argv0);
  if (rules == nullptr) return 2;
  std::vector<std::string> inputs = args;
  if (inputs.empty()) inputs.push_back("-");
  BatchSummary summary;
  absl::Status status = RunBatch(*rules, inputs, options, &summary);
  if (absl::GetFlag(FLAGS_summary)) std::cerr << summary.ToJson() << "\n";
  if (!status.ok()) {
    std::cerr << "entente: batch stopped: " << status.message() << "\n";
    return 2;
  }
  if (summary.errors > 0) {
    std::cerr << "entente: " << summary.errors << " record(s) had errors (see their \"error\" field)\n";
    return absl::GetFlag(FLAGS_fail_on_errors) ? 1 : 0;
  }
  return 0;
}

}  // namespace entente
