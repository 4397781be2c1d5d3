#include "engine/context.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/pattern_checks.h"

namespace entente {
namespace {

using entente::v1::ContextTrigger;

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// Builds one RE2 from phrases (lexicon syntax) and raw patterns; null if
// there are none. Reports problems against `where`.
std::unique_ptr<RE2> CompileAlternation(const std::vector<std::string>& phrases,
                                        const std::vector<std::string>& patterns,
                                        const LexiconTable& lexicons, const SourceLocation& where,
                                        const std::string& id, const char* what,
                                        std::vector<Diagnostic>* diagnostics, bool* ok) {
  std::vector<std::string> parts;
  auto report = [&](std::string message) {
    diagnostics->push_back({Diagnostic::Severity::kError, where, id, std::move(message)});
    *ok = false;
  };
  for (const std::string& phrase : phrases) {
    // A phrase may contain {lexicon} references; the rest is literal.
    std::string regex;
    size_t last = 0;
    ForEachLexiconReference(phrase, [&](absl::string_view name, size_t begin, size_t end) {
      absl::StrAppend(&regex, PhraseToRegex(absl::string_view(phrase).substr(last, begin - last)));
      absl::StatusOr<std::string> sub = lexicons.RegexFor(name);
      if (!sub.ok()) {
        report(absl::StrCat(what, " \"", phrase, "\": ", sub.status().message()));
      } else {
        absl::StrAppend(&regex, *sub);
      }
      last = end;
    });
    absl::StrAppend(&regex, PhraseToRegex(absl::string_view(phrase).substr(last)));
    parts.push_back(regex);
  }
  for (const std::string& phrase : phrases) {
    if (phrase.find_first_not_of(" \t\n") == std::string::npos) {
      report(absl::StrCat("empty ", what, " term: it would match at every position"));
      return nullptr;
    }
  }
  for (const std::string& pattern : patterns) {
    size_t any_byte = 0;
    if (FindAnyByteEscape(pattern, &any_byte)) {
      report(absl::StrCat(what, " pattern \"", pattern, "\": \\C (any byte) at offset ", any_byte,
                          " can end a match inside a UTF-8 character"));
      continue;
    }
    absl::StatusOr<std::string> expanded = lexicons.Expand(pattern);
    if (!expanded.ok()) {
      report(absl::StrCat(what, " pattern \"", pattern, "\": ", expanded.status().message()));
      continue;
    }
    parts.push_back(*expanded);
  }
  if (parts.empty()) return nullptr;
  RE2::Options options;
  options.set_case_sensitive(false);
  options.set_log_errors(false);
  auto re = std::make_unique<RE2>(absl::StrCat("(?:", absl::StrJoin(parts, ")|(?:"), ")"), options);
  if (!re->ok()) {
    report(absl::StrCat("invalid ", what, ": ", re->error()));
    return nullptr;
  }
  if (CanMatchEmpty(*re)) {
    // Find() would report a hit at every byte offset of every sentence.
    report(absl::StrCat(what, " can match the empty string; it would fire at every position"));
    return nullptr;
  }
  return re;
}

// Advances from `pos` over `tokens` white-space-separated tokens; returns
// the end of the last one (or the limit).
size_t ForwardTokens(absl::string_view s, size_t pos, int tokens) {
  size_t i = pos;
  for (int t = 0; t < tokens && i < s.size(); ++t) {
    while (i < s.size() && IsSpace(s[i])) ++i;
    while (i < s.size() && !IsSpace(s[i])) ++i;
  }
  return i;
}

size_t BackwardTokens(absl::string_view s, size_t pos, int tokens) {
  size_t i = pos;
  for (int t = 0; t < tokens && i > 0; ++t) {
    while (i > 0 && IsSpace(s[i - 1])) --i;
    while (i > 0 && !IsSpace(s[i - 1])) --i;
  }
  return i;
}

}  // namespace

ContextMatcher ContextMatcher::Build(const LoadedRuleSet& loaded, const LexiconTable& lexicons,
                                     std::vector<Diagnostic>* diagnostics) {
  ContextMatcher matcher;
  const auto& triggers = loaded.rule_set.context();
  for (int i = 0; i < triggers.size(); ++i) {
    const ContextTrigger& t = triggers[i];
    SourceLocation where = i < static_cast<int>(loaded.context_locations.size())
                               ? loaded.context_locations[i]
                               : SourceLocation();
    auto report = [&](std::string message) {
      diagnostics->push_back({Diagnostic::Severity::kError, where, t.id(), std::move(message)});
    };
    if (t.id().empty()) {
      report("context trigger without an id");
      continue;
    }
    // Text protos accept any number for an enum: refuse the unknown ones.
    if (t.kind() == entente::v1::CONTEXT_KIND_UNSPECIFIED ||
        !entente::v1::ContextKind_IsValid(t.kind())) {
      report(
          "context trigger needs a kind (NEGATION, HEDGE, HYPOTHETICAL, QUESTION, "
          "REPORTED_SPEECH)");
      continue;
    }
    if (t.effect() == entente::v1::EFFECT_UNSPECIFIED || !entente::v1::Effect_IsValid(t.effect())) {
      report("context trigger needs an effect (FLIP, DISCOUNT, DROP, NOTE)");
      continue;
    }
    if (!entente::v1::Direction_IsValid(t.direction())) {
      report(absl::StrCat("unknown direction ", t.direction(),
                          " (FORWARD, BACKWARD or BIDIRECTIONAL)"));
      continue;
    }
    // Written so that NaN fails too: it would make every score it touches NaN.
    if (!(t.factor() >= 0 && t.factor() <= 1)) {
      report(absl::StrCat("factor ", t.factor(), " is not a number in [0, 1]"));
      continue;
    }
    if (t.scope_tokens() < 0) {
      report("scope_tokens must not be negative");
      continue;
    }
    bool ok = true;
    ContextTriggerSpec spec;
    spec.id = t.id();
    spec.kind = t.kind();
    spec.direction =
        t.direction() == entente::v1::DIRECTION_UNSPECIFIED ? entente::v1::FORWARD : t.direction();
    spec.effect = t.effect();
    spec.scope_tokens = t.scope_tokens();
    spec.factor = t.factor() == 0 ? 1.0 : t.factor();
    spec.stances.insert(t.stance().begin(), t.stance().end());
    spec.trigger = CompileAlternation({t.term().begin(), t.term().end()},
                                      {t.pattern().begin(), t.pattern().end()}, lexicons, where,
                                      t.id(), "trigger", diagnostics, &ok);
    spec.terminator = CompileAlternation({t.terminator().begin(), t.terminator().end()}, {},
                                         lexicons, where, t.id(), "terminator", diagnostics, &ok);
    spec.pseudo = CompileAlternation({t.pseudo().begin(), t.pseudo().end()}, {}, lexicons, where,
                                     t.id(), "pseudo-trigger", diagnostics, &ok);
    if (ok && spec.trigger == nullptr) {
      report("context trigger has no term and no pattern");
      ok = false;
    }
    if (ok) matcher.triggers_.push_back(std::move(spec));
  }
  return matcher;
}

void ContextMatcher::Find(absl::string_view sentence, std::vector<TriggerHit>* hits) const {
  hits->clear();
  re2::StringPiece input(sentence.data(), sentence.size());
  re2::StringPiece m;
  for (int t = 0; t < size(); ++t) {
    const ContextTriggerSpec& spec = triggers_[t];
    size_t pos = 0;
    while (pos <= sentence.size() &&
           spec.trigger->Match(input, pos, sentence.size(), RE2::UNANCHORED, &m, 1)) {
      size_t begin = m.data() - sentence.data();
      size_t end = begin + m.size();
      pos = end > begin ? end : end + 1;
      if (spec.pseudo != nullptr) {
        // A pseudo-trigger that overlaps this occurrence cancels it.
        bool cancelled = false;
        re2::StringPiece p;
        size_t from = begin > 40 ? begin - 40 : 0;
        size_t ppos = from;
        while (ppos < sentence.size() &&
               spec.pseudo->Match(input, ppos, std::min(sentence.size(), end + 40), RE2::UNANCHORED,
                                  &p, 1)) {
          size_t pb = p.data() - sentence.data();
          size_t pe = pb + p.size();
          if (pb < end && pe > begin) cancelled = true;
          ppos = pe > pb ? pe : pe + 1;
        }
        if (cancelled) continue;
      }
      TriggerHit hit{t, begin, end, 0, sentence.size()};
      bool forward =
          spec.direction == entente::v1::FORWARD || spec.direction == entente::v1::BIDIRECTIONAL;
      bool backward =
          spec.direction == entente::v1::BACKWARD || spec.direction == entente::v1::BIDIRECTIONAL;
      hit.scope_begin = backward ? 0 : begin;
      hit.scope_end = forward ? sentence.size() : end;
      if (spec.scope_tokens > 0) {
        if (forward) hit.scope_end = ForwardTokens(sentence, end, spec.scope_tokens);
        if (backward) hit.scope_begin = BackwardTokens(sentence, begin, spec.scope_tokens);
      }
      if (spec.terminator != nullptr) {
        re2::StringPiece term;
        if (forward &&
            spec.terminator->Match(input, end, hit.scope_end, RE2::UNANCHORED, &term, 1)) {
          hit.scope_end = term.data() - sentence.data();
        }
        if (backward) {
          size_t tpos = hit.scope_begin;
          while (tpos < begin &&
                 spec.terminator->Match(input, tpos, begin, RE2::UNANCHORED, &term, 1)) {
            size_t te = term.data() - sentence.data() + term.size();
            hit.scope_begin = te;
            tpos = te > tpos ? te : tpos + 1;
          }
        }
      }
      hits->push_back(hit);
    }
  }
}

void ContextMatcher::Applicable(const std::vector<TriggerHit>& hits, size_t begin, size_t end,
                                absl::string_view stance, std::vector<int>* out) const {
  for (int i = 0; i < static_cast<int>(hits.size()); ++i) {
    const TriggerHit& hit = hits[i];
    const ContextTriggerSpec& spec = triggers_[hit.trigger];
    if (!spec.stances.empty() && !spec.stances.contains(stance)) continue;
    bool forward_covers = hit.scope_end > hit.end && begin >= hit.end && begin < hit.scope_end;
    bool backward_covers = hit.scope_begin < hit.begin && end <= hit.begin && end > hit.scope_begin;
    if (forward_covers || backward_covers) out->push_back(i);
  }
}

void ContextMatcher::ApplicableInGaps(const std::vector<TriggerHit>& hits,
                                      const std::vector<std::pair<size_t, size_t>>& gaps,
                                      absl::string_view stance, std::vector<int>* out) const {
  for (int i = 0; i < static_cast<int>(hits.size()); ++i) {
    const TriggerHit& hit = hits[i];
    const ContextTriggerSpec& spec = triggers_[hit.trigger];
    if (!spec.stances.empty() && !spec.stances.contains(stance)) continue;
    if (std::find(out->begin(), out->end(), i) != out->end()) continue;
    for (const auto& [gap_begin, gap_end] : gaps) {
      if (hit.begin < gap_begin || hit.end > gap_end) continue;
      const bool forward = hit.scope_end > hit.end && hit.scope_end >= gap_end;
      const bool backward = hit.scope_begin < hit.begin && hit.scope_begin <= gap_begin;
      if (forward || backward) {
        out->push_back(i);
        break;
      }
    }
  }
}

}  // namespace entente
