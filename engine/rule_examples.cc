#include "engine/rule_examples.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "engine/classifier.h"
#include "engine/near_miss.h"
#include "engine/segmenter.h"

namespace entente {
namespace {

using entente::v1::Polarity;

std::set<std::string> HolderSet(const entente::v1::Annotation& a) {
  std::set<std::string> out;
  for (const auto& h : a.holders()) out.insert(h.actor());
  return out;
}

ExampleOutcome RunOne(const CompiledRuleSet& rules, const entente::v1::Rule& rule,
                      const entente::v1::Example& example, bool counter,
                      const SourceLocation& location, const std::function<bool()>& cancelled) {
  ExampleOutcome out;
  out.rule_id = rule.id();
  out.location = location;
  out.counterexample = counter;
  out.example = example;
  ClassifyOptions options;
  options.speaker = example.speaker();
  options.include_sentences = false;
  options.aggregate = false;
  options.cancelled = cancelled;
  entente::v1::ClassifyResult result = Classify(rules, example.text(), options);
  std::set<std::string> fired;
  for (const auto& a : result.annotations()) {
    for (const auto& e : a.evidence()) fired.insert(e.rule_id());
  }
  out.fired.assign(fired.begin(), fired.end());
  out.actual = SummarizeAnnotations(result);

  if (counter) {
    Polarity p = example.polarity();
    out.expected = absl::StrCat("no ", rule.stance(), " annotation",
                                p == entente::v1::POLARITY_UNSPECIFIED
                                    ? ""
                                    : absl::StrCat(" with polarity ", Polarity_Name(p)));
    out.passed =
        std::none_of(result.annotations().begin(), result.annotations().end(),
                     [&](const entente::v1::Annotation& a) {
                       return a.stance() == rule.stance() &&
                              (p == entente::v1::POLARITY_UNSPECIFIED || a.polarity() == p);
                     });
    return out;
  }
  Polarity want = example.polarity() == entente::v1::POLARITY_UNSPECIFIED ? rule.polarity()
                                                                          : example.polarity();
  std::set<std::string> holders(example.holders().begin(), example.holders().end());
  out.expected = absl::StrCat(rule.stance(), " ", Polarity_Name(want));
  if (!holders.empty()) {
    absl::StrAppend(&out.expected, " [", absl::StrJoin(holders, ", "), "]");
  }
  absl::StrAppend(&out.expected, " from rule ", rule.id());
  // Holders may be spread over several annotations of the same stance and
  // polarity (one per holder set): compare against their union.
  std::set<std::string> union_holders;
  bool rule_fired = false;
  for (const auto& a : result.annotations()) {
    if (a.stance() != rule.stance() || a.polarity() != want) continue;
    for (const auto& e : a.evidence()) rule_fired = rule_fired || e.rule_id() == rule.id();
    std::set<std::string> h = HolderSet(a);
    union_holders.insert(h.begin(), h.end());
  }
  out.passed = rule_fired && (holders.empty() || holders == union_holders);
  if (!rule_fired) {
    // Why the rule did not match: its closest reading, sentence by sentence.
    const int index = rules.FindRule(rule.id());
    std::vector<SentenceSpan> sentences;
    SplitSentences(example.text(), &sentences);
    NearMiss best;
    for (const SentenceSpan& span : sentences) {
      if (index < 0) break;
      NearMiss miss =
          AnalyzeRule(rules, index,
                      absl::string_view(example.text()).substr(span.begin, span.end - span.begin));
      if (best.reading < 0 || miss.fraction > best.fraction) best = std::move(miss);
    }
    if (best.reading >= 0) {
      out.near_miss = absl::StrFormat("%d%% of reading %d (%s): %s",
                                      static_cast<int>(100 * best.fraction + 0.5), best.reading + 1,
                                      rules.rules()[index].readings[best.reading].source,
                                      best.what.empty() ? "nothing of it occurs" : best.what);
    }
  }
  return out;
}

}  // namespace

std::string ExampleOutcome::Describe() const {
  std::string out =
      absl::StrCat(example_location.line > 0 ? example_location.ToString() : location.ToString(),
                   ": ", passed ? "PASS" : "FAIL", " [", rule_id, "] ",
                   counterexample ? "counterexample" : "example", "\n  text:     ", example.text());
  if (!example.speaker().empty()) absl::StrAppend(&out, "\n  speaker:  ", example.speaker());
  absl::StrAppend(&out, "\n  expected: ", expected,
                  "\n  actual:   ", actual.empty() ? "(no annotations)" : actual,
                  "\n  fired:    ", fired.empty() ? "(no rule)" : absl::StrJoin(fired, ", "));
  if (!near_miss.empty()) absl::StrAppend(&out, "\n  nearest:  ", near_miss);
  return out;
}

std::vector<ExampleOutcome> RunRuleExamples(const CompiledRuleSet& rules, const std::string& filter,
                                            const std::function<bool()>& cancelled) {
  std::vector<ExampleOutcome> out;
  const auto& rs = rules.source();
  const auto& locations = rules.loaded().rule_locations;
  for (int i = 0; i < rs.rule_size(); ++i) {
    const auto& rule = rs.rule(i);
    if (!filter.empty() && rule.id().find(filter) == std::string::npos) continue;
    SourceLocation where = i < static_cast<int>(locations.size()) ? locations[i] : SourceLocation();
    const RuleLocations* parts = i < static_cast<int>(rules.loaded().rule_parts.size())
                                     ? &rules.loaded().rule_parts[i]
                                     : nullptr;
    auto at = [](const std::vector<SourceLocation>* v, int k) {
      return v != nullptr && k < static_cast<int>(v->size()) ? (*v)[k] : SourceLocation();
    };
    for (int k = 0; k < rule.example_size(); ++k) {
      if (cancelled && cancelled()) return out;
      out.push_back(RunOne(rules, rule, rule.example(k), false, where, cancelled));
      out.back().example_location = at(parts ? &parts->examples : nullptr, k);
    }
    for (int k = 0; k < rule.counterexample_size(); ++k) {
      if (cancelled && cancelled()) return out;
      out.push_back(RunOne(rules, rule, rule.counterexample(k), true, where, cancelled));
      out.back().example_location = at(parts ? &parts->counterexamples : nullptr, k);
    }
  }
  return out;
}

std::string SummarizeAnnotations(const entente::v1::ClassifyResult& result) {
  std::vector<std::string> parts;
  for (const auto& a : result.annotations()) {
    std::vector<std::string> holders;
    for (const auto& h : a.holders()) holders.push_back(h.actor());
    std::vector<std::string> rules;
    for (const auto& e : a.evidence()) rules.push_back(e.rule_id());
    parts.push_back(absl::StrFormat(
        "%s %s [%s] %.2f (%s)", a.stance(), entente::v1::Polarity_Name(a.polarity()),
        absl::StrJoin(holders, ", "), a.score(), absl::StrJoin(rules, ", ")));
  }
  return absl::StrJoin(parts, "; ");
}

}  // namespace entente
