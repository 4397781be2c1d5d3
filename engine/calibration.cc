#include "engine/calibration.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/classifier.h"

namespace entente {
namespace {

// One annotation as a prediction: its evidence and whether gold agrees.
struct Prediction {
  int fold = 0;
  bool correct = false;
  double score = 0;
  // (rule index, modifier factor) per piece of evidence.
  std::vector<std::pair<int, double>> evidence;
};

constexpr double kMinWeight = 0.05;
constexpr double kMaxWeight = 0.99;

std::vector<double> Fit(const CompiledRuleSet& rules, const std::vector<Prediction>& predictions,
                        int held_out_fold, double strength, std::vector<FittedWeight>* detail) {
  const size_t n = rules.rules().size();
  std::vector<int> correct(n, 0), total(n, 0);
  for (const Prediction& p : predictions) {
    if (p.fold == held_out_fold) continue;
    std::set<int> seen;
    for (const auto& [rule, factor] : p.evidence) {
      if (!seen.insert(rule).second) continue;
      ++total[rule];
      correct[rule] += p.correct ? 1 : 0;
    }
  }
  std::vector<double> weights(n);
  for (size_t i = 0; i < n; ++i) {
    double prior = rules.rules()[i].weight;
    weights[i] =
        std::clamp((correct[i] + strength * prior) / (total[i] + strength), kMinWeight, kMaxWeight);
    if (detail != nullptr) {
      detail->push_back({rules.rules()[i].id, prior, weights[i], correct[i], total[i]});
    }
  }
  return weights;
}

double Rescore(const Prediction& p, const std::vector<double>& weights) {
  double miss = 1.0;
  for (const auto& [rule, factor] : p.evidence) miss *= 1.0 - weights[rule] * factor;
  return 1.0 - miss;
}

std::vector<ReliabilityBin> Bins(const std::vector<std::pair<double, bool>>& scored) {
  std::vector<ReliabilityBin> bins;
  for (int b = 0; b < 5; ++b) bins.push_back({b * 0.2, (b + 1) * 0.2, 0, 0, 0});
  for (const auto& [score, correct] : scored) {
    int b = std::min(4, static_cast<int>(score * 5));
    bins[b].count++;
    bins[b].mean_score += score;
    bins[b].accuracy += correct ? 1 : 0;
  }
  for (auto& bin : bins) {
    if (bin.count == 0) continue;
    bin.mean_score /= bin.count;
    bin.accuracy /= bin.count;
  }
  return bins;
}

double Brier(const std::vector<std::pair<double, bool>>& scored) {
  if (scored.empty()) return 0;
  double sum = 0;
  for (const auto& [score, correct] : scored)
    sum += (score - (correct ? 1 : 0)) * (score - (correct ? 1 : 0));
  return sum / scored.size();
}

}  // namespace

CalibrationReport Calibrate(const CompiledRuleSet& rules,
                            const std::vector<entente::v1::LabelledSentence>& gold,
                            const CalibrationOptions& options) {
  CalibrationReport report;
  report.sentences = static_cast<int>(gold.size());
  const int folds = std::max(2, options.folds);
  std::vector<Prediction> predictions;
  for (size_t i = 0; i < gold.size(); ++i) {
    std::set<std::pair<std::string, int>> labels;
    for (const auto& l : gold[i].labels()) labels.insert({l.stance(), l.polarity()});
    ClassifyOptions classify;
    classify.speaker = gold[i].speaker();
    classify.include_sentences = false;
    classify.aggregate = false;
    entente::v1::ClassifyResult result = Classify(rules, gold[i].text(), classify);
    for (const auto& a : result.annotations()) {
      Prediction p;
      p.fold = static_cast<int>(i % folds);
      p.correct = labels.count({a.stance(), a.polarity()}) > 0;
      p.score = a.score();
      for (const auto& e : a.evidence()) {
        int rule = rules.FindRule(e.rule_id());
        if (rule < 0 || e.weight() <= 0) continue;
        p.evidence.emplace_back(rule, e.contribution() / e.weight());
      }
      predictions.push_back(std::move(p));
    }
  }
  report.annotations = static_cast<int>(predictions.size());

  std::vector<std::pair<double, bool>> before, after;
  for (int fold = 0; fold < folds; ++fold) {
    std::vector<double> weights = Fit(rules, predictions, fold, options.prior_strength, nullptr);
    for (const Prediction& p : predictions) {
      if (p.fold != fold) continue;
      before.emplace_back(p.score, p.correct);
      after.emplace_back(Rescore(p, weights), p.correct);
    }
  }
  report.before = Bins(before);
  report.after = Bins(after);
  report.brier_before = Brier(before);
  report.brier_after = Brier(after);
  Fit(rules, predictions, /*held_out_fold=*/-1, options.prior_strength, &report.weights);
  return report;
}

std::string FormatCalibration(const CalibrationReport& report) {
  std::string out = absl::StrFormat(
      "%d sentences, %d annotations; held-out Brier score: before %.4f, after %.4f\n",
      report.sentences, report.annotations, report.brier_before, report.brier_after);
  auto table = [&](const char* title, const std::vector<ReliabilityBin>& bins) {
    absl::StrAppendFormat(&out, "%s\n  %-11s %6s %11s %9s\n", title, "score", "count", "mean score",
                          "accuracy");
    for (const auto& b : bins) {
      absl::StrAppendFormat(&out, "  %.1f - %.1f  %6d %11.3f %9.3f\n", b.low, b.high, b.count,
                            b.mean_score, b.accuracy);
    }
  };
  table("reliability before (held-out folds):", report.before);
  table("reliability after (held-out folds):", report.after);
  absl::StrAppendFormat(&out, "fitted weights (all data):\n  %-32s %7s %7s %9s\n", "rule", "prior",
                        "fitted", "correct");
  for (const auto& w : report.weights) {
    absl::StrAppendFormat(&out, "  %-32s %7.3f %7.3f %5d/%-3d\n", w.rule_id, w.prior, w.weight,
                          w.correct, w.total);
  }
  return out;
}

std::string WeightsTextProto(const CalibrationReport& report, const std::string& source) {
  std::string out =
      "# proto-file: proto/rule_set.proto\n"
      "# proto-message: entente.v1.RuleSet\n"
      "#\n"
      "# Rule weights fitted by `entente calibrate` (smoothed precision toward each rule's\n"
      "# own weight). Generated: edit the rules, then re-run calibrate.\n\n";
  for (const auto& w : report.weights) {
    if (w.total == 0) continue;  // no evidence: the rule keeps its own weight
    absl::StrAppendFormat(&out,
                          "rule_weight { rule: \"%s\" weight: %.3f note: \"%d of %d annotations "
                          "correct on %s; prior %.2f\" }\n",
                          w.rule_id, w.weight, w.correct, w.total, source, w.prior);
  }
  return out;
}

}  // namespace entente
