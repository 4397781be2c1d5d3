// File: engine/context.h
//
// Context modifiers in the style of NegEx and ConText: trigger phrases
// (negation, hedging, hypotheticals, questions, reported speech) open a scope
// that runs forward or backward for a number of tokens or to the sentence
// boundary, is cut by terminators ("but", "however"), and is not opened by
// pseudo-triggers ("not only"). Evidence inside a scope is flipped,
// discounted, dropped or only noted, as the rule file says. All trigger lists
// live in rule files; this class only applies them.
//
//   std::vector<entente::TriggerHit> hits;
//   matcher.Find("We do not support a ceasefire.", &hits);
//   std::vector<int> applies;
//   matcher.Applicable(hits, match_begin, match_end, "ceasefire", &applies);

#ifndef ENTENTE_ENGINE_CONTEXT_H_
#define ENTENTE_ENGINE_CONTEXT_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "engine/diagnostic.h"
#include "engine/lexicon.h"
#include "engine/rule_set_loader.h"
#include "proto/rule_set.pb.h"
#include "re2/re2.h"

namespace entente {

// A compiled context trigger.
struct ContextTriggerSpec {
  std::string id;
  entente::v1::ContextKind kind = entente::v1::CONTEXT_KIND_UNSPECIFIED;
  entente::v1::Direction direction = entente::v1::FORWARD;
  entente::v1::Effect effect = entente::v1::NOTE;
  int scope_tokens = 0;
  double factor = 1.0;
  absl::flat_hash_set<std::string> stances;  // empty: all
  std::unique_ptr<RE2> trigger;
  std::unique_ptr<RE2> terminator;  // may be null
  std::unique_ptr<RE2> pseudo;      // may be null
};

// One trigger occurrence in a sentence and the byte range it scopes over.
// Offsets are relative to the sentence.
struct TriggerHit {
  int trigger = -1;
  size_t begin = 0;
  size_t end = 0;
  size_t scope_begin = 0;
  size_t scope_end = 0;
};

// Immutable after Build; safe to share across threads.
class ContextMatcher {
 public:
  // Compiles the context triggers of `loaded`, expanding {lexicon}
  // references with `lexicons`. Problems go to `diagnostics`; a trigger with
  // errors is left out.
  static ContextMatcher Build(const LoadedRuleSet& loaded, const LexiconTable& lexicons,
                              std::vector<Diagnostic>* diagnostics);

  // Replaces `hits` with the trigger occurrences of `sentence` and their
  // scopes. Occurrences covered by a pseudo-trigger are left out.
  void Find(absl::string_view sentence, std::vector<TriggerHit>* hits) const;

  // Appends to `out` the indices into `hits` of the triggers that apply to a
  // rule match [begin, end) of `stance`: the match starts inside a forward
  // scope or ends inside a backward one. A trigger inside the match is the
  // rule's own business ("no ceasefire until") unless it is in a gap (see
  // ApplicableInGaps).
  void Applicable(const std::vector<TriggerHit>& hits, size_t begin, size_t end,
                  absl::string_view stance, std::vector<int>* out) const;

  // Appends to `out` the indices into `hits` of the triggers of `stance`
  // that lie inside one of `gaps` (the gaps of a token-sequence match,
  // sentence offsets) and scope over the rest of the match: a forward
  // trigger whose scope reaches the gap's end, a backward one whose scope
  // reaches its start ("we call on them not to agree to a truce"). Indices
  // already in `out` are not added twice.
  void ApplicableInGaps(const std::vector<TriggerHit>& hits,
                        const std::vector<std::pair<size_t, size_t>>& gaps,
                        absl::string_view stance, std::vector<int>* out) const;

  const ContextTriggerSpec& trigger(int index) const { return triggers_[index]; }
  int size() const { return static_cast<int>(triggers_.size()); }

 private:
  std::vector<ContextTriggerSpec> triggers_;
};

}  // namespace entente

#endif  // ENTENTE_ENGINE_CONTEXT_H_
