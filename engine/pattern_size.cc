#include "engine/pattern_size.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "engine/lexicon.h"
#include "engine/token_pattern.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace entente {
namespace {

// Sizes are in [0, kSaturatedPatternBytes]; so are sums and products.
int64_t Add(int64_t a, int64_t b) {
  return a > kSaturatedPatternBytes - b ? kSaturatedPatternBytes : a + b;
}

int64_t Times(int64_t a, int64_t n) {
  if (a == 0 || n == 0) return 0;
  return a > kSaturatedPatternBytes / n ? kSaturatedPatternBytes : a * n;
}

// The few bytes a fragment or an alternation adds around its parts
// ("(?i:", "|", ")", "(?:...)").
constexpr int64_t kWrapper = 8;

class Estimator {
 public:
  // `actor_slot_bytes` holds the size of each {actor:TYPE} slot's fragment,
  // keyed by its synthetic lexicon name ("actor__STATE", "actor__ANY").
  Estimator(const LoadedRuleSet& loaded, absl::flat_hash_map<std::string, int64_t> actor_slot_bytes)
      : loaded_(loaded), actor_slot_bytes_(std::move(actor_slot_bytes)) {
    const auto& lexicons = loaded.rule_set.lexicon();
    for (int i = 0; i < lexicons.size(); ++i) index_.emplace(lexicons[i].name(), i);
    size_.assign(lexicons.size(), 0);
    state_.assign(lexicons.size(), State::kNew);
  }

  // The bytes of lexicon `name`'s fragment; 0 if unknown. A reference back
  // to a lexicon being measured (a cycle) counts as empty. Iterative: a chain
  // of a hundred thousand lexicons, each extending the next, must not
  // overflow the stack.
  int64_t Lexicon(absl::string_view name) {
    // An {actor:TYPE} slot: the names of that type, twice (coordination).
    if (absl::StartsWith(name, "actor__")) {
      auto slot = actor_slot_bytes_.find(name);
      return slot == actor_slot_bytes_.end() ? 0 : slot->second;
    }
    auto it = index_.find(name);
    if (it == index_.end()) return 0;
    std::vector<std::pair<int, bool>> stack = {{it->second, false}};  // (lexicon, children done)
    while (!stack.empty()) {
      auto [i, children_done] = stack.back();
      stack.pop_back();
      if (!children_done) {
        if (state_[i] != State::kNew) continue;
        state_[i] = State::kVisiting;
        stack.push_back({i, true});
        ForEachReference(i, [&](absl::string_view ref) {
          auto r = index_.find(ref);
          if (r != index_.end() && state_[r->second] == State::kNew) {
            stack.push_back({r->second, false});
          }
        });
        continue;
      }
      size_[i] = Measure(i);
      state_[i] = State::kDone;
    }
    return size_[it->second];
  }

  // The bytes of `text` with its references expanded; literal bytes count
  // `literal_factor` times.
  int64_t Expanded(absl::string_view text, int64_t literal_factor) {
    int64_t bytes = 0;
    size_t last = 0;
    ForEachLexiconReference(text, [&](absl::string_view name, size_t begin, size_t end) {
      bytes = Add(bytes, Times(static_cast<int64_t>(begin - last), literal_factor));
      bytes = Add(bytes, Lexicon(name));
      last = end;
    });
    return Add(bytes, Times(static_cast<int64_t>(text.size() - last), literal_factor));
  }

  // A context phrase: literal words (as PhraseToRegex makes them) and
  // references.
  int64_t Phrase(absl::string_view phrase) {
    // PhraseToRegex turns one byte into at most seven ("'" -> "['’]").
    return Add(kWrapper, Expanded(phrase, 7));
  }

 private:
  template <typename Fn>
  void ForEachReference(int i, Fn fn) const {
    const entente::v1::Lexicon& lexicon = loaded_.rule_set.lexicon(i);
    for (const std::string& parent : lexicon.extends()) fn(parent);
    for (const std::string& term : lexicon.term()) {
      ForEachLexiconReference(term, [&](absl::string_view ref, size_t, size_t) { fn(ref); });
    }
  }

  // The size of lexicon `i` once every lexicon it refers to is measured (or
  // is being measured: a cycle).
  int64_t Measure(int i) {
    const entente::v1::Lexicon& lexicon = loaded_.rule_set.lexicon(i);
    int64_t bytes = kWrapper;
    for (const std::string& parent : lexicon.extends()) bytes = Add(bytes, Add(1, Known(parent)));
    for (const std::string& term : lexicon.term()) {
      bytes = Add(bytes, 1);
      bool has_reference = false;
      ForEachLexiconReference(term,
                              [&](absl::string_view, size_t, size_t) { has_reference = true; });
      if (!has_reference) {
        // An inflected term stands for its forms: at most five, each about
        // as long as the lemma plus a suffix.
        const int64_t forms = lexicon.inflect() != entente::v1::INFLECTION_UNSPECIFIED ? 6 : 1;
        bytes = Add(bytes, lexicon.regex()
                               ? static_cast<int64_t>(term.size())
                               : Times(static_cast<int64_t>(PhraseToRegex(term).size()), forms));
        continue;
      }
      // Literal text between references is escaped: at most two bytes each.
      const int64_t factor = lexicon.regex() ? 1 : 2;
      size_t last = 0;
      ForEachLexiconReference(term, [&](absl::string_view ref, size_t begin, size_t end) {
        bytes = Add(bytes, Times(static_cast<int64_t>(begin - last), factor));
        bytes = Add(bytes, Known(ref));
        last = end;
      });
      bytes = Add(bytes, Times(static_cast<int64_t>(term.size() - last), factor));
    }
    return bytes;
  }

  // The measured size of `name`; 0 while it is being measured or if unknown.
  int64_t Known(absl::string_view name) const {
    auto it = index_.find(name);
    if (it == index_.end() || state_[it->second] != State::kDone) return 0;
    return size_[it->second];
  }

  enum class State { kNew, kVisiting, kDone };
  const LoadedRuleSet& loaded_;
  const absl::flat_hash_map<std::string, int64_t> actor_slot_bytes_;
  absl::flat_hash_map<std::string, int> index_;
  std::vector<int64_t> size_;
  std::vector<State> state_;
};

SourceLocation At(const std::vector<SourceLocation>& locations, int i, const std::string& path) {
  return i < static_cast<int>(locations.size()) ? locations[i] : SourceLocation{path, 0, 0};
}

}  // namespace

namespace {

// The bytes of the actor gazetteer's names (escaped, with boundaries).
int64_t ActorNameBytes(const entente::v1::RuleSet& rs, int64_t* names) {
  int64_t bytes = 0;
  auto add = [&](const std::string& name) {
    bytes = Add(bytes, Add(Times(static_cast<int64_t>(name.size()), 2), kWrapper));
    ++*names;
  };
  for (const entente::v1::Actor& actor : rs.actor()) {
    for (const auto& n : actor.name()) add(n);
    for (const auto& n : actor.demonym()) add(n);
    for (const auto& n : actor.capital()) add(n);
  }
  for (const entente::v1::Person& person : rs.person()) {
    add(person.name());
    for (const auto& n : person.alias()) add(n);
  }
  return bytes;
}

// The bytes of each {actor:TYPE} slot's fragment, keyed by its lexicon name:
// the names, capitals and person names of actors of that type ("ANY": all),
// without demonyms, as ActorGazetteer::SlotFragment writes them (each name
// escaped, at most twice its length).
absl::flat_hash_map<std::string, int64_t> ActorSlotBytes(const entente::v1::RuleSet& rs) {
  absl::flat_hash_map<std::string, int64_t> names;
  absl::flat_hash_map<std::string, entente::v1::ActorType> type_of;
  auto add = [&](entente::v1::ActorType type, const std::string& name) {
    const int64_t bytes = Add(Times(static_cast<int64_t>(name.size()), 2), 1);
    for (const std::string& key :
         {absl::StrCat("actor__", entente::v1::ActorType_Name(type)), std::string("actor__ANY")}) {
      names[key] = Add(names[key], bytes);
    }
  };
  for (const entente::v1::Actor& actor : rs.actor()) {
    type_of.emplace(actor.id(), actor.type());
    for (const auto& n : actor.name()) add(actor.type(), n);
    for (const auto& n : actor.capital()) add(actor.type(), n);
  }
  for (const entente::v1::Person& person : rs.person()) {
    auto it = type_of.find(person.actor());
    if (it == type_of.end()) continue;
    add(it->second, person.name());
    for (const auto& n : person.alias()) add(it->second, n);
  }
  for (auto& [key, bytes] : names) bytes = Add(bytes, 2 * kWrapper);
  return names;
}

}  // namespace

PatternSizeEstimate EstimatePatternBytes(const LoadedRuleSet& loaded) {
  PatternSizeEstimate out;
  const auto& rs = loaded.rule_set;
  int64_t actor_names = 0;
  const int64_t actor_bytes = ActorNameBytes(rs, &actor_names);
  Estimator estimator(loaded, ActorSlotBytes(rs));
  auto count = [&](int64_t bytes, const std::string& subject, const SourceLocation& where) {
    out.total_bytes = Add(out.total_bytes, bytes);
    if (bytes > out.largest_bytes) {
      out.largest_bytes = bytes;
      out.largest_subject = subject;
      out.largest_location = where;
    }
  };

  // The lexicon table holds every fragment; the compiler keeps another
  // compiled copy of each lexicon a rule names (for explanations).
  for (int i = 0; i < rs.lexicon_size(); ++i) {
    const std::string& name = rs.lexicon(i).name();
    count(Times(estimator.Lexicon(name), 2), absl::StrCat("lexicon \"", name, "\""),
          At(loaded.lexicon_locations, i, loaded.path));
  }
  // A reading: its expansion; the prefilter compiles it a second time.
  auto reading = [&](absl::string_view text, bool tokens) -> int64_t {
    if (!tokens) return Times(estimator.Expanded(text, 1), 2);
    absl::StatusOr<std::string> regex = TokenPatternToRegex(text);
    return regex.ok() ? Times(estimator.Expanded(*regex, 1), 2) : 0;
  };
  absl::flat_hash_map<std::string, const entente::v1::Template*> templates;
  for (const auto& t : rs.template_()) templates.emplace(t.name(), &t);
  for (int i = 0; i < rs.rule_size(); ++i) {
    const entente::v1::Rule& rule = rs.rule(i);
    int64_t bytes = 0;
    for (const std::string& t : rule.tokens()) bytes = Add(bytes, reading(t, true));
    for (const std::string& p : rule.pattern()) bytes = Add(bytes, reading(p, false));
    for (const auto& use : rule.use()) {
      auto it = templates.find(use.template_());
      if (it == templates.end()) continue;
      // Each reading once, plus each bound value at every $NAME (counted
      // generously: once per reading for every binding).
      int64_t values = 0;
      for (const auto& [name, value] : use.bind()) {
        values = Add(values, Times(Add(estimator.Expanded(value, 7), kWrapper), 4));
      }
      for (const std::string& t : it->second->tokens()) {
        bytes = Add(bytes, Add(reading(t, true), Times(values, 2)));
      }
      for (const std::string& p : it->second->pattern()) {
        bytes = Add(bytes, Add(reading(p, false), Times(values, 2)));
      }
    }
    for (const std::string& veto : rule.veto()) bytes = Add(bytes, estimator.Expanded(veto, 1));
    count(bytes, absl::StrCat("rule \"", rule.id(), "\""),
          At(loaded.rule_locations, i, loaded.path));
  }
  for (int i = 0; i < rs.context_size(); ++i) {
    const entente::v1::ContextTrigger& trigger = rs.context(i);
    int64_t bytes = kWrapper;
    for (const auto& t : trigger.term()) bytes = Add(bytes, estimator.Phrase(t));
    for (const auto& t : trigger.terminator()) bytes = Add(bytes, estimator.Phrase(t));
    for (const auto& t : trigger.pseudo()) bytes = Add(bytes, estimator.Phrase(t));
    for (const auto& p : trigger.pattern())
      bytes = Add(bytes, Add(kWrapper, estimator.Expanded(p, 1)));
    count(bytes, absl::StrCat("context trigger \"", trigger.id(), "\""),
          At(loaded.context_locations, i, loaded.path));
  }
  // The actor gazetteer compiles every name, demonym, capital and person
  // alias into one pattern and keeps a lookup entry for each.
  if (actor_names > 0) {
    count(actor_bytes, absl::StrCat("the actor gazetteer (", actor_names, " names)"),
          rs.actor_size() > 0 ? At(loaded.actor_locations, 0, loaded.path)
                              : At(loaded.person_locations, 0, loaded.path));
  }
  // Every string field of the attribution block names a lexicon.
  const google::protobuf::Message& attribution = rs.attribution();
  const google::protobuf::Descriptor* descriptor = attribution.GetDescriptor();
  const google::protobuf::Reflection* reflection = attribution.GetReflection();
  for (int f = 0; f < descriptor->field_count(); ++f) {
    const google::protobuf::FieldDescriptor* field = descriptor->field(f);
    if (field->is_repeated() || field->type() != google::protobuf::FieldDescriptor::TYPE_STRING) {
      continue;
    }
    const std::string name = reflection->GetString(attribution, field);
    count(Add(kWrapper, estimator.Lexicon(name)), absl::StrCat("attribution.", field->name()),
          SourceLocation{loaded.path, 0, 0});
  }
  return out;
}

}  // namespace entente
