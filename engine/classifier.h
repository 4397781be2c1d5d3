// File: engine/classifier.h
//
// Classify runs stages 3 to 8 of the pipeline on one text: segment it into
// sentences, select candidate rules with one prefilter scan per sentence,
// confirm candidates with their full patterns, apply context modifiers,
// attribute holders, score, and aggregate the document.
//
//   std::vector<entente::Diagnostic> diagnostics;
//   auto rules = entente::CompileRuleSetFile("rules/default.textproto", &diagnostics);
//   entente::ClassifyOptions options;
//   options.speaker = "CHN";
//   entente::v1::ClassifyResult result =
//       entente::Classify(**rules, "We call for an immediate ceasefire.", options);
//   // result.annotations(0): ceasefire SUPPORT, holders [CHN], score 0.8, evidence ...

#ifndef ENTENTE_ENGINE_CLASSIFIER_H_
#define ENTENTE_ENGINE_CLASSIFIER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/compiled_rule_set.h"
#include "engine/context.h"
#include "engine/explanation.h"
#include "engine/segmenter.h"
#include "proto/result.pb.h"
#include "re2/re2.h"

namespace entente {

struct ClassifyOptions {
  // Copied to the result.
  std::string id;
  // Actor id of whoever is speaking; first person resolves to it.
  std::string speaker;
  // Annotations scoring below this are left out.
  double min_score = 0.0;
  // Fill the result's explanation (near misses, triggers, steps).
  bool explain = false;
  // List every sentence with its offsets in the result.
  bool include_sentences = true;
  // Compute the document aggregate.
  bool aggregate = true;
  // Bounds the explanation when `explain` is set.
  ExplanationLimits explain_limits;
  // When set, called before each sentence; once it returns true (it must
  // then keep returning true), Classify stops and returns at once with a
  // partial result, which the caller must discard. A server passes one that
  // checks the call's deadline and cancellation, so that abandoned work
  // stops within a sentence. Called on the classifying thread.
  std::function<bool()> cancelled;
};

// Per-thread buffers reused across calls so that the hot path does not
// allocate per rule per sentence. Not thread-safe: one per thread.
struct ClassifierScratch {
  std::vector<SentenceSpan> sentences;
  std::vector<int> candidates;
  std::vector<TriggerHit> triggers;
  std::vector<int> applicable;
  // Capture slots of the rule being confirmed (grown to the largest role
  // index seen; never a fixed size a rule could outgrow).
  std::vector<re2::StringPiece> groups;
  // Counts sentences that ran every rule because the rule set has no
  // prefilter (it did not fit its memory budget).
  int64_t prefilter_fallbacks = 0;
  // Counts the RE2 searches of rule patterns and vetoes. Each scans at most
  // one sentence, and sentences are at most kMaxSentenceBytes long, so this
  // bounds the matching work; tests check that it grows linearly with the
  // input.
  int64_t pattern_searches = 0;
};

// Classifies `text`, which must be valid UTF-8 (see engine/utf8.h); offsets
// in the result are bytes of `text`. Thread-safe for concurrent calls on the
// same `rules` as long as each thread passes its own scratch (or null, to
// use a thread-local one).
entente::v1::ClassifyResult Classify(const CompiledRuleSet& rules, absl::string_view text,
                                     const ClassifyOptions& options,
                                     ClassifierScratch* scratch = nullptr);

}  // namespace entente

#endif  // ENTENTE_ENGINE_CLASSIFIER_H_
