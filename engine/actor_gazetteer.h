// File: engine/actor_gazetteer.h
//
// The actor gazetteer finds names of states, organisations, armed groups,
// groups and people in a sentence and maps each to an actor id, in one RE2
// scan (leftmost-longest, so "Papua New Guinea" beats "Guinea").
//
//   absl::StatusOr<entente::ActorGazetteer> gazetteer =
//       entente::ActorGazetteer::Build(loaded, &diagnostics);
//   std::vector<entente::ActorMention> mentions;
//   gazetteer->FindMentions("Wang Yi met Iran's foreign minister.", &mentions);
//   // CHN via person "Wang Yi" at [0, 7); IRN via name "Iran" at [12, 16).

#ifndef ENTENTE_ENGINE_ACTOR_GAZETTEER_H_
#define ENTENTE_ENGINE_ACTOR_GAZETTEER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/diagnostic.h"
#include "engine/rule_set_loader.h"
#include "proto/rule_set.pb.h"
#include "re2/re2.h"

namespace entente {

// One occurrence of an actor in a text: bytes [begin, end).
struct ActorMention {
  enum class Kind { kName, kDemonym, kCapital, kPerson };
  size_t begin = 0;
  size_t end = 0;
  int actor = -1;  // index into ActorGazetteer::id()
  Kind kind = Kind::kName;
  // The type of the gazetteer entry that matched (actors that share an id,
  // such as OTHER, have entries of several types).
  entente::v1::ActorType type = entente::v1::ACTOR_TYPE_UNSPECIFIED;
};

// Immutable after Build; safe to share across threads. Movable, not copyable.
class ActorGazetteer {
 public:
  ActorGazetteer() = default;
  ActorGazetteer(ActorGazetteer&&) = default;
  ActorGazetteer& operator=(ActorGazetteer&&) = default;

  // Builds the gazetteer from the actors and persons of `loaded`. A name
  // claimed by two different actors is reported as an error and left out; a
  // person whose actor is unknown is an error. Returns an error only when
  // the combined pattern cannot be compiled.
  static absl::StatusOr<ActorGazetteer> Build(const LoadedRuleSet& loaded,
                                              std::vector<Diagnostic>* diagnostics);

  // Replaces `out` with the mentions in `text`, in order, not overlapping.
  void FindMentions(absl::string_view text, std::vector<ActorMention>* out) const;

  // The id of actor `index` ("CHN").
  const std::string& id(int index) const { return ids_[index]; }

  // The type of actor `index` (STATE, ORGANIZATION, ...).
  entente::v1::ActorType type(int index) const { return types_[index]; }

  // The index of actor `id`, or -1.
  int Find(absl::string_view id) const;

  int size() const { return static_cast<int>(ids_.size()); }

  // An RE2 fragment for an {actor:TYPE} slot of a token sequence: one name,
  // capital or person's name of an actor of `type` ("STATE",
  // "ORGANIZATION", ...; "" for any), with an optional "the". Names
  // coordinated with it ("China, Russia and Iran") are not part of the
  // match: attribution adds them to the role. Acronyms match as written,
  // other names in any case; longer names come first. Empty when no actor
  // has that type.
  std::string SlotFragment(absl::string_view type) const;

 private:
  struct Entry {
    int actor;
    ActorMention::Kind kind;
    entente::v1::ActorType type;
  };

  std::vector<std::string> ids_;
  std::vector<entente::v1::ActorType> types_;
  absl::flat_hash_map<std::string, int> index_;
  // Case-sensitive names (acronyms) by exact text.
  absl::flat_hash_map<std::string, Entry> exact_;
  // Other names by normalized (lower-case, single-spaced) text.
  absl::flat_hash_map<std::string, Entry> folded_;
  std::unique_ptr<RE2> pattern_;
  // Escaped names that a slot of each type matches: type name -> (folded,
  // exact) alternatives. Demonyms are adjectives, not names: left out.
  absl::flat_hash_map<std::string, std::pair<std::vector<std::string>, std::vector<std::string>>>
      slot_names_;
};

// Lower-cases ASCII, folds runs of white space to one space and curly
// apostrophes to straight ones: the key under which names are looked up.
std::string NormalizeName(absl::string_view name);

}  // namespace entente

#endif  // ENTENTE_ENGINE_ACTOR_GAZETTEER_H_
