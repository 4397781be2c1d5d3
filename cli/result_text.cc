#include "cli/result_text.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace entente {
namespace {

using entente::v1::Polarity_Name;

std::string SpanText(const entente::v1::Span& s) {
  return absl::StrFormat("\"%s\" [%d,%d)", s.text(), s.begin(), s.end());
}

}  // namespace

std::string FormatResultText(const entente::v1::ClassifyResult& result) {
  std::string out;
  int last_sentence = -1;
  for (const auto& a : result.annotations()) {
    if (a.sentence_index() != last_sentence) {
      last_sentence = a.sentence_index();
      absl::StrAppendFormat(&out, "[%d] %s\n", a.sentence_index() + 1, a.sentence().text());
    }
    std::vector<std::string> holders;
    for (const auto& h : a.holders()) {
      holders.push_back(
          h.span().text().empty()
              ? absl::StrCat(h.actor(), " (", ViaText(h.via()), ")")
              : absl::StrCat(h.actor(), " (", ViaText(h.via()), ": \"", h.span().text(), "\")"));
    }
    absl::StrAppendFormat(&out, "    %s %s  holders: %s  score %.2f\n", a.stance(),
                          Polarity_Name(a.polarity()),
                          holders.empty() ? "(none)" : absl::StrJoin(holders, ", "), a.score());
    for (const auto& e : a.evidence()) {
      absl::StrAppendFormat(&out, "      evidence %s %s weight %.2f -> %.3f\n", e.rule_id(),
                            SpanText(e.span()), e.weight(), e.contribution());
      for (const auto& m : e.modifiers()) {
        absl::StrAppendFormat(&out, "        modifier %s (%s, %s x%.2f) %s\n", m.trigger_id(),
                              entente::v1::ContextKind_Name(m.kind()),
                              entente::v1::Effect_Name(m.effect()), m.factor(), SpanText(m.span()));
      }
    }
  }
  if (result.annotations_size() == 0) out += "no stance found\n";
  const auto& agg = result.aggregate();
  if (agg.actor_stances_size() > 0) {
    out += "actors:\n";
    for (const auto& s : agg.actor_stances()) {
      absl::StrAppendFormat(&out, "    %-8s %s %s  score %.2f  (%d)\n", s.actor(), s.stance(),
                            Polarity_Name(s.polarity()), s.score(), s.count());
    }
  }
  if (agg.edges_size() > 0) {
    out += "alignment:\n";
    for (const auto& e : agg.edges()) {
      absl::StrAppendFormat(&out, "    %s -- %s  %s %s  score %.2f%s\n", e.actor_a(), e.actor_b(),
                            e.stance(), Polarity_Name(e.polarity()), e.score(),
                            e.mutual() ? "  mutual" : "");
    }
  }
  absl::StrAppendFormat(&out, "rule set: %s %s\n", result.rule_set(), result.rule_set_version());
  return out;
}

std::string FormatExplanationText(const entente::v1::ClassifyResult& result) {
  std::string out;
  for (const auto& s : result.explanation().sentences()) {
    std::string text;
    for (const auto& sentence : result.sentences()) {
      if (sentence.index() == s.sentence_index()) text = sentence.span().text();
    }
    absl::StrAppendFormat(&out, "sentence %d: %s\n", s.sentence_index() + 1, text);
    for (const auto& r : s.rules()) {
      std::vector<std::string> spans;
      for (const auto& sp : r.spans()) spans.push_back(SpanText(sp));
      std::string outcome = OutcomeText(r.outcome());
      if (r.outcome() == entente::v1::RuleTrace::NEAR_MISS ||
          r.outcome() == entente::v1::RuleTrace::PARTIAL) {
        absl::StrAppendFormat(&outcome, " %d%%", static_cast<int>(100 * r.match_fraction() + 0.5));
      }
      absl::StrAppendFormat(&out, "  rule %-28s %-13s %s%s\n", r.rule_id(), outcome,
                            absl::StrJoin(spans, " "),
                            r.note().empty() ? "" : absl::StrCat("  (", r.note(), ")"));
    }
    for (const auto& t : s.triggers()) {
      absl::StrAppendFormat(&out, "  trigger %s (%s, %s x%.2f) %s\n", t.trigger_id(),
                            entente::v1::ContextKind_Name(t.kind()),
                            entente::v1::Effect_Name(t.effect()), t.factor(), SpanText(t.span()));
    }
    for (const auto& step : s.attribution_steps()) absl::StrAppend(&out, "  holder: ", step, "\n");
    for (const auto& step : s.score_steps()) absl::StrAppend(&out, "  score: ", step, "\n");
  }
  if (out.empty()) out = "no rule was a candidate for any sentence\n";
  return out;
}

std::string ViaText(entente::v1::Holder::Via via) {
  return absl::AsciiStrToLower(entente::v1::Holder::Via_Name(via));
}

std::string OutcomeText(entente::v1::RuleTrace::Outcome outcome) {
  return absl::AsciiStrToLower(entente::v1::RuleTrace::Outcome_Name(outcome));
}

}  // namespace entente
