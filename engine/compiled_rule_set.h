// File: engine/compiled_rule_set.h
//
// Compilation is the second stage of the pipeline: it validates a loaded
// rule set, expands lexicons into RE2 patterns, builds the prefilter (the
// literals each rule requires, see engine/rule_prefilter.h), the context
// matcher and the actor gazetteer. The result is
// immutable and shared by every request through a
// std::shared_ptr<const CompiledRuleSet>; a reload builds a new one and swaps
// the pointer.
//
//   std::vector<entente::Diagnostic> diagnostics;
//   absl::StatusOr<std::shared_ptr<const entente::CompiledRuleSet>> rules =
//       entente::CompileRuleSetFile("rules/default.textproto", &diagnostics);
//   if (!rules.ok()) { for (auto& d : diagnostics) std::cerr << d.ToString() << "\n"; }
//   entente::v1::ClassifyResult result =
//       entente::Classify(**rules, "China called for a ceasefire.", {});

#ifndef ENTENTE_ENGINE_COMPILED_RULE_SET_H_
#define ENTENTE_ENGINE_COMPILED_RULE_SET_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "engine/actor_gazetteer.h"
#include "engine/attribution.h"
#include "engine/context.h"
#include "engine/diagnostic.h"
#include "engine/lexicon.h"
#include "engine/rule_prefilter.h"
#include "engine/rule_set_loader.h"
#include "engine/token_pattern.h"
#include "proto/rule_set.pb.h"
#include "re2/re2.h"

namespace entente {

// One reading of a rule: a token sequence or a pattern, compiled.
struct CompiledReading {
  // The full pattern with captures; confirms prefilter candidates.
  std::unique_ptr<RE2> regex;
  int holder_group = -1;  // capture index of the holder role, or -1
  int target_group = -1;  // capture index of the target role, or -1
  // Capture indices of the gaps of a token sequence (where a negation
  // inside the match applies).
  std::vector<int> gap_groups;
  // The expanded pattern text (what RE2 compiled).
  std::string expanded;
  // As the analyst wrote it ("template ask_for: ..." for a template's).
  std::string source;
  // True for a token sequence, false for a raw pattern.
  bool from_tokens = false;
  SourceLocation location;
  // A token reading's elements, and the template parameters bound in it
  // (for near-miss analysis).
  TokenSequence sequence;
  std::map<std::string, std::string> params;
};

// One compiled rule.
struct CompiledRule {
  std::string id;
  std::string stance;
  entente::v1::Polarity polarity = entente::v1::SUPPORT;
  double weight = 0.7;
  bool mutual = false;
  // At least one.
  std::vector<CompiledReading> readings;
  std::vector<std::unique_ptr<RE2>> vetoes;
  entente::v1::VetoScope veto_scope = entente::v1::SENTENCE;
  // Evidence needs a holder that attribution names (Rule.holder_required).
  bool holder_required = false;
  // Lexicons the readings refer to, in order (for near-miss explanations).
  std::vector<std::string> lexicons;
  // Indices of the rules whose matches inside one of this rule's matches
  // are dropped when this rule fires (Rule.overrides).
  std::vector<int> overrides;
  SourceLocation location;
};

struct CompileOptions {
  // Memory budget of the prefilter's literal scan. When it does not fit,
  // every sentence runs every rule's full pattern instead: slower, never a
  // dropped rule.
  int64_t prefilter_max_mem = 64 << 20;
  // Shortest literal the prefilter looks for (two letters with a word
  // boundary on each side, as in \bUN\b, also count); a rule with no
  // required literal this long is a candidate for every sentence.
  int min_atom_length = 3;
  // Memory budget of each rule's own RE2.
  int64_t rule_max_mem = 8 << 20;
  // Upper bound on the RE2 pattern text the rule set expands to (lexicon
  // references replaced), measured before anything is expanded (see
  // engine/pattern_size.h). A rule set over it is refused with a diagnostic
  // naming its largest part. Bounds compile time (RE2 compiles about a MiB
  // of pattern a second) and memory whatever the rule file says: lexicons
  // that refer to each other twice per level double at every level. The
  // default rule set measures well under 1 MiB.
  int64_t max_pattern_bytes = 16 << 20;
};

// Default weight of a rule that does not set one.
constexpr double kDefaultRuleWeight = 0.7;

// Immutable after compilation; safe to use from many threads at once.
class CompiledRuleSet {
 public:
  // Compiles `loaded`. Appends every problem to `diagnostics`; returns
  // InvalidArgument if any is an error (the rule set is then unusable).
  static absl::StatusOr<std::shared_ptr<const CompiledRuleSet>> Compile(
      const LoadedRuleSet& loaded, const CompileOptions& options,
      std::vector<Diagnostic>* diagnostics);

  const std::string& name() const { return name_; }
  const std::string& version() const { return version_; }
  const std::vector<CompiledRule>& rules() const { return rules_; }
  // Every reading of every rule, rule by rule: the prefilter's patterns.
  struct ReadingRef {
    int rule;
    int reading;
  };
  const std::vector<ReadingRef>& readings() const { return readings_; }
  const CompiledReading& reading(int index) const {
    const ReadingRef& r = readings_[index];
    return rules_[r.rule].readings[r.reading];
  }
  const ContextMatcher& context() const { return context_; }
  const ActorGazetteer& gazetteer() const { return gazetteer_; }
  const AttributionLexicons& attribution() const { return attribution_; }
  const LexiconTable& lexicons() const { return lexicons_; }
  // The merged rule set as loaded (for GetRuleSet and tests of examples).
  const entente::v1::RuleSet& source() const { return loaded_.rule_set; }
  const LoadedRuleSet& loaded() const { return loaded_; }
  // Names of the lexicons some rule, trigger or attribution list uses.
  const std::set<std::string>& used_lexicons() const { return used_lexicons_; }
  // True if the prefilter fits its memory budget.
  bool has_prefilter() const { return prefilter_.ok(); }
  // Number of literals the prefilter scans for.
  int prefilter_atoms() const { return prefilter_.literal_count(); }
  // Readings (indices into readings()) the prefilter cannot filter: they
  // have no required literal of at least min_atom_length bytes, so they run
  // on every sentence.
  const std::vector<int>& unfiltered_readings() const { return prefilter_.unfiltered(); }
  // The prefilter itself (which literals each reading requires).
  const RulePrefilter& prefilter() const { return prefilter_; }

  // Replaces `candidates` with the indices (into readings()) of the readings
  // that may match `sentence`, in increasing order, so that the readings of
  // one rule are adjacent. Uses the prefilter; falls back to every reading
  // when the prefilter did not fit its memory budget at compile time (then
  // returns false, so callers can count fallbacks).
  bool SelectCandidates(absl::string_view sentence, std::vector<int>* candidates) const;

  // Index of the rule with `id`, or -1.
  int FindRule(absl::string_view id) const;

  // What ends a clause: ; : and the words of the token syntax's
  // clause-break lexicon. Never null.
  const RE2& clause_break() const { return *clause_break_; }

  // The patterns of the elements of token reading `reading` (an index into
  // readings()), one per element of its sequence, null for gaps and for
  // elements that do not compile alone; empty for a raw pattern. Compiled on
  // first use and kept (near-miss analysis, off the hot path). Thread-safe.
  const std::vector<std::unique_ptr<RE2>>& ElementPatterns(int reading) const;

  // The compiled regex of a lexicon some rule refers to, or null. Used to
  // explain near misses, not on the hot path.
  const RE2* LexiconRegex(absl::string_view name) const;

 private:
  CompiledRuleSet() = default;

  std::string name_;
  std::string version_;
  LoadedRuleSet loaded_;
  LexiconTable lexicons_;
  friend class RuleSetCompiler;

  std::vector<CompiledRule> rules_;
  std::vector<ReadingRef> readings_;
  absl::flat_hash_map<std::string, int> rule_index_;
  // The prefilter: the literals each rule requires, found with one scan per
  // sentence.
  RulePrefilter prefilter_;
  ContextMatcher context_;
  ActorGazetteer gazetteer_;
  AttributionLexicons attribution_;
  std::set<std::string> used_lexicons_;
  absl::flat_hash_map<std::string, std::unique_ptr<RE2>> lexicon_regex_;
  std::unique_ptr<RE2> clause_break_;
  std::vector<std::string> clause_break_words_;
  int64_t rule_max_mem_ = 8 << 20;
  mutable absl::Mutex element_mu_;
  mutable absl::flat_hash_map<int, std::unique_ptr<std::vector<std::unique_ptr<RE2>>>>
      element_patterns_ ABSL_GUARDED_BY(element_mu_);
};

// Loads and compiles the rule-set file at `path` (includes resolved inside
// its directory).
absl::StatusOr<std::shared_ptr<const CompiledRuleSet>> CompileRuleSetFile(
    const std::string& path, std::vector<Diagnostic>* diagnostics,
    const CompileOptions& options = {});

}  // namespace entente

#endif  // ENTENTE_ENGINE_COMPILED_RULE_SET_H_
