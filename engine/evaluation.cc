#include "engine/evaluation.h"

#include <fstream>
#include <map>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "engine/classifier.h"
#include "google/protobuf/util/json_util.h"

namespace entente {
namespace {

using entente::v1::Counts;
using entente::v1::EvaluationCase;
using entente::v1::EvaluationReport;
using entente::v1::LabelledSentence;
using entente::v1::Polarity;

struct Prediction {
  std::set<std::string> holders;
  std::set<std::string> rules;
  double score = 0;
};

using LabelKey = std::pair<std::string, int>;  // (stance, polarity)

void Finish(Counts* c) {
  double tp = c->true_positives();
  double p = tp + c->false_positives() > 0 ? tp / (tp + c->false_positives()) : 0;
  double r = tp + c->false_negatives() > 0 ? tp / (tp + c->false_negatives()) : 0;
  c->set_precision(p);
  c->set_recall(r);
  c->set_f1(p + r > 0 ? 2 * p * r / (p + r) : 0);
}

EvaluationCase MakeCase(const LabelledSentence& item, const LabelKey& key,
                        const std::set<std::string>* gold_holders, const Prediction* predicted) {
  EvaluationCase c;
  c.set_id(item.id());
  c.set_text(item.text());
  c.set_speaker(item.speaker());
  c.set_stance(key.first);
  c.set_polarity(static_cast<Polarity>(key.second));
  if (gold_holders != nullptr) {
    for (const auto& h : *gold_holders) c.add_gold_holders(h);
  }
  if (predicted != nullptr) {
    for (const auto& h : predicted->holders) c.add_predicted_holders(h);
    for (const auto& r : predicted->rules) c.add_rules(r);
    c.set_score(predicted->score);
  }
  return c;
}

// Adds one label's outcome to a source's counts.
void CountInSource(entente::v1::SourceReport* source, const std::string& stance, int tp, int fp,
                   int fn) {
  for (Counts* c : {source->mutable_micro(), &(*source->mutable_by_stance())[stance]}) {
    c->set_true_positives(c->true_positives() + tp);
    c->set_false_positives(c->false_positives() + fp);
    c->set_false_negatives(c->false_negatives() + fn);
  }
}

}  // namespace

std::string SourceGenre(absl::string_view source) {
  if (source.empty()) return "unknown";
  return std::string(source.substr(0, source.find_first_of(":/")));
}

absl::StatusOr<std::vector<LabelledSentence>> ReadGoldFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open gold file"));
  std::vector<LabelledSentence> out;
  std::string line;
  int number = 0;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    LabelledSentence item;
    auto status = google::protobuf::util::JsonStringToMessage(line, &item, options);
    if (!status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ":", number, ": not a labelled sentence: ", status.message().ToString()));
    }
    out.push_back(std::move(item));
  }
  return out;
}

EvaluationReport Evaluate(const CompiledRuleSet& rules, const std::vector<LabelledSentence>& gold,
                          double min_score, std::vector<entente::v1::ClassifyResult>* out) {
  std::vector<entente::v1::ClassifyResult> local;
  std::vector<entente::v1::ClassifyResult>& results = out != nullptr ? *out : local;
  results.clear();
  results.reserve(gold.size());
  for (const auto& item : gold) {
    ClassifyOptions options;
    options.id = item.id();
    options.speaker = item.speaker();
    options.min_score = min_score;
    options.include_sentences = false;
    options.aggregate = false;
    results.push_back(Classify(rules, item.text(), options));
  }
  return EvaluateResults(gold, results, min_score);
}

EvaluationReport EvaluateResults(const std::vector<LabelledSentence>& gold,
                                 const std::vector<entente::v1::ClassifyResult>& results,
                                 double min_score) {
  EvaluationReport report;
  report.set_sentences(static_cast<int>(gold.size()));
  std::map<std::string, std::map<std::string, int>> confusion;
  std::set<std::string> stances;
  for (size_t i = 0; i < gold.size() && i < results.size(); ++i) {
    const LabelledSentence& item = gold[i];
    entente::v1::SourceReport& source = (*report.mutable_by_source())[SourceGenre(item.source())];
    source.set_sentences(source.sentences() + 1);
    std::map<LabelKey, std::set<std::string>> want;
    for (const auto& label : item.labels()) {
      auto& holders = want[{label.stance(), label.polarity()}];
      holders.insert(label.holders().begin(), label.holders().end());
      stances.insert(label.stance());
    }
    std::map<LabelKey, Prediction> got;
    for (const auto& a : results[i].annotations()) {
      if (a.score() < min_score) continue;
      Prediction& p = got[{a.stance(), a.polarity()}];
      for (const auto& h : a.holders()) p.holders.insert(h.actor());
      for (const auto& e : a.evidence()) p.rules.insert(e.rule_id());
      p.score = std::max(p.score, a.score());
      stances.insert(a.stance());
    }
    auto count = [&](const LabelKey& key) -> std::pair<Counts*, Counts*> {
      std::string label =
          absl::StrCat(key.first, "/", Polarity_Name(static_cast<Polarity>(key.second)));
      return {&(*report.mutable_by_stance())[key.first], &(*report.mutable_by_label())[label]};
    };
    for (const auto& [key, holders] : want) {
      auto [stance, label] = count(key);
      auto it = got.find(key);
      if (it != got.end()) {
        stance->set_true_positives(stance->true_positives() + 1);
        label->set_true_positives(label->true_positives() + 1);
        report.mutable_micro()->set_true_positives(report.micro().true_positives() + 1);
        report.set_holders_total(report.holders_total() + 1);
        CountInSource(&source, key.first, 1, 0, 0);
        source.set_holders_total(source.holders_total() + 1);
        if (it->second.holders == holders) {
          report.set_holders_exact(report.holders_exact() + 1);
          source.set_holders_exact(source.holders_exact() + 1);
        } else {
          *report.add_holder_mismatches() = MakeCase(item, key, &holders, &it->second);
        }
      } else {
        stance->set_false_negatives(stance->false_negatives() + 1);
        label->set_false_negatives(label->false_negatives() + 1);
        report.mutable_micro()->set_false_negatives(report.micro().false_negatives() + 1);
        CountInSource(&source, key.first, 0, 0, 1);
        *report.add_false_negatives() = MakeCase(item, key, &holders, nullptr);
      }
    }
    for (const auto& [key, prediction] : got) {
      if (want.count(key) > 0) continue;
      auto [stance, label] = count(key);
      stance->set_false_positives(stance->false_positives() + 1);
      label->set_false_positives(label->false_positives() + 1);
      report.mutable_micro()->set_false_positives(report.micro().false_positives() + 1);
      CountInSource(&source, key.first, 0, 1, 0);
      *report.add_false_positives() = MakeCase(item, key, nullptr, &prediction);
    }
    // Confusion of polarities per stance (a sentence may count twice when it
    // carries both polarities).
    for (const std::string& stance : stances) {
      std::set<std::string> g, p;
      for (const auto& [key, h] : want) {
        if (key.first == stance) g.insert(Polarity_Name(static_cast<Polarity>(key.second)));
      }
      for (const auto& [key, h] : got) {
        if (key.first == stance) p.insert(Polarity_Name(static_cast<Polarity>(key.second)));
      }
      if (g.empty()) g.insert("NONE");
      if (p.empty()) p.insert("NONE");
      for (const auto& x : g) {
        for (const auto& y : p) ++confusion[stance][absl::StrCat(x, "->", y)];
      }
    }
  }
  Finish(report.mutable_micro());
  for (auto& [name, c] : *report.mutable_by_stance()) Finish(&c);
  for (auto& [name, c] : *report.mutable_by_label()) Finish(&c);
  for (auto& [name, source] : *report.mutable_by_source()) {
    Finish(source.mutable_micro());
    for (auto& [stance, c] : *source.mutable_by_stance()) Finish(&c);
  }
  for (const auto& [stance, cells] : confusion) {
    auto* row = report.add_confusion();
    row->set_stance(stance);
    for (const auto& [k, v] : cells) (*row->mutable_cells())[k] = v;
  }
  return report;
}

std::string FormatReport(const EvaluationReport& report, int max_cases) {
  std::string out = absl::StrFormat("%-34s %5s %5s %5s %7s %7s %7s\n", "stance", "tp", "fp", "fn",
                                    "P", "R", "F1");
  auto row = [&](const std::string& name, const Counts& c) {
    absl::StrAppendFormat(&out, "%-34s %5d %5d %5d %7.3f %7.3f %7.3f\n", name, c.true_positives(),
                          c.false_positives(), c.false_negatives(), c.precision(), c.recall(),
                          c.f1());
  };
  std::map<std::string, Counts> by_stance(report.by_stance().begin(), report.by_stance().end());
  std::map<std::string, Counts> by_label(report.by_label().begin(), report.by_label().end());
  for (const auto& [name, c] : by_stance) row(name, c);
  for (const auto& [name, c] : by_label) row("  " + name, c);
  row("micro", report.micro());
  absl::StrAppendFormat(
      &out, "sentences: %d; holders exact on %d of %d true positives (%.1f%%)\n",
      report.sentences(), report.holders_exact(), report.holders_total(),
      report.holders_total() > 0 ? 100.0 * report.holders_exact() / report.holders_total() : 0.0);
  if (report.by_source_size() > 1) {
    std::map<std::string, entente::v1::SourceReport> sources(report.by_source().begin(),
                                                             report.by_source().end());
    absl::StrAppendFormat(&out, "by source:%25s %5s %5s %5s %7s %7s %7s %8s\n", "", "tp", "fp",
                          "fn", "P", "R", "F1", "holders");
    for (const auto& [name, source] : sources) {
      const Counts& c = source.micro();
      absl::StrAppendFormat(
          &out, "  %-32s %5d %5d %5d %7.3f %7.3f %7.3f %7.1f%%\n",
          absl::StrCat(name, " (", source.sentences(), ")"), c.true_positives(),
          c.false_positives(), c.false_negatives(), c.precision(), c.recall(), c.f1(),
          source.holders_total() > 0 ? 100.0 * source.holders_exact() / source.holders_total()
                                     : 0.0);
    }
  }
  out += "confusion (gold->predicted):\n";
  for (const auto& r : report.confusion()) {
    std::map<std::string, int> cells(r.cells().begin(), r.cells().end());
    std::vector<std::string> parts;
    for (const auto& [k, v] : cells) parts.push_back(absl::StrCat(k, "=", v));
    absl::StrAppend(&out, "  ", r.stance(), ": ", absl::StrJoin(parts, " "), "\n");
  }
  auto cases = [&](const char* title, const auto& list) {
    if (list.empty() || max_cases <= 0) return;
    absl::StrAppend(&out, title, " (", list.size(), "):\n");
    int shown = 0;
    for (const auto& c : list) {
      if (shown++ >= max_cases) break;
      absl::StrAppendFormat(&out, "  %s %s %s gold[%s] predicted[%s] rules[%s]\n    %s\n", c.id(),
                            c.stance(), Polarity_Name(c.polarity()),
                            absl::StrJoin(c.gold_holders(), ","),
                            absl::StrJoin(c.predicted_holders(), ","),
                            absl::StrJoin(c.rules(), ","), c.text().substr(0, 300));
    }
  };
  cases("false positives", report.false_positives());
  cases("false negatives", report.false_negatives());
  cases("holder mismatches", report.holder_mismatches());
  return out;
}

}  // namespace entente
