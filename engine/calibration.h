// File: engine/calibration.h
//
// Calibration fits each rule's weight from labelled data so that scores mean
// what they say: of the annotations scored about 0.8, about 80% should be
// right. A rule's fitted weight is its smoothed precision on the labelled
// sentences (the annotations its evidence took part in that match a gold
// (stance, polarity)), shrunk toward its current weight:
//
//   weight = (correct + m * prior) / (total + m),  m = prior_strength
//
// Quality is reported on held-out folds: weights are fitted on k-1 folds
// and the annotations of the remaining fold are rescored with them, so the
// before/after reliability tables and Brier scores are out-of-sample.
//
//   auto report = entente::Calibrate(*rules, gold, {});
//   std::cout << entente::FormatCalibration(report);
//   WriteFile("rules/common/weights.textproto", entente::WeightsTextProto(report, "dev.jsonl"));

#ifndef ENTENTE_ENGINE_CALIBRATION_H_
#define ENTENTE_ENGINE_CALIBRATION_H_

#include <string>
#include <vector>

#include "engine/compiled_rule_set.h"
#include "proto/evaluation.pb.h"

namespace entente {

struct CalibrationOptions {
  int folds = 5;
  // Pseudo-observations of the prior (the rule's current weight).
  double prior_strength = 4.0;
};

struct ReliabilityBin {
  double low = 0;
  double high = 0;
  int count = 0;
  double mean_score = 0;
  double accuracy = 0;  // share of annotations in the bin that are right
};

struct FittedWeight {
  std::string rule_id;
  double prior = 0;
  double weight = 0;
  int correct = 0;
  int total = 0;
};

struct CalibrationReport {
  int sentences = 0;
  int annotations = 0;  // predictions scored
  double brier_before = 0;
  double brier_after = 0;
  std::vector<ReliabilityBin> before;
  std::vector<ReliabilityBin> after;
  // Fitted on all the labelled data, for writing out.
  std::vector<FittedWeight> weights;
};

// Fits and evaluates weights on `gold`. Needs at least 2 folds.
CalibrationReport Calibrate(const CompiledRuleSet& rules,
                            const std::vector<entente::v1::LabelledSentence>& gold,
                            const CalibrationOptions& options);

// Reliability tables, Brier scores and the fitted weights, as text.
std::string FormatCalibration(const CalibrationReport& report);

// A rule-set fragment with one rule_weight per fitted rule, to include from
// the rule set. `source` names the labelled data in the notes.
std::string WeightsTextProto(const CalibrationReport& report, const std::string& source);

}  // namespace entente

#endif  // ENTENTE_ENGINE_CALIBRATION_H_
