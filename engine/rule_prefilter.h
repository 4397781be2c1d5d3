// File: engine/rule_prefilter.h
//
// The rule prefilter picks, for one sentence, the few rules that may match
// it, with one scan for the literals every rule requires (see
// engine/required_literals.h; the scan is engine/literal_matcher.h) and no
// allocation. A rule is a
// candidate when each of its clauses has a literal in the sentence; rules
// with no required literal are candidates for every sentence. The
// candidates are a superset of the rules whose full pattern matches, so
// confirming only them gives the same results as running every rule.
//
//   std::vector<std::string> patterns = {"(?:call|urge)s?\\s+for\\s+(?:a\\s+)?ceasefire",
//                                        "\\bwalk(?:ed|s)?\\s+away\\s+from"};
//   entente::RulePrefilter prefilter = entente::RulePrefilter::Build(patterns, {});
//   std::vector<int> candidates;
//   prefilter.Select("China called for a ceasefire.", &candidates);  // {0}

#ifndef ENTENTE_ENGINE_RULE_PREFILTER_H_
#define ENTENTE_ENGINE_RULE_PREFILTER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/literal_matcher.h"
#include "engine/required_literals.h"

namespace entente {

// Immutable after Build; Select is safe to call from many threads at once
// (each thread keeps its own scratch). Movable, not copyable.
class RulePrefilter {
 public:
  struct Options {
    // Memory budget of the literal scan's tables.
    int64_t max_mem = 64 << 20;
    RequiredLiteralOptions literals;
  };

  RulePrefilter() = default;
  RulePrefilter(RulePrefilter&&) = default;
  RulePrefilter& operator=(RulePrefilter&&) = default;

  // Builds the prefilter of `patterns` (RE2 patterns RE2 accepts; rule i is
  // patterns[i]). When the literal scan does not fit in options.max_mem,
  // the result is not ok() and selects every rule.
  static RulePrefilter Build(const std::vector<std::string>& patterns, const Options& options);

  // The literal scan (empty when there are no literals).
  const LiteralMatcher& matcher() const { return matcher_; }

  // False if the literal scan did not fit its memory budget.
  bool ok() const { return ok_; }

  // Number of distinct literals the scan looks for.
  int literal_count() const { return static_cast<int>(literals_.size()); }

  // The literals, in the scan's order (for diagnostics and benchmarks).
  const std::vector<RequiredLiteral>& literals() const { return literals_; }

  // Rules with no required literal: candidates for every text. Increasing.
  const std::vector<int>& unfiltered() const { return unfiltered_; }

  // The condition rule `rule` was given.
  const LiteralCondition& condition(int rule) const { return conditions_[rule]; }

  // Replaces `candidates` with the rules that may match `text`, in
  // increasing order. Returns false, with every rule selected, when the
  // prefilter is not ok().
  bool Select(absl::string_view text, std::vector<int>* candidates) const;

 private:
  bool ok_ = false;
  int rule_count_ = 0;
  std::vector<LiteralCondition> conditions_;
  std::vector<RequiredLiteral> literals_;
  LiteralMatcher matcher_;
  // Flattened adjacency lists: the clauses each literal satisfies, the rules
  // each clause belongs to (CSR: begin offsets, then entries).
  std::vector<int> literal_clause_begin_;
  std::vector<int> literal_clauses_;
  std::vector<int> clause_rule_begin_;
  std::vector<int> clause_rules_;
  std::vector<int> rule_clause_count_;
  std::vector<int> unfiltered_;
};

}  // namespace entente

#endif  // ENTENTE_ENGINE_RULE_PREFILTER_H_
