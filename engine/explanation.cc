#include "engine/explanation.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/near_miss.h"

namespace entente {
namespace {

using entente::v1::RuleTrace;
using entente::v1::Span;

// A repeated field's tag and length prefix, at most.
constexpr int64_t kFieldOverhead = 6;

}  // namespace

ExplanationBuilder::ExplanationBuilder(const CompiledRuleSet& rules, absl::string_view text,
                                       const ExplanationLimits& limits,
                                       entente::v1::Explanation* out)
    : rules_(rules), text_(text), limits_(limits), out_(out) {}

void ExplanationBuilder::BeginSentence(int index, size_t base, absl::string_view sentence) {
  current_ = out_->add_sentences();
  current_->set_sentence_index(index);
  base_ = base;
  sentence_ = sentence;
  capped_ = false;
}

bool ExplanationBuilder::Room(int listed, int max) {
  if (listed < max) return true;
  capped_ = true;
  return false;
}

RuleTrace* ExplanationBuilder::AddTrace(int rule, RuleTrace::Outcome outcome) {
  if (current_ == nullptr || !Room(current_->rules_size(), limits_.max_rules_per_sentence)) {
    return nullptr;
  }
  RuleTrace* trace = current_->add_rules();
  trace->set_rule_id(rules_.rules()[rule].id);
  trace->set_outcome(outcome);
  return trace;
}

void ExplanationBuilder::AddSpan(RuleTrace* trace, SentenceRange range) {
  if (trace == nullptr || !Room(trace->spans_size(), limits_.max_spans_per_rule)) return;
  Span* span = trace->add_spans();
  span->set_begin(static_cast<int>(base_ + range.first));
  span->set_end(static_cast<int>(base_ + range.second));
  span->set_text(std::string(sentence_.substr(range.first, range.second - range.first)));
}

void ExplanationBuilder::Vetoed(int rule, SentenceRange veto) {
  AddSpan(AddTrace(rule, RuleTrace::VETOED), veto);
}

void ExplanationBuilder::Fired(int rule, const std::vector<SentenceRange>& matches) {
  RuleTrace* trace = AddTrace(rule, RuleTrace::FIRED);
  for (const SentenceRange& m : matches) AddSpan(trace, m);
}

void ExplanationBuilder::Dropped(int rule, const std::vector<SentenceRange>& matches,
                                 const char* why) {
  RuleTrace* trace = AddTrace(rule, RuleTrace::DROPPED);
  for (const SentenceRange& m : matches) AddSpan(trace, m);
  if (trace != nullptr) trace->set_note(why);
}

void ExplanationBuilder::Overridden(int rule, int by, SentenceRange match) {
  RuleTrace* trace = AddTrace(rule, RuleTrace::OVERRIDDEN);
  AddSpan(trace, match);
  if (trace != nullptr) {
    trace->set_note(
        absl::StrCat("inside a match of ", rules_.rules()[by].id, ", which overrides it"));
  }
}

void ExplanationBuilder::NearMiss(int rule) { near_misses_.push_back(rule); }

void ExplanationBuilder::Triggers(const ContextMatcher& context,
                                  const std::vector<TriggerHit>& hits) {
  if (current_ == nullptr) return;
  for (const TriggerHit& hit : hits) {
    if (!Room(current_->triggers_size(), limits_.max_steps_per_sentence)) break;
    const ContextTriggerSpec& spec = context.trigger(hit.trigger);
    entente::v1::AppliedModifier* m = current_->add_triggers();
    m->set_trigger_id(spec.id);
    m->set_kind(spec.kind);
    m->set_effect(spec.effect);
    m->set_factor(spec.factor);
    Span* span = m->mutable_span();
    span->set_begin(static_cast<int>(base_ + hit.begin));
    span->set_end(static_cast<int>(base_ + hit.end));
    span->set_text(std::string(sentence_.substr(hit.begin, hit.end - hit.begin)));
  }
}

void ExplanationBuilder::Step(std::string line) {
  if (current_ == nullptr ||
      !Room(current_->attribution_steps_size(), limits_.max_steps_per_sentence)) {
    return;
  }
  current_->add_attribution_steps(std::move(line));
}

void ExplanationBuilder::EndSentence(const std::vector<int>& candidate_rules) {
  if (current_ == nullptr) return;
  // Near misses: the selected rules that did not match, and the rules the
  // prefilter left out; the closest first, the rest left out.
  struct Miss {
    entente::NearMiss analysis;
    bool partial;  // the prefilter did not select the rule
  };
  std::vector<Miss> misses;
  for (int rule : near_misses_) misses.push_back({AnalyzeRule(rules_, rule, sentence_), false});
  near_misses_.clear();
  std::vector<bool> selected(rules_.rules().size(), false);
  for (int rule : candidate_rules) selected[rule] = true;
  for (int i = 0; i < static_cast<int>(rules_.rules().size()); ++i) {
    if (selected[i]) continue;
    entente::NearMiss miss = AnalyzeRule(rules_, i, sentence_);
    if (miss.what.empty()) continue;  // nothing of it occurs
    misses.push_back({std::move(miss), true});
  }
  std::stable_sort(misses.begin(), misses.end(), [](const Miss& a, const Miss& b) {
    return a.analysis.fraction > b.analysis.fraction;
  });
  int listed = 0;
  for (const Miss& miss : misses) {
    if (listed++ >= limits_.max_near_misses) break;
    RuleTrace* trace =
        AddTrace(miss.analysis.rule, miss.partial ? RuleTrace::PARTIAL : RuleTrace::NEAR_MISS);
    if (trace == nullptr) break;
    trace->set_match_fraction(miss.analysis.fraction);
    for (const auto& range : miss.analysis.found) AddSpan(trace, range);
    const std::string& what = miss.analysis.what;
    trace->set_note(what.empty()   ? "nothing of it occurs here"
                    : miss.partial ? absl::StrCat("not selected: ", what)
                                   : what);
  }
  const int index = current_->sentence_index();
  if (current_->rules_size() == 0 && current_->triggers_size() == 0) {
    out_->mutable_sentences()->RemoveLast();
    current_ = nullptr;
    return;
  }
  if (capped_) capped_sentences_.push_back(index);
  const int64_t size = static_cast<int64_t>(current_->ByteSizeLong()) + kFieldOverhead;
  current_ = nullptr;
  if (bytes_ + size <= limits_.max_bytes) {
    bytes_ += size;
    return;
  }
  out_->mutable_sentences()->RemoveLast();
  open_ = false;
  first_unexplained_ = index;
}

void ExplanationBuilder::Finish(std::vector<std::pair<int, std::string>> score_steps,
                                int sentences) {
  // Explained sentences by index (in order, but not every sentence has one).
  std::vector<entente::v1::SentenceExplanation*> by_index(sentences, nullptr);
  for (auto& e : *out_->mutable_sentences()) by_index[e.sentence_index()] = &e;
  for (auto& [sentence, line] : score_steps) {
    entente::v1::SentenceExplanation* e = by_index[sentence];
    if (e == nullptr) continue;
    const int64_t size = static_cast<int64_t>(line.size()) + kFieldOverhead;
    if (e->score_steps_size() >= limits_.max_steps_per_sentence ||
        bytes_ + size > limits_.max_bytes) {
      capped_sentences_.push_back(sentence);
      continue;
    }
    bytes_ += size;
    e->add_score_steps(std::move(line));
  }
  if (capped_sentences_.empty() && open_) return;
  std::sort(capped_sentences_.begin(), capped_sentences_.end());
  const auto end = std::unique(capped_sentences_.begin(), capped_sentences_.end());
  entente::v1::ExplanationTruncation* t = out_->mutable_truncated();
  t->set_sentences_capped(static_cast<int>(end - capped_sentences_.begin()));
  if (!open_) {
    t->set_first_unexplained_sentence(first_unexplained_);
    t->set_sentences_omitted(sentences - first_unexplained_);
  }
  t->set_limits(absl::StrCat("max_bytes=", limits_.max_bytes,
                             " max_rules_per_sentence=", limits_.max_rules_per_sentence,
                             " max_spans_per_rule=", limits_.max_spans_per_rule,
                             " max_steps_per_sentence=", limits_.max_steps_per_sentence));
}

}  // namespace entente
