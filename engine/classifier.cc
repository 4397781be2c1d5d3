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

// For explanations: rules the prefilter did not select although some of
// their lexicons occur in the sentence.
void ExplainPartialMatches(const CompiledRuleSet& rules, absl::string_view text, size_t base,
                           absl::string_view sentence, const std::vector<int>& candidates,
                           entente::v1::SentenceExplanation* explained) {
  for (int i = 0; i < static_cast<int>(rules.rules().size()); ++i) {
    if (std::binary_search(candidates.begin(), candidates.end(), i)) continue;
    const CompiledRule& rule = rules.rules()[i];
    google::protobuf::RepeatedPtrField<Span> spans;
    std::string note = NearMissNote(rules, rule, text, base, sentence, &spans);
    if (note.empty()) continue;
    entente::v1::RuleTrace* trace = explained->add_rules();
    trace->set_rule_id(rule.id);
    trace->set_outcome("near_miss");
    *trace->mutable_spans() = std::move(spans);
    trace->set_note(std::move(note));
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

  for (size_t si = 0; si < sentences.size(); ++si) {
    const size_t base = sentences[si].begin;
    absl::string_view sentence = text.substr(base, sentences[si].end - base);
    if (!rules.SelectCandidates(sentence, &scratch->candidates)) ++scratch->prefilter_fallbacks;
    if (scratch->candidates.empty() && !options.explain) continue;

    entente::v1::SentenceExplanation* explained = nullptr;
    std::vector<std::string> steps;
    if (options.explain) {
      explained = result.mutable_explanation()->add_sentences();
      explained->set_sentence_index(static_cast<int>(si));
    }
    bool triggers_found = false;
    re2::StringPiece input(sentence.data(), sentence.size());

    for (int rule_index : scratch->candidates) {
      const CompiledRule& rule = rules.rules()[rule_index];
      entente::v1::RuleTrace* trace = nullptr;
      if (explained != nullptr) {
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
        if (trace != nullptr) *trace->add_spans() = ev.span();
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
      }
    }
    if (explained != nullptr) {
      ExplainPartialMatches(rules, text, base, sentence, scratch->candidates, explained);
      for (auto& s : steps) explained->add_attribution_steps(std::move(s));
      if (explained->rules_size() == 0 && explained->triggers_size() == 0) {
        result.mutable_explanation()->mutable_sentences()->RemoveLast();
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
    for (auto& [sentence, line] : score_steps) {
      for (auto& e : *result.mutable_explanation()->mutable_sentences()) {
        if (e.sentence_index() == sentence) e.add_score_steps(line);
      }
    }
  }
  if (options.aggregate)
    *result.mutable_aggregate() = AggregateDocument(rules, result.annotations());
  return result;
}

}  // namespace entente
