#include "fuzz/result_checks.h"

#include <cstdlib>
#include <string>

#include "engine/utf8.h"

namespace entente {
namespace fuzz {
namespace {

void CheckSpan(const entente::v1::Span& span, absl::string_view text) {
  Check(span.begin() >= 0 && span.begin() <= span.end() &&
        static_cast<size_t>(span.end()) <= text.size());
  absl::string_view quoted = text.substr(span.begin(), span.end() - span.begin());
  Check(span.text() == quoted);
  // Inside valid UTF-8 text, a span that starts or ends inside a character
  // is itself not valid UTF-8.
  Check(IsValidUtf8(quoted));
}

bool InUnitInterval(double x) { return x >= 0 && x <= 1; }  // false for NaN

}  // namespace

void Check(bool ok) {
  if (!ok) std::abort();
}

void CheckResult(const entente::v1::ClassifyResult& result, absl::string_view text) {
  for (const auto& sentence : result.sentences()) CheckSpan(sentence.span(), text);
  for (const auto& a : result.annotations()) {
    Check(InUnitInterval(a.score()));
    CheckSpan(a.sentence(), text);
    for (const auto& e : a.evidence()) {
      CheckSpan(e.span(), text);
      if (e.has_target()) CheckSpan(e.target(), text);
      Check(InUnitInterval(e.contribution()));
      for (const auto& m : e.modifiers()) CheckSpan(m.span(), text);
    }
    for (const auto& h : a.holders()) {
      if (h.has_span()) CheckSpan(h.span(), text);
    }
  }
  for (const auto& s : result.explanation().sentences()) {
    for (const auto& rule : s.rules()) {
      for (const auto& span : rule.spans()) CheckSpan(span, text);
    }
    for (const auto& m : s.triggers()) CheckSpan(m.span(), text);
  }
  std::string bytes;
  Check(result.SerializeToString(&bytes));
}

}  // namespace fuzz
}  // namespace entente
