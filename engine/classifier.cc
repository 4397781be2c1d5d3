#include "engine/classifier.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/aggregate.h"
#include "engine/attribution.h"
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

// The largest capture index a rule needs, plus one for the whole match.
int GroupsNeeded(const CompiledRule& rule) {
  return 1 + std::max({rule.holder_group, rule.target_group, 0});
}

// For explanations: which of `rule`'s lexicons occur in the sentence and
// which do not. Appends the spans found to `spans`; returns "" when none of
// them occurs.
std::string NearMissNote(const CompiledRuleSet& rules, const CompiledRule& rule,
                         absl::string_view text, size_t base, absl::string_view sentence,
                         google::protobuf::RepeatedPtrField<Span>* spans) {
  re2::StringPiece input(sentence.data(), sentence.size());
  std::vector<std::string> found, missing;
  for (const std::string& name : rule.lexicons) {
    const RE2* re = rules.LexiconRegex(name);
    re2::StringPiece m;
    if (re != nullptr && re->Match(input, 0, sentence.size(), RE2::UNANCHORED, &m, 1)) {
      size_t b = m.data() - sentence.data();
      *spans->Add() = MakeSpan(text, base + b, base + b + m.size());
      found.push_back(absl::StrCat("{", name, "} \"", absl::string_view(m.data(), m.size()), "\""));
    } else {
      missing.push_back(absl::StrCat("{", name, "}"));
    }
  }
  if (found.empty()) return "";
  return absl::StrCat("found ", absl::StrJoin(found, ", "), "; ",
                      missing.empty() ? std::string("the rest of the pattern did not match")
                                      : absl::StrCat("missing ", absl::StrJoin(missing, ", ")),
                      " (or the words between are not as the pattern wants)");
}

// Applies ExplanationLimits while a result's explanation is built, and
// records in it what was left out. Self-contained, so that the classifier's
// matching code only asks it whether there is room.
class ExplanationBudget {
 public:
  ExplanationBudget(const ExplanationLimits& limits, entente::v1::Explanation* explanation)
      : limits_(limits), explanation_(explanation) {}

  // False once the byte limit is reached: later sentences go unexplained.
  bool open() const { return open_; }

  // Whether `explained` may list one more rule trace (or trigger, or step:
  // `listed` of them so far).
  bool RoomForRule(const entente::v1::SentenceExplanation& explained) {
    return Room(explained.rules_size(), limits_.max_rules_per_sentence);
  }
  bool RoomForSpan(const entente::v1::RuleTrace& trace) {
    return Room(trace.spans_size(), limits_.max_spans_per_rule);
  }
  bool RoomForStep(int listed) { return Room(listed, limits_.max_steps_per_sentence); }

  // Cuts a trace's spans to the limit (near-miss notes add one per lexicon).
  void TrimSpans(entente::v1::RuleTrace* trace) {
    const int max = std::max(0, limits_.max_spans_per_rule);
    if (trace->spans_size() <= max) return;
    trace->mutable_spans()->DeleteSubrange(max, trace->spans_size() - max);
    capped_ = true;
  }

  // Ends sentence `index`, the last explanation added: keeps it if the
  // explanation still fits max_bytes, else removes it and closes the budget.
  void EndSentence(int index) {
    if (capped_) capped_sentences_.push_back(index);
    capped_ = false;
    const auto& last = explanation_->sentences(explanation_->sentences_size() - 1);
    const int64_t size = static_cast<int64_t>(last.ByteSizeLong()) + kFieldOverhead;
    if (bytes_ + size <= limits_.max_bytes) {
      bytes_ += size;
      return;
    }
    explanation_->mutable_sentences()->RemoveLast();
    open_ = false;
    first_unexplained_ = index;
  }

  // Ends a sentence whose (empty) explanation was removed.
  void DiscardSentence() { capped_ = false; }

  // Whether a score step of `line` fits in sentence `index`'s
  // explanation, which lists `listed` already; counts it if so.
  bool TakeScoreStep(int index, int listed, const std::string& line) {
    const int64_t size = static_cast<int64_t>(line.size()) + kFieldOverhead;
    if (listed >= limits_.max_steps_per_sentence || bytes_ + size > limits_.max_bytes) {
      capped_sentences_.push_back(index);
      return false;
    }
    bytes_ += size;
    return true;
  }

  // Writes explanation.truncated if anything was left out, for a text of
  // `sentences` sentences.
  void Finish(int sentences) {
    if (capped_sentences_.empty() && open_) return;
    std::sort(capped_sentences_.begin(), capped_sentences_.end());
    const auto end = std::unique(capped_sentences_.begin(), capped_sentences_.end());
    entente::v1::ExplanationTruncation* t = explanation_->mutable_truncated();
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

 private:
  // A repeated field's tag and length prefix, at most.
  static constexpr int64_t kFieldOverhead = 6;

  bool Room(int listed, int max) {
    if (listed < max) return true;
    capped_ = true;
    return false;
  }

  const ExplanationLimits& limits_;
  entente::v1::Explanation* const explanation_;
  bool open_ = true;
  bool capped_ = false;  // the current sentence hit a cap
  std::vector<int> capped_sentences_;
  int first_unexplained_ = 0;
  int64_t bytes_ = 0;
};

// For explanations: rules the prefilter did not select although some of
// their lexicons occur in the sentence, as long as the budget has room.
void ExplainPartialMatches(const CompiledRuleSet& rules, absl::string_view text, size_t base,
                           absl::string_view sentence, const std::vector<int>& candidates,
                           ExplanationBudget* budget, entente::v1::SentenceExplanation* explained) {
  for (int i = 0; i < static_cast<int>(rules.rules().size()); ++i) {
    if (std::binary_search(candidates.begin(), candidates.end(), i)) continue;
    if (!budget->RoomForRule(*explained)) return;
    const CompiledRule& rule = rules.rules()[i];
    google::protobuf::RepeatedPtrField<Span> spans;
    std::string note = NearMissNote(rules, rule, text, base, sentence, &spans);
    if (note.empty()) continue;
    entente::v1::RuleTrace* trace = explained->add_rules();
    trace->set_rule_id(rule.id);
    trace->set_outcome("near_miss");
    *trace->mutable_spans() = std::move(spans);
    trace->set_note(std::move(note));
    budget->TrimSpans(trace);
  }
}

}  // namespace

entente::v1::ClassifyResult Classify(const CompiledRuleSet& rules, absl::string_view text,
                                     const ClassifyOptions& options, ClassifierScratch* scratch) {
  thread_local ClassifierScratch local_scratch;
  if (scratch == nullptr) scratch = &local_scratch;

  entente::v1::ClassifyResult result;
  result.set_id(options.id);
  result.set_rule_set(rules.name());
  result.set_rule_set_version(rules.version());

  std::vector<SentenceSpan>& sentences = scratch->sentences;
  SplitSentences(text, &sentences);
  if (options.include_sentences) {
    for (size_t i = 0; i < sentences.size(); ++i) {
      auto* s = result.add_sentences();
      s->set_index(static_cast<int>(i));
      *s->mutable_span() = MakeSpan(text, sentences[i].begin, sentences[i].end);
    }
  }

  std::optional<HolderAttributor> attributor;
  std::vector<ScoredEvidence> items;
  ExplanationBudget budget(options.explain_limits, result.mutable_explanation());

  for (size_t si = 0; si < sentences.size(); ++si) {
    if (options.cancelled && options.cancelled()) return result;  // partial: see the header
    const size_t base = sentences[si].begin;
    absl::string_view sentence = text.substr(base, sentences[si].end - base);
    if (!rules.SelectCandidates(sentence, &scratch->candidates)) ++scratch->prefilter_fallbacks;
    const bool explain = options.explain && budget.open();
    if (scratch->candidates.empty() && !explain) continue;

    entente::v1::SentenceExplanation* explained = nullptr;
    std::vector<std::string> steps;
    if (explain) {
      explained = result.mutable_explanation()->add_sentences();
      explained->set_sentence_index(static_cast<int>(si));
    }
    bool triggers_found = false;
    re2::StringPiece input(sentence.data(), sentence.size());

    for (int rule_index : scratch->candidates) {
      const CompiledRule& rule = rules.rules()[rule_index];
      entente::v1::RuleTrace* trace = nullptr;
      if (explained != nullptr && budget.RoomForRule(*explained)) {
        trace = explained->add_rules();
        trace->set_rule_id(rule.id);
      }
      // Runs the rule's vetoes on the sentence; true if one matches.
      auto vetoed = [&] {
        for (const auto& veto : rule.vetoes) {
          re2::StringPiece v;
          ++scratch->pattern_searches;
          if (veto->Match(input, 0, sentence.size(), RE2::UNANCHORED, &v, 1)) {
            if (trace != nullptr) {
              size_t vb = v.data() - sentence.data();
              *trace->add_spans() = MakeSpan(text, base + vb, base + vb + v.size());
            }
            return true;
          }
        }
        return false;
      };
      // An explanation reports a veto even when the pattern does not match;
      // otherwise the vetoes run only once the pattern has matched, since
      // most candidates do not match and a veto is a whole-sentence search.
      bool vetoes_checked = false;
      if (trace != nullptr) {
        vetoes_checked = true;
        if (vetoed()) {
          trace->set_outcome("vetoed");
          continue;
        }
      }
      // As many capture slots as this rule's roles need: a rule may put its
      // holder after any number of plain groups.
      const int ngroups = GroupsNeeded(rule);
      if (static_cast<int>(scratch->groups.size()) < ngroups) scratch->groups.resize(ngroups);
      re2::StringPiece* groups = scratch->groups.data();
      size_t pos = 0;
      int fired = 0;
      int dropped = 0;
      while (pos < sentence.size()) {
        ++scratch->pattern_searches;
        if (!rule.regex->Match(input, pos, sentence.size(), RE2::UNANCHORED, groups, ngroups)) {
          break;
        }
        size_t mb = groups[0].data() - sentence.data();
        size_t me = mb + groups[0].size();
        pos = me > mb ? me : mb + 1;
        if (me == mb) continue;
        if (!vetoes_checked) {
          vetoes_checked = true;
          if (vetoed()) break;  // nothing was recorded for this rule yet
        }

        if (!triggers_found) {
          rules.context().Find(sentence, &scratch->triggers);
          triggers_found = true;
          if (explained != nullptr) {
            for (const TriggerHit& hit : scratch->triggers) {
              if (!budget.RoomForStep(explained->triggers_size())) break;
              const ContextTriggerSpec& spec = rules.context().trigger(hit.trigger);
              AppliedModifier* m = explained->add_triggers();
              m->set_trigger_id(spec.id);
              m->set_kind(spec.kind);
              m->set_effect(spec.effect);
              m->set_factor(spec.factor);
              *m->mutable_span() = MakeSpan(text, base + hit.begin, base + hit.end);
            }
          }
        }
        scratch->applicable.clear();
        rules.context().Applicable(scratch->triggers, mb, me, rule.stance, &scratch->applicable);

        ScoredEvidence item;
        item.sentence_index = static_cast<int>(si);
        // Offsets only: the text is copied once per annotation (below), not
        // once per piece of evidence, which would grow with the square of a
        // sentence's length.
        item.sentence.set_begin(static_cast<int>(base));
        item.sentence.set_end(static_cast<int>(sentences[si].end));
        item.stance = rule.stance;
        entente::v1::Evidence& ev = item.evidence;
        ev.set_rule_id(rule.id);
        *ev.mutable_span() = MakeSpan(text, base + mb, base + me);
        if (rule.target_group > 0 && groups[rule.target_group].data() != nullptr) {
          size_t tb = groups[rule.target_group].data() - sentence.data();
          *ev.mutable_target() =
              MakeSpan(text, base + tb, base + tb + groups[rule.target_group].size());
        }
        ev.set_rule_polarity(rule.polarity);
        ev.set_weight(rule.weight);
        entente::v1::Polarity polarity = rule.polarity;
        double contribution = rule.weight;
        bool drop = false;
        for (int hit_index : scratch->applicable) {
          const TriggerHit& hit = scratch->triggers[hit_index];
          const ContextTriggerSpec& spec = rules.context().trigger(hit.trigger);
          AppliedModifier* m = ev.add_modifiers();
          m->set_trigger_id(spec.id);
          m->set_kind(spec.kind);
          m->set_effect(spec.effect);
          m->set_factor(spec.factor);
          *m->mutable_span() = MakeSpan(text, base + hit.begin, base + hit.end);
          switch (spec.effect) {
            case entente::v1::FLIP:
              polarity = Flip(polarity);
              contribution *= spec.factor;
              break;
            case entente::v1::DISCOUNT:
              contribution *= spec.factor;
              break;
            case entente::v1::DROP:
              drop = true;
              break;
            default:
              break;
          }
        }
        if (trace != nullptr && budget.RoomForSpan(*trace)) *trace->add_spans() = ev.span();
        if (drop) {
          ++dropped;
          continue;
        }
        ++fired;
        ev.set_contribution(contribution);
        item.polarity = polarity;

        if (!attributor) {
          attributor.emplace(&rules.gazetteer(), &rules.attribution(), text, &sentences,
                             options.speaker);
        }
        ByteRange role;
        if (rule.holder_group > 0 && groups[rule.holder_group].data() != nullptr) {
          size_t hb = groups[rule.holder_group].data() - sentence.data();
          role = {base + hb, base + hb + groups[rule.holder_group].size()};
        }
        if (explained != nullptr) steps.push_back(absl::StrCat("rule ", rule.id, ":"));
        attributor->Attribute(static_cast<int>(si), {base + mb, base + me}, role, &item.holders,
                              explained != nullptr ? &steps : nullptr);
        items.push_back(std::move(item));
      }
      if (trace != nullptr) {
        if (fired > 0) {
          trace->set_outcome("fired");
        } else if (dropped > 0) {
          trace->set_outcome("dropped");
          trace->set_note("a DROP modifier (question, ...) removed every match");
        } else {
          trace->set_outcome("near_miss");
          std::string note =
              NearMissNote(rules, rule, text, base, sentence, trace->mutable_spans());
          trace->set_note(note.empty() ? "the prefilter found the rule's required words; its "
                                         "full pattern did not match"
                                       : note);
        }
        budget.TrimSpans(trace);
      }
    }
    if (explained != nullptr) {
      ExplainPartialMatches(rules, text, base, sentence, scratch->candidates, &budget, explained);
      for (auto& s : steps) {
        if (!budget.RoomForStep(explained->attribution_steps_size())) break;
        explained->add_attribution_steps(std::move(s));
      }
      if (explained->rules_size() == 0 && explained->triggers_size() == 0) {
        result.mutable_explanation()->mutable_sentences()->RemoveLast();
        budget.DiscardSentence();
      } else {
        budget.EndSentence(static_cast<int>(si));
      }
    }
  }

  std::vector<std::pair<int, std::string>> score_steps;
  CombineEvidence(std::move(items), options.min_score, result.mutable_annotations(),
                  options.explain ? &score_steps : nullptr);
  for (auto& a : *result.mutable_annotations()) {
    const size_t b = static_cast<size_t>(a.sentence().begin());
    a.mutable_sentence()->set_text(std::string(text.substr(b, a.sentence().end() - b)));
  }
  if (options.explain) {
    // Explained sentences by index (they are in order, but not every
    // sentence has one).
    std::vector<entente::v1::SentenceExplanation*> by_index(sentences.size(), nullptr);
    for (auto& e : *result.mutable_explanation()->mutable_sentences()) {
      by_index[e.sentence_index()] = &e;
    }
    for (auto& [sentence, line] : score_steps) {
      entente::v1::SentenceExplanation* e = by_index[sentence];
      if (e != nullptr && budget.TakeScoreStep(sentence, e->score_steps_size(), line)) {
        e->add_score_steps(std::move(line));
      }
    }
    budget.Finish(static_cast<int>(sentences.size()));
  }
  if (options.aggregate)
    *result.mutable_aggregate() = AggregateDocument(rules, result.annotations());
  return result;
}

}  // namespace entente
