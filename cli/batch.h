// File: cli/batch.h
//
// Batch scoring: JSON Lines (or plain text, one document per line) in,
// JSON Lines out in input order, on all cores, with memory bounded by a
// window of in-flight chunks whatever the input size. Inputs may be
// gzip-compressed. A malformed line becomes an error record and the job
// goes on. `--shard I/N` keeps every N-th record starting at I, so N
// workers on any scheduler split a corpus with no coordination.
//
//   entente::BatchOptions options;
//   options.threads = 2;
//   entente::BatchSummary summary;
//   absl::Status s = entente::RunBatch(rules, {"-"}, options, &summary);

#ifndef ENTENTE_CLI_BATCH_H_
#define ENTENTE_CLI_BATCH_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "engine/compiled_rule_set.h"

namespace entente {

struct BatchOptions {
  std::string id_field = "id";
  std::string text_field = "text";
  std::string speaker_field = "speaker";
  // "jsonl" or "text" (one document per line; id is the line number).
  std::string format = "jsonl";
  // Worker threads; 0 means one per core.
  int threads = 0;
  double min_score = 0.0;
  // One output line per sentence instead of per document.
  bool sentences = false;
  // Keep every shard_count-th record starting at shard_index.
  int shard_index = 0;
  int shard_count = 1;
  // Output file; empty means stdout.
  std::string output;
  // Continue an interrupted job: keep the complete lines already in
  // `output` and skip as many records.
  bool resume = false;
  // Progress on stderr: "auto" (when stderr is a terminal), "always", "never".
  std::string progress = "auto";
  // Speaker for records without one.
  std::string default_speaker;
};

// Counts of one run.
struct BatchSummary {
  int64_t records = 0;  // records read in this shard (including skipped by resume)
  int64_t documents = 0;
  int64_t sentences = 0;
  int64_t bytes = 0;
  int64_t errors = 0;
  int64_t resumed = 0;  // records skipped because a previous run wrote them
  // Sentences that ran every rule because the rule set's prefilter did not
  // fit its memory budget (slower, same results).
  int64_t prefilter_fallbacks = 0;
  std::map<std::string, int64_t> annotations;  // "stance/POLARITY" -> count
  double seconds = 0;

  // One JSON object with every count and the throughput.
  std::string ToJson() const;
};

// One input record: its 1-based line number in its input and its bytes (a
// JSON object, or the text itself with format "text").
struct BatchRecord {
  int64_t line = 0;
  std::string text;
};

// What ScoreRecords made of some records: one JSON line per record (or per
// sentence with options.sentences), in order, and their counts.
struct ScoredRecords {
  std::string output;
  BatchSummary counts;
};

// Scores `records` as a batch job does, on the calling thread: a record
// that is not a JSON object, lacks its text field or is not valid UTF-8
// becomes an error record {"id","line","error"}; the others become result
// lines (cli/result_json.h). Uses the field names, format, min_score,
// sentences and default_speaker of `options`. Thread-safe: `rules` is
// only read.
ScoredRecords ScoreRecords(const CompiledRuleSet& rules, const BatchOptions& options,
                           const std::vector<BatchRecord>& records);

// Runs a batch job over `inputs` (file paths; "-" is stdin) with `rules`.
// Returns an error only for failures that stop the job (unreadable input,
// unwritable output); per-record problems are counted in summary->errors.
absl::Status RunBatch(const CompiledRuleSet& rules, const std::vector<std::string>& inputs,
                      const BatchOptions& options, BatchSummary* summary);

}  // namespace entente

#endif  // ENTENTE_CLI_BATCH_H_
