// File: engine/attribution.h
//
// Holder attribution: who holds the stance a rule matched. In order:
//   1. actors named inside the rule's (?P<holder>...) group;
//   2. the nearest subject to the left of the match: an actor named there
//      (not as the object of a preposition: "in Beijing", "with the UN"),
//      with the actors coordinated with it ("China and Iran"); a first
//      person ("we", "my Government") resolved to the request's speaker; a
//      plural anaphor ("the two nations") resolved to the last coordinated
//      group of the document (with none, the speaker and OTHER, as the
//      labelling guide reads "the two sides" of a readout); a personal
//      pronoun ("he") resolved to the actor of the last person named; a
//      singular anaphor ("it", "the group") to the last state or
//      organisation named;
//   3. a source named after the match by a reporting verb ("..., Israeli
//      officials said", "according to Hamas"); such a source also holds a
//      quoted first person ('"We will never agree," Netanyahu said');
//   4. otherwise the speaker, who holds unattributed assertions.
// The word lists come from lexicons that the rule set names in its
// `attribution` block.
//
//   entente::HolderAttributor attributor(&rules, document, sentences, speaker);
//   std::vector<entente::v1::Holder> holders;
//   attributor.Attribute(sentence_index, match_begin, match_end, holder_group, &holders,
//                        &steps);

#ifndef ENTENTE_ENGINE_ATTRIBUTION_H_
#define ENTENTE_ENGINE_ATTRIBUTION_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/actor_gazetteer.h"
#include "engine/diagnostic.h"
#include "engine/lexicon.h"
#include "engine/segmenter.h"
#include "proto/result.pb.h"
#include "proto/rule_set.pb.h"
#include "re2/re2.h"

namespace entente {

// The names of the lexicons that `attribution` points at (its non-empty
// *_lexicon fields), in field order: what AttributionLexicons::Build
// compiles, and what the compiler counts as used.
std::vector<std::string> AttributionLexiconNames(const entente::v1::Attribution& attribution);

// The compiled word lists attribution uses. Immutable; shareable.
struct AttributionLexicons {
  std::unique_ptr<RE2> first_person;
  std::unique_ptr<RE2> plural_anaphor;
  std::unique_ptr<RE2> person_pronoun;
  // Matches a preposition that ends right where a name begins.
  std::unique_ptr<RE2> preposition_before;
  std::unique_ptr<RE2> reporting_verb;
  std::unique_ptr<RE2> singular_anaphor;

  // Compiles the lexicons named in `loaded`'s attribution block. An unknown
  // lexicon name is an error diagnostic.
  static AttributionLexicons Build(const LoadedRuleSet& loaded, const LexiconTable& lexicons,
                                   std::vector<Diagnostic>* diagnostics);
};

// A byte range of the document; begin == end means none.
struct ByteRange {
  size_t begin = 0;
  size_t end = 0;
  bool empty() const { return begin == end; }
};

// Attributes holders within one document. Not thread-safe: one per
// document being classified. Keeps the mentions of each sentence it has
// looked at, so anaphora cost a scan only when they occur.
class HolderAttributor {
 public:
  // `gazetteer` and `lexicons` must outlive the attributor; so must
  // `document` and `sentences`. `speaker` may be empty.
  HolderAttributor(const ActorGazetteer* gazetteer, const AttributionLexicons* lexicons,
                   absl::string_view document, const std::vector<SentenceSpan>* sentences,
                   absl::string_view speaker);

  // Appends the holders of a match [match.begin, match.end) in sentence
  // `sentence` (document offsets) to `holders`, without duplicates. `role`
  // is the holder group's range, if the rule has one. When `steps` is not
  // null, appends a line per attribution decision.
  void Attribute(int sentence, ByteRange match, ByteRange role,
                 std::vector<entente::v1::Holder>* holders, std::vector<std::string>* steps);

  // Appends the actors named inside `target` (document offsets) in
  // sentence `sentence` to `targets`, without duplicates, via TARGET; a
  // first person there ("our sovereignty") is the speaker.
  void Targets(int sentence, ByteRange target, std::vector<entente::v1::Holder>* targets);

  // `range` (document offsets in sentence `sentence`) widened to the whole
  // lists of the actors named inside it: a role that holds "Iran" in
  // "China and Iran" holds both. An {actor} slot matches one name; this
  // gives a role the names coordinated with it, as a subject has them.
  ByteRange WithCoordinated(int sentence, ByteRange range);

 private:
  const std::vector<ActorMention>& MentionsOf(int sentence);
  // Actors coordinated with mentions[index] ("China, Iran and Russia").
  std::vector<int> CoordinatedGroup(absl::string_view sentence,
                                    const std::vector<ActorMention>& mentions, int index) const;
  bool AfterPreposition(absl::string_view sentence, size_t begin) const;
  // The actors that a reporting verb after `from` names as the source
  // ("X said", "said X", "according to X"), as mention indices.
  std::vector<int> ReportedSource(absl::string_view sentence,
                                  const std::vector<ActorMention>& mentions, size_t from) const;
  // The last group of two or more coordinated actors before `sentence`
  // (or in it, before `limit`).
  std::vector<int> LastGroup(int sentence, size_t limit);
  int LastPersonActor(int sentence, size_t limit);
  // The last state, organisation or group named (not a person, demonym or
  // capital) before `limit` in `sentence` or the sentences before it.
  int LastNamedActor(int sentence, size_t limit);
  void AddActor(int actor, size_t sentence_begin, const ActorMention* mention,
                entente::v1::Holder::Via via, std::vector<entente::v1::Holder>* holders) const;
  void AddSpeaker(size_t begin, size_t end, entente::v1::Holder::Via via,
                  std::vector<entente::v1::Holder>* holders) const;

  const ActorGazetteer* gazetteer_;
  const AttributionLexicons* lexicons_;
  absl::string_view document_;
  const std::vector<SentenceSpan>* sentences_;
  std::string speaker_;
  std::vector<std::vector<ActorMention>> mentions_;
  std::vector<bool> scanned_;
};

}  // namespace entente

#endif  // ENTENTE_ENGINE_ATTRIBUTION_H_
