// File: engine/evaluation.h
//
// Measures a rule set against labelled sentences: precision, recall and F1
// per stance and per (stance, polarity), micro-averaged over all labels;
// holder accuracy on the true positives; a confusion table of polarities;
// and the false positives and negatives with the rules involved.
//
// A label is (stance, polarity) for a sentence. A prediction is the same
// pair from any annotation scoring at least `min_score`; the holders of all
// such annotations are pooled. A true positive's holders are exact when the
// pooled set equals the gold set.
//
//   absl::StatusOr<std::vector<entente::v1::LabelledSentence>> gold =
//       entente::ReadGoldFile("../shared/data/dev.jsonl");
//   entente::v1::EvaluationReport report = entente::Evaluate(*rules, *gold, 0.0);

#ifndef ENTENTE_ENGINE_EVALUATION_H_
#define ENTENTE_ENGINE_EVALUATION_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/compiled_rule_set.h"
#include "proto/evaluation.pb.h"
#include "proto/result.pb.h"

namespace entente {

// The genre of a gold sentence's `source`: the part before the first ':'
// or '/' ("ungdc:ARG_75_2020" -> "ungdc", "gaza-news/bbc.txt" ->
// "gaza-news"); "unknown" when the source is empty.
std::string SourceGenre(absl::string_view source);

// Reads a gold JSON Lines file. Returns InvalidArgument naming the line of
// the first malformed record; NotFound if the file cannot be read.
absl::StatusOr<std::vector<entente::v1::LabelledSentence>> ReadGoldFile(const std::string& path);

// Evaluates `rules` on `gold`. Fills every field of the report. When
// `results` is not null, it receives the classification of each item.
entente::v1::EvaluationReport Evaluate(const CompiledRuleSet& rules,
                                       const std::vector<entente::v1::LabelledSentence>& gold,
                                       double min_score,
                                       std::vector<entente::v1::ClassifyResult>* results = nullptr);

// Evaluates precomputed `results` (parallel to `gold`).
entente::v1::EvaluationReport EvaluateResults(
    const std::vector<entente::v1::LabelledSentence>& gold,
    const std::vector<entente::v1::ClassifyResult>& results, double min_score);

// A plain-text report: per-stance table, micro scores, holder accuracy,
// scores per source genre (when there is more than one), confusion, and up
// to `max_cases` errors of each kind.
std::string FormatReport(const entente::v1::EvaluationReport& report, int max_cases);

}  // namespace entente

#endif  // ENTENTE_ENGINE_EVALUATION_H_
