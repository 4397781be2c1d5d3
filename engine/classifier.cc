#include "engine/classifier.h"

#include <algorithm>
#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "engine/aggregate.h"
#include "engine/attribution.h"
#include "engine/explanation.h"
#include "engine/scorer.h"

namespace entente {
namespace {

using entente::v1::AppliedModifier;
using entente::v1::Span;

Span MakeSpan(absl::string_view text, size_t begin, size_t end) {
  Span span;
  span.set_begin(static_cast<int>(begin));
  span.set_end(static_cast<int>(end));
  span.set_text(std::string(text.substr(begin, end - begin)));
  return span;
}

entente::v1::Polarity Flip(entente::v1::Polarity p) {
  return p == entente::v1::SUPPORT ? entente::v1::OPPOSE : entente::v1::SUPPORT;
}

// The capture slots a reading needs for its roles, plus the whole match.
int RoleGroups(const CompiledReading& reading) {
  return 1 + std::max({reading.holder_group, reading.target_group, 0});
}

// One confirmed match of a rule in a sentence (sentence offsets).
struct Match {
  int rule = -1;
  int reading = -1;
  size_t begin = 0;
  size_t end = 0;
  SentenceRange holder{0, 0};
  SentenceRange target{0, 0};
  // Dropped because a rule that overrides this one matched around it.
  int overridden_by = -1;
};

// Classifies one document: the stages of the pipeline after segmentation,
// run sentence by sentence. Not thread-safe; one per Classify call.
class DocumentClassifier {
 public:
  DocumentClassifier(const CompiledRuleSet& rules, absl::string_view text,
                     const ClassifyOptions& options, ClassifierScratch* scratch,
                     entente::v1::ClassifyResult* result)
      : rules_(rules), text_(text), options_(options), scratch_(scratch), result_(result) {
    if (options.explain) {
      explain_.emplace(rules, text, options.explain_limits, result->mutable_explanation());
    }
  }

  // Runs every sentence; false if cancelled (the result is then partial).
  bool Run() {
    const std::vector<SentenceSpan>& sentences = scratch_->sentences;
    for (size_t si = 0; si < sentences.size(); ++si) {
      if (options_.cancelled && options_.cancelled()) return false;
      ClassifySentence(static_cast<int>(si));
    }
    return true;
  }

  // Scores the evidence into annotations, with their sentences' text, the
  // explanation's score steps and the aggregate.
  void Finish() {
    std::vector<std::pair<int, std::string>> score_steps;
    CombineEvidence(std::move(items_), options_.min_score, result_->mutable_annotations(),
                    explain_ ? &score_steps : nullptr);
    for (auto& a : *result_->mutable_annotations()) {
      const size_t b = static_cast<size_t>(a.sentence().begin());
      a.mutable_sentence()->set_text(std::string(text_.substr(b, a.sentence().end() - b)));
      AddTargets(&a);
    }
    if (explain_) {
      explain_->Finish(std::move(score_steps), static_cast<int>(scratch_->sentences.size()));
    }
    if (options_.aggregate) {
      *result_->mutable_aggregate() = AggregateDocument(rules_, result_->annotations());
    }
  }

 private:
  // Stage 4 to 7 for one sentence: select candidates, confirm them, let
  // overriding rules remove what they cover, then apply context, attribute
  // holders and record the evidence.
  void ClassifySentence(int si) {
    const SentenceSpan& span = scratch_->sentences[si];
    base_ = span.begin;
    sentence_ = text_.substr(span.begin, span.end - span.begin);
    triggers_found_ = false;
    if (!rules_.SelectCandidates(sentence_, &scratch_->candidates)) {
      ++scratch_->prefilter_fallbacks;
    }
    const bool explaining = explain_ && explain_->open();
    if (scratch_->candidates.empty() && !explaining) return;
    if (explaining) explain_->BeginSentence(si, base_, sentence_);

    matches_.clear();
    candidate_rules_.clear();
    const std::vector<int>& candidates = scratch_->candidates;
    for (size_t i = 0; i < candidates.size();) {
      // The candidate readings of one rule are adjacent.
      const int rule = rules_.readings()[candidates[i]].rule;
      size_t end = i;
      while (end < candidates.size() && rules_.readings()[candidates[end]].rule == rule) ++end;
      candidate_rules_.push_back(rule);
      MatchRule(rule, &candidates[i], &candidates[end]);
      i = end;
    }
    ApplyOverrides();
    Outcomes outcomes;
    for (const Match& m : matches_) RecordEvidence(si, m, &outcomes);
    if (explaining) {
      ExplainOutcomes(outcomes);
      explain_->EndSentence(candidate_rules_);
    }
  }

  // Runs the candidate readings [first, last) of `rule` on the sentence and
  // appends their matches, without two overlapping matches of one rule. The
  // rule's vetoes run once a reading has matched (most candidates do not,
  // and a veto is a whole-sentence search); an explanation checks them first,
  // to report them.
  void MatchRule(int rule_index, const int* first, const int* last) {
    const CompiledRule& rule = rules_.rules()[rule_index];
    const bool sentence_vetoes = rule.veto_scope == entente::v1::SENTENCE;
    bool vetoes_checked = !sentence_vetoes || rule.vetoes.empty();
    bool any_kept = false;
    SentenceRange first_veto{0, 0};
    if (sentence_vetoes && explain_ && explain_->open()) {
      vetoes_checked = true;
      if (Vetoed(rule, rule_index)) return;
    }
    const size_t rule_start = matches_.size();
    for (const int* c = first; c != last; ++c) {
      const int reading_index = rules_.readings()[*c].reading;
      const CompiledReading& reading = rule.readings[reading_index];
      const int ngroups = RoleGroups(reading);
      if (static_cast<int>(scratch_->groups.size()) < ngroups) scratch_->groups.resize(ngroups);
      re2::StringPiece* groups = scratch_->groups.data();
      re2::StringPiece input(sentence_.data(), sentence_.size());
      size_t pos = 0;
      while (pos < sentence_.size()) {
        ++scratch_->pattern_searches;
        if (!reading.regex->Match(input, pos, sentence_.size(), RE2::UNANCHORED, groups, ngroups)) {
          break;
        }
        const size_t mb = groups[0].data() - sentence_.data();
        const size_t me = mb + groups[0].size();
        pos = me > mb ? me : mb + 1;
        if (me == mb) continue;
        if (!vetoes_checked) {
          vetoes_checked = true;
          if (Vetoed(rule, rule_index)) return;
        }
        if (!sentence_vetoes && !rule.vetoes.empty()) {
          const SentenceRange scope =
              rule.veto_scope == entente::v1::MATCH ? SentenceRange{mb, me} : ClauseOf(mb, me);
          SentenceRange veto;
          if (VetoedIn(rule, scope, &veto)) {
            if (first_veto.second == 0) first_veto = veto;
            continue;
          }
        }
        bool overlaps = false;
        for (size_t k = rule_start; k < matches_.size(); ++k) {
          if (mb < matches_[k].end && me > matches_[k].begin) overlaps = true;
        }
        if (overlaps) continue;
        Match m;
        m.rule = rule_index;
        m.reading = reading_index;
        m.begin = mb;
        m.end = me;
        m.holder = Group(groups, reading.holder_group);
        m.target = Group(groups, reading.target_group);
        matches_.push_back(m);
        any_kept = true;
      }
    }
    if (!any_kept && first_veto.second > 0 && explain_ && explain_->open()) {
      explain_->Vetoed(rule_index, first_veto);
    }
  }

  // The clause of a match [mb, me): from the end of the last clause break
  // before it to the start of the first after it.
  SentenceRange ClauseOf(size_t mb, size_t me) const {
    const RE2& breaks = rules_.clause_break();
    re2::StringPiece input(sentence_.data(), sentence_.size());
    re2::StringPiece b;
    size_t begin = 0;
    size_t pos = 0;
    while (pos < mb && breaks.Match(input, pos, mb, RE2::UNANCHORED, &b, 1)) {
      const size_t e = b.data() - sentence_.data() + b.size();
      begin = e;
      pos = e > pos ? e : pos + 1;
    }
    size_t end = sentence_.size();
    if (breaks.Match(input, me, sentence_.size(), RE2::UNANCHORED, &b, 1)) {
      end = b.data() - sentence_.data();
    }
    return {begin, end};
  }

  // True if one of `rule`'s vetoes matches inside `scope`; its span in *veto.
  bool VetoedIn(const CompiledRule& rule, SentenceRange scope, SentenceRange* veto) {
    re2::StringPiece input(sentence_.data(), sentence_.size());
    for (const auto& re : rule.vetoes) {
      re2::StringPiece v;
      ++scratch_->pattern_searches;
      if (re->Match(input, scope.first, scope.second, RE2::UNANCHORED, &v, 1)) {
        const size_t vb = v.data() - sentence_.data();
        *veto = {vb, vb + v.size()};
        return true;
      }
    }
    return false;
  }

  SentenceRange Group(const re2::StringPiece* groups, int index) const {
    if (index <= 0 || groups[index].data() == nullptr) return {0, 0};
    const size_t b = groups[index].data() - sentence_.data();
    return {b, b + groups[index].size()};
  }

  // True if one of `rule`'s vetoes matches the sentence (and explains it).
  bool Vetoed(const CompiledRule& rule, int rule_index) {
    re2::StringPiece input(sentence_.data(), sentence_.size());
    for (const auto& veto : rule.vetoes) {
      re2::StringPiece v;
      ++scratch_->pattern_searches;
      if (veto->Match(input, 0, sentence_.size(), RE2::UNANCHORED, &v, 1)) {
        if (explain_ && explain_->open()) {
          const size_t vb = v.data() - sentence_.data();
          explain_->Vetoed(rule_index, {vb, vb + v.size()});
        }
        return true;
      }
    }
    return false;
  }

  // A match of a rule that another matched rule overrides, inside that
  // rule's match, is not evidence (Rule.overrides).
  void ApplyOverrides() {
    for (const Match& outer : matches_) {
      const std::vector<int>& overrides = rules_.rules()[outer.rule].overrides;
      if (overrides.empty()) continue;
      for (Match& inner : matches_) {
        if (inner.overridden_by >= 0 || &inner == &outer) continue;
        if (inner.begin >= outer.begin && inner.end <= outer.end &&
            std::binary_search(overrides.begin(), overrides.end(), inner.rule)) {
          inner.overridden_by = outer.rule;
        }
      }
    }
  }

  // What each candidate rule did in the sentence, for the explanation.
  struct Outcomes {
    std::map<int, std::vector<SentenceRange>> fired;
    std::map<int, std::vector<SentenceRange>> dropped;
    // Matches of holder_required rules whose holder nobody named.
    std::map<int, std::vector<SentenceRange>> no_holder;
  };

  // Stages 5 to 7 for one match: context modifiers (a DROP removes it),
  // holders and the evidence itself.
  void RecordEvidence(int si, const Match& match, Outcomes* outcomes) {
    if (match.overridden_by >= 0) return;
    const Match m = WithCoordinatedRoles(si, match);
    const CompiledRule& rule = rules_.rules()[m.rule];
    FindTriggers();
    scratch_->applicable.clear();
    rules_.context().Applicable(scratch_->triggers, m.begin, m.end, rule.stance,
                                &scratch_->applicable);
    ApplicableInGaps(m, rule);

    ScoredEvidence item;
    item.sentence_index = si;
    // Offsets only: the text is copied once per annotation (in Finish), not
    // once per piece of evidence, which would grow with the square of a
    // sentence's length.
    item.sentence.set_begin(static_cast<int>(base_));
    item.sentence.set_end(static_cast<int>(base_ + sentence_.size()));
    item.stance = rule.stance;
    entente::v1::Evidence& ev = item.evidence;
    ev.set_rule_id(rule.id);
    *ev.mutable_span() = MakeSpan(text_, base_ + m.begin, base_ + m.end);
    if (m.target.second > m.target.first) {
      *ev.mutable_target() = MakeSpan(text_, base_ + m.target.first, base_ + m.target.second);
    }
    ev.set_rule_polarity(rule.polarity);
    ev.set_weight(rule.weight);
    item.polarity = rule.polarity;
    double contribution = rule.weight;
    if (!ApplyModifiers(&ev, &item.polarity, &contribution)) {
      (*outcomes).dropped[m.rule].push_back({m.begin, m.end});
      return;
    }
    ev.set_contribution(contribution);

    HolderAttributor& attributor = Attributor();
    std::vector<std::string> steps;
    std::vector<std::string>* trace = explain_ && explain_->open() ? &steps : nullptr;
    if (trace != nullptr) steps.push_back(absl::StrCat("rule ", rule.id, ":"));
    ByteRange role;
    if (m.holder.second > m.holder.first) role = {base_ + m.holder.first, base_ + m.holder.second};
    attributor.Attribute(si, {base_ + m.begin, base_ + m.end}, role, &item.holders, trace);
    if (rule.holder_required &&
        std::none_of(item.holders.begin(), item.holders.end(), [](const entente::v1::Holder& h) {
          return h.via() != entente::v1::Holder::SPEAKER;
        })) {
      (*outcomes).no_holder[m.rule].push_back({m.begin, m.end});
      for (std::string& s : steps) explain_->Step(std::move(s));
      if (trace != nullptr) explain_->Step("  no named holder: the rule requires one (dropped)");
      return;
    }
    (*outcomes).fired[m.rule].push_back({m.begin, m.end});
    if (m.target.second > m.target.first) {
      std::vector<entente::v1::Holder> targets;
      attributor.Targets(si, {base_ + m.target.first, base_ + m.target.second}, &targets);
      for (auto& t : targets) *ev.add_targets() = std::move(t);
    }
    for (std::string& s : steps) explain_->Step(std::move(s));
    items_.push_back(std::move(item));
  }

  // `m` with its holder and target roles widened to the actors coordinated
  // with the names they hold, and the match widened to cover them.
  Match WithCoordinatedRoles(int si, Match m) {
    auto widen = [&](SentenceRange* role) {
      if (role->second <= role->first) return;
      ByteRange r = Attributor().WithCoordinated(si, {base_ + role->first, base_ + role->second});
      *role = {r.begin - base_, r.end - base_};
      m.begin = std::min(m.begin, role->first);
      m.end = std::max(m.end, role->second);
    };
    widen(&m.holder);
    widen(&m.target);
    return m;
  }

  // Finds the sentence's context triggers, once.
  void FindTriggers() {
    if (triggers_found_) return;
    rules_.context().Find(sentence_, &scratch_->triggers);
    triggers_found_ = true;
    if (explain_ && explain_->open()) explain_->Triggers(rules_.context(), scratch_->triggers);
  }

  // Adds the triggers inside the match's gaps (a token sequence's ~N) that
  // scope over the rest of it. The gaps' spans need a second, anchored
  // search with every group, done only when a trigger lies inside the match.
  void ApplicableInGaps(const Match& m, const CompiledRule& rule) {
    const CompiledReading& reading = rule.readings[m.reading];
    if (reading.gap_groups.empty()) return;
    bool inside = false;
    for (const TriggerHit& hit : scratch_->triggers) {
      if (hit.begin >= m.begin && hit.end <= m.end) inside = true;
    }
    if (!inside) return;
    const int ngroups = 1 + reading.gap_groups.back();
    if (static_cast<int>(scratch_->groups.size()) < ngroups) scratch_->groups.resize(ngroups);
    re2::StringPiece* groups = scratch_->groups.data();
    re2::StringPiece input(sentence_.data(), sentence_.size());
    ++scratch_->pattern_searches;
    if (!reading.regex->Match(input, m.begin, m.end, RE2::ANCHOR_BOTH, groups, ngroups)) return;
    std::vector<std::pair<size_t, size_t>> gaps;
    for (int g : reading.gap_groups) {
      if (groups[g].data() == nullptr || groups[g].empty()) continue;
      const size_t b = groups[g].data() - sentence_.data();
      gaps.push_back({b, b + groups[g].size()});
    }
    rules_.context().ApplicableInGaps(scratch_->triggers, gaps, rule.stance, &scratch_->applicable);
  }

  // Applies the applicable modifiers to `ev`; false if one drops it.
  bool ApplyModifiers(entente::v1::Evidence* ev, entente::v1::Polarity* polarity,
                      double* contribution) {
    bool keep = true;
    for (int hit_index : scratch_->applicable) {
      const TriggerHit& hit = scratch_->triggers[hit_index];
      const ContextTriggerSpec& spec = rules_.context().trigger(hit.trigger);
      AppliedModifier* m = ev->add_modifiers();
      m->set_trigger_id(spec.id);
      m->set_kind(spec.kind);
      m->set_effect(spec.effect);
      m->set_factor(spec.factor);
      *m->mutable_span() = MakeSpan(text_, base_ + hit.begin, base_ + hit.end);
      switch (spec.effect) {
        case entente::v1::FLIP:
          *polarity = Flip(*polarity);
          *contribution *= spec.factor;
          break;
        case entente::v1::DISCOUNT:
          *contribution *= spec.factor;
          break;
        case entente::v1::DROP:
          keep = false;
          break;
        default:
          break;
      }
    }
    return keep;
  }

  void ExplainOutcomes(const Outcomes& outcomes) {
    for (int rule : candidate_rules_) {
      auto fired = outcomes.fired.find(rule);
      auto dropped = outcomes.dropped.find(rule);
      auto no_holder = outcomes.no_holder.find(rule);
      if (fired != outcomes.fired.end()) {
        explain_->Fired(rule, fired->second);
      } else if (dropped != outcomes.dropped.end()) {
        explain_->Dropped(rule, dropped->second);
      } else if (no_holder != outcomes.no_holder.end()) {
        explain_->Dropped(rule, no_holder->second,
                          "it matched, but attribution named no holder and the rule requires "
                          "one (holder_required)");
      } else {
        const Match* overridden = nullptr;
        bool matched = false;
        for (const Match& m : matches_) {
          if (m.rule != rule) continue;
          matched = true;
          if (m.overridden_by >= 0) overridden = &m;
        }
        if (overridden != nullptr) {
          explain_->Overridden(rule, overridden->overridden_by,
                               {overridden->begin, overridden->end});
        } else if (!matched) {
          explain_->NearMiss(rule);
        }
        // A vetoed rule was explained when its veto matched.
      }
    }
  }

  HolderAttributor& Attributor() {
    if (!attributor_) {
      attributor_.emplace(&rules_.gazetteer(), &rules_.attribution(), text_, &scratch_->sentences,
                          options_.speaker);
    }
    return *attributor_;
  }

  // An annotation's targets: the actors of its evidence's targets.
  static void AddTargets(entente::v1::Annotation* a) {
    for (const auto& ev : a->evidence()) {
      for (const auto& t : ev.targets()) {
        bool seen = false;
        for (const auto& have : a->targets()) seen |= have.actor() == t.actor();
        if (!seen) *a->add_targets() = t;
      }
    }
  }

  const CompiledRuleSet& rules_;
  absl::string_view text_;
  const ClassifyOptions& options_;
  ClassifierScratch* scratch_;
  entente::v1::ClassifyResult* result_;
  std::optional<ExplanationBuilder> explain_;
  std::optional<HolderAttributor> attributor_;
  std::vector<ScoredEvidence> items_;
  // The current sentence.
  size_t base_ = 0;
  absl::string_view sentence_;
  bool triggers_found_ = false;
  std::vector<Match> matches_;
  std::vector<int> candidate_rules_;
};

}  // namespace

entente::v1::ClassifyResult Classify(const CompiledRuleSet& rules, absl::string_view text,
                                     const ClassifyOptions& options, ClassifierScratch* scratch) {
  thread_local ClassifierScratch local_scratch;
  if (scratch == nullptr) scratch = &local_scratch;

  entente::v1::ClassifyResult result;
  result.set_id(options.id);
  result.set_rule_set(rules.name());
  result.set_rule_set_version(rules.version());

  SplitSentences(text, &scratch->sentences);
  if (options.include_sentences) {
    for (size_t i = 0; i < scratch->sentences.size(); ++i) {
      auto* s = result.add_sentences();
      s->set_index(static_cast<int>(i));
      *s->mutable_span() = MakeSpan(text, scratch->sentences[i].begin, scratch->sentences[i].end);
    }
  }
  DocumentClassifier classifier(rules, text, options, scratch, &result);
  if (!classifier.Run()) return result;  // cancelled: partial, see the header
  classifier.Finish();
  return result;
}

}  // namespace entente
