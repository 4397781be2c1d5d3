#include "engine/rule_coverage.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/lexicon.h"

namespace entente {
namespace {

void AppendJsonString(absl::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      absl::StrAppendFormat(out, "\\u%04x", static_cast<unsigned char>(c));
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

}  // namespace

RuleCoverage::RuleCoverage(const CompiledRuleSet& rules, int samples_per_rule)
    : compiled_(rules), samples_per_rule_(samples_per_rule) {
  for (const CompiledRule& rule : rules.rules()) rules_.push_back({rule.id, rule.stance, 0, {}});
  RE2::Options options;
  options.set_case_sensitive(false);
  options.set_log_errors(false);
  options.set_max_mem(256 << 20);
  term_set_ = std::make_unique<RE2::Set>(options, RE2::UNANCHORED);
  for (const auto& lexicon : rules.source().lexicon()) {
    if (lexicon.regex()) continue;
    for (const std::string& term : lexicon.term()) {
      if (term.find('{') != std::string::npos) continue;  // refers to other lexicons
      std::string error;
      if (term_set_->Add(PhraseToRegex(term), &error) >= 0) {
        terms_.push_back({lexicon.name(), term, 0});
      }
    }
  }
  if (terms_.empty() || !term_set_->Compile()) term_set_.reset();
}

void RuleCoverage::Add(const std::string& document_id, absl::string_view text,
                       const entente::v1::ClassifyResult& result) {
  ++documents_;
  for (const auto& a : result.annotations()) {
    for (const auto& e : a.evidence()) {
      int index = compiled_.FindRule(e.rule_id());
      if (index < 0) continue;
      RuleCount& count = rules_[index];
      ++count.fired;
      if (static_cast<int>(count.samples.size()) < samples_per_rule_) {
        count.samples.push_back({document_id, a.sentence().text(), e.span().text()});
      }
    }
  }
  if (term_set_ != nullptr) {
    term_hits_.clear();
    if (term_set_->Match(re2::StringPiece(text.data(), text.size()), &term_hits_)) {
      for (int id : term_hits_) ++terms_[id].documents;
    }
  }
}

std::string RuleCoverage::Format() const {
  std::vector<const RuleCount*> order;
  for (const auto& r : rules_) order.push_back(&r);
  std::stable_sort(order.begin(), order.end(),
                   [](const RuleCount* a, const RuleCount* b) { return a->fired > b->fired; });
  std::string out =
      absl::StrFormat("%d documents\n%-32s %-16s %10s\n", documents_, "rule", "stance", "fired");
  for (const RuleCount* r : order) {
    if (r->fired == 0) continue;
    absl::StrAppendFormat(&out, "%-32s %-16s %10d\n", r->rule_id, r->stance, r->fired);
    for (const Sample& s : r->samples) {
      absl::StrAppendFormat(&out, "    [%s] \"%s\" in: %s\n", s.document_id, s.match,
                            s.sentence.substr(0, 200));
    }
  }
  out += "rules that never fired:\n";
  int never = 0;
  for (const RuleCount* r : order) {
    if (r->fired > 0) continue;
    absl::StrAppend(&out, "    ", r->rule_id, " (", r->stance, ")\n");
    ++never;
  }
  if (never == 0) out += "    (none)\n";
  out += "lexicon terms that never occurred:\n";
  int unused = 0;
  for (const TermCount& t : terms_) {
    if (t.documents > 0) continue;
    absl::StrAppend(&out, "    {", t.lexicon, "} \"", t.term, "\"\n");
    ++unused;
  }
  if (unused == 0) out += "    (none)\n";
  return out;
}

std::string RuleCoverage::FormatJson() const {
  std::string out = absl::StrCat("{\"documents\":", documents_, ",\"rules\":[");
  for (size_t i = 0; i < rules_.size(); ++i) {
    const RuleCount& r = rules_[i];
    if (i > 0) out += ",";
    out += "{\"rule_id\":";
    AppendJsonString(r.rule_id, &out);
    out += ",\"stance\":";
    AppendJsonString(r.stance, &out);
    absl::StrAppend(&out, ",\"fired\":", r.fired, ",\"samples\":[");
    for (size_t k = 0; k < r.samples.size(); ++k) {
      if (k > 0) out += ",";
      out += "{\"document_id\":";
      AppendJsonString(r.samples[k].document_id, &out);
      out += ",\"match\":";
      AppendJsonString(r.samples[k].match, &out);
      out += ",\"sentence\":";
      AppendJsonString(r.samples[k].sentence, &out);
      out += "}";
    }
    out += "]}";
  }
  out += "],\"unused_terms\":[";
  bool first = true;
  for (const TermCount& t : terms_) {
    if (t.documents > 0) continue;
    if (!first) out += ",";
    first = false;
    out += "{\"lexicon\":";
    AppendJsonString(t.lexicon, &out);
    out += ",\"term\":";
    AppendJsonString(t.term, &out);
    out += "}";
  }
  out += "]}";
  return out;
}

}  // namespace entente
