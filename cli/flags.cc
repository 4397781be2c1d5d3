#include "cli/flags.h"

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, rules, "",
          "Rules: a directory of rule sets or one rule-set file. Default: the bundled rules/.");
ABSL_FLAG(std::string, rule_set, "default", "Name of the rule set to use from --rules.");
ABSL_FLAG(std::string, speaker, "",
          "Actor id of the speaker (e.g. CHN); first person resolves to it.");
ABSL_FLAG(bool, json, false, "Print results as JSON Lines instead of text.");
ABSL_FLAG(bool, explain, false, "Explain why rules did or did not match.");
ABSL_FLAG(bool, all, false,
          "Explain: list every near miss of each sentence, not only the 5 closest.");
ABSL_FLAG(int, threads, 0, "Worker threads for batch; 0 means one per core.");
ABSL_FLAG(double, min_score, 0.0, "Leave out annotations scoring below this.");
ABSL_FLAG(std::string, id_field, "id", "Batch: JSON field holding the record id.");
ABSL_FLAG(std::string, text_field, "text", "Batch: JSON field holding the text.");
ABSL_FLAG(std::string, speaker_field, "speaker", "Batch: JSON field holding the speaker.");
ABSL_FLAG(std::string, format, "jsonl", "Batch input: jsonl, or text (one document per line).");
ABSL_FLAG(std::string, output, "", "Batch: output file (default stdout).");
ABSL_FLAG(bool, sentences, false, "Batch: one output line per sentence.");
ABSL_FLAG(bool, summary, false, "Batch: print a JSON summary to stderr at the end.");
ABSL_FLAG(std::string, shard, "", "Batch: I/N keeps every N-th record starting at I.");
ABSL_FLAG(bool, resume, false, "Batch: continue into --output after the last complete line.");
ABSL_FLAG(bool, fail_on_errors, true,
          "Batch: exit 1 when any record became an error record; false exits 0 (for schedulers "
          "such as Spark's pipe that fail a task on a non-zero exit), the error records being the "
          "report.");
ABSL_FLAG(std::string, progress, "auto", "Batch progress on stderr: auto, always, never.");
ABSL_FLAG(bool, strict, false, "Lint: warnings fail too.");
ABSL_FLAG(std::string, filter, "", "Test: only rules whose id contains this.");
ABSL_FLAG(std::string, gold, "", "Eval, calibrate: gold JSON Lines file (format of dev.jsonl); several, comma-separated, are read as one.");
ABSL_FLAG(int, max_cases, 20, "Eval and diff: errors or changes of each kind to list.");
ABSL_FLAG(std::string, old_rules, "", "Diff: the rules before the change (directory or file).");
ABSL_FLAG(std::string, new_rules, "", "Diff: the rules after the change (directory or file).");
ABSL_FLAG(int64_t, limit, 0, "Coverage and diff: read at most this many documents (0: all).");
ABSL_FLAG(int, samples, 3, "Coverage: sample matches to show per rule.");
ABSL_FLAG(std::string, html, "", "Eval and explain: also write a self-contained HTML report here.");
ABSL_FLAG(int, folds, 5, "Calibrate: folds for the held-out report.");
ABSL_FLAG(std::string, write, "", "Calibrate: write the fitted rule weights to this file.");
