// File: engine/explanation.h
//
// Builds the explanation of a classification (ClassifyOptions::explain): for
// each sentence, what each candidate rule did (fired, vetoed, dropped by a
// question, overridden by another rule, or nearly matched), the context
// triggers found, the holder attribution steps and the score arithmetic; and
// which rules the prefilter skipped although some of their lexicons occur.
// Everything stays within ExplanationLimits; what was cut is said in
// explanation.truncated. Classify calls it only when explaining, so none of
// this is on the hot path.
//
//   entente::ExplanationBuilder explain(rules, text, limits, result.mutable_explanation());
//   explain.BeginSentence(0, sentence_begin, sentence);
//   explain.Fired(rule_index, {{3, 21}});
//   explain.EndSentence(candidate_rules);
//   explain.Finish(score_steps, sentence_count);

#ifndef ENTENTE_ENGINE_EXPLANATION_H_
#define ENTENTE_ENGINE_EXPLANATION_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/compiled_rule_set.h"
#include "engine/context.h"
#include "proto/result.pb.h"

namespace entente {

// Caps on the explanation of one text. Without them an explanation grows
// with the text times the rules (near misses are looked for among every
// rule, in every sentence): about 100 times the text. With them it stays
// within max_bytes, and once max_bytes is reached the remaining sentences
// are classified as without explain, at the same cost. Annotations are never
// cut; the result's explanation.truncated says what was.
struct ExplanationLimits {
  // Rule traces (fired, vetoed, dropped, near misses) listed per sentence.
  int max_rules_per_sentence = 32;
  // Spans listed per rule trace.
  int max_spans_per_rule = 8;
  // Context triggers, attribution steps and score steps listed per
  // sentence, each.
  int max_steps_per_sentence = 32;
  // Near misses listed per sentence (the closest first); the rest are left
  // out without counting as cut. `entente explain --all` lists every one.
  int max_near_misses = 5;
  // Serialized bytes of the whole explanation. A sentence whose explanation
  // would pass it is left out, with every later one.
  int64_t max_bytes = 1 << 20;
};

// A byte range relative to the sentence being explained.
using SentenceRange = std::pair<size_t, size_t>;

// Not thread-safe: one per classification. `rules`, `text` and `out` must
// outlive it.
class ExplanationBuilder {
 public:
  ExplanationBuilder(const CompiledRuleSet& rules, absl::string_view text,
                     const ExplanationLimits& limits, entente::v1::Explanation* out);

  // False once the byte limit is reached: later sentences go unexplained.
  bool open() const { return open_; }

  // Starts explaining sentence `index`, which begins at byte `base` of the
  // text. Only while open().
  void BeginSentence(int index, size_t base, absl::string_view sentence);

  // What candidate rule `rule` did in the current sentence.
  void Vetoed(int rule, SentenceRange veto);
  void Fired(int rule, const std::vector<SentenceRange>& matches);
  void Dropped(int rule, const std::vector<SentenceRange>& matches,
               const char* why = "a DROP modifier (question, ...) removed every match");
  void Overridden(int rule, int by, SentenceRange match);
  // A candidate rule that did not match: analyzed and ranked at EndSentence.
  void NearMiss(int rule);

  // The context triggers found in the current sentence.
  void Triggers(const ContextMatcher& context, const std::vector<TriggerHit>& hits);

  // An attribution step of the current sentence.
  void Step(std::string line);

  // Ends the current sentence: adds the rules the prefilter did not select
  // (`candidate_rules`, sorted, are the ones it did) but whose lexicons
  // partly occur; removes the sentence's explanation if it says nothing.
  void EndSentence(const std::vector<int>& candidate_rules);

  // Adds the score arithmetic (sentence index, line) and records what the
  // limits cut, for a text of `sentences` sentences.
  void Finish(std::vector<std::pair<int, std::string>> score_steps, int sentences);

 private:
  entente::v1::RuleTrace* AddTrace(int rule, entente::v1::RuleTrace::Outcome outcome);
  void AddSpan(entente::v1::RuleTrace* trace, SentenceRange range);
  bool Room(int listed, int max);

  const CompiledRuleSet& rules_;
  absl::string_view text_;
  const ExplanationLimits& limits_;
  entente::v1::Explanation* const out_;
  entente::v1::SentenceExplanation* current_ = nullptr;
  size_t base_ = 0;
  absl::string_view sentence_;
  // Rules of the current sentence to analyze as near misses (selected by the
  // prefilter, or not).
  std::vector<int> near_misses_;
  bool open_ = true;
  bool capped_ = false;  // the current sentence hit a cap
  std::vector<int> capped_sentences_;
  int first_unexplained_ = 0;
  int64_t bytes_ = 0;
};

}  // namespace entente

#endif  // ENTENTE_ENGINE_EXPLANATION_H_
