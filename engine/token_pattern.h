// File: engine/token_pattern.h
//
// The token-sequence language: how analysts write a rule's readings without
// regex. A sequence is elements separated by spaces:
//
//   word            a literal word or phrase piece ("for", "U.S.", "'s"),
//                   case-insensitive, on word boundaries
//   {lexicon}       any term of a lexicon
//   [lemma]         the forms of a verb ("[urge]": urge, urges, urged,
//                   urging); [lemma/N] the forms of a noun, [lemma/V] a verb
//   {actor}         a name from the actor gazetteer, or several coordinated
//                   ("China, Russia and Iran"); {actor:STATE},
//                   {actor:ORGANIZATION}, {actor:ARMED_GROUP}, {actor:GROUP}
//                   only names of actors of that type
//   (a | b c)       one of several sub-sequences
//   X?              element X is optional
//   ~N              a gap of up to N words (1 to 20) within the clause: it
//                   does not cross . ; : ? ! or a word of the rule set's
//                   clause-break lexicon ("but", "however")
//   ~~N             a gap of up to N words that may cross clauses
//   ~N!X            a gap whose words are none of X (a {lexicon}, a word or
//                   (a | b) of single words): "[reject] ~4!{negation} {ceasefire}"
//   holder:X        X names who holds the stance; target:X what it is about
//   $NAME           a template parameter (in a template's readings)
//
// Everything compiles to RE2 (linear time): ParseTokens builds the element
// tree, with the byte offset of each element for diagnostics, and
// TokensToRegex writes the pattern, leaving {lexicon} references (actor
// classes as {actor__TYPE}) for LexiconTable::Expand.
//
//   size_t error_at = 0;
//   absl::StatusOr<entente::TokenSequence> seq =
//       entente::ParseTokens("holder:{actor}? [call] for ~3 {ceasefire_term}", &error_at);
//   absl::StatusOr<std::string> re = entente::TokensToRegex(*seq, context, &error_at);

#ifndef ENTENTE_ENGINE_TOKEN_PATTERN_H_
#define ENTENTE_ENGINE_TOKEN_PATTERN_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/inflection.h"

namespace entente {

struct TokenElement;
using TokenSequence = std::vector<TokenElement>;

// One element of a token sequence.
struct TokenElement {
  enum class Kind { kWord, kLexicon, kLemma, kActor, kGroup, kParam, kGap };
  Kind kind = Kind::kWord;
  // Byte offset of the element in the text it was parsed from.
  size_t offset = 0;
  // The word, lexicon name, lemma, actor type ("" for any) or parameter.
  std::string text;
  WordClass lemma_class = WordClass::kVerb;
  // "holder", "target" or empty.
  std::string role;
  bool optional = false;
  // kGroup: the alternatives.
  std::vector<TokenSequence> alternatives;
  // kGap: up to `gap` words; within the clause unless `across_clauses`;
  // none of the words of `excluded` (a word, lexicon or group), if any.
  int gap = 0;
  bool across_clauses = false;
  std::vector<TokenElement> excluded;
};

// The actor types an {actor:TYPE} slot may name (ActorType values).
const std::vector<std::string>& ActorClassNames();

// The name of the lexicon the compiler builds for the actor names of
// `type` ("" for every actor): "actor__STATE", "actor__ANY".
std::string ActorClassLexicon(absl::string_view type);

// Parses a token sequence. On error returns InvalidArgument with a message
// for the analyst and sets `*error_offset` to the byte offset of the
// offending character in `text`.
absl::StatusOr<TokenSequence> ParseTokens(absl::string_view text, size_t* error_offset);

// What translation needs from the rule set.
struct TokenContext {
  // The single words of lexicon `name`, for gap exclusions; NotFound if
  // there is no such lexicon.
  std::function<absl::StatusOr<std::vector<std::string>>(absl::string_view name)> lexicon_words;
  // Words that end a clause for ~N gaps.
  std::vector<std::string> clause_breaks;
  // Template parameters: name -> token-sequence text bound to it.
  const std::map<std::string, std::string>* params = nullptr;
};

// The named groups that gaps become: "gap1", "gap2", ...
inline constexpr char kGapGroupPrefix[] = "gap";

// Writes the RE2 pattern of `sequence`. Roles become (?P<holder>...) and
// (?P<target>...); gaps are groups named gap1, gap2, ... (so that a negation
// inside a gap can be found), everything else non-capturing. On error returns
// InvalidArgument and sets `*error_offset` to the element's offset.
absl::StatusOr<std::string> TokensToRegex(const TokenSequence& sequence,
                                          const TokenContext& context, size_t* error_offset);

// Parses and translates in one step with no lexicon words, clause breaks or
// parameters (for size estimates and tests).
absl::StatusOr<std::string> TokenPatternToRegex(absl::string_view tokens);

// An RE2 fragment matching one whole word (letters, digits, underscore)
// that is none of `words` (single words, compared case-insensitively):
// RE2 has no lookahead, so the complement of the word set is spelled out
// as a trie.
std::string WordNotIn(const std::vector<std::string>& words);

}  // namespace entente

#endif  // ENTENTE_ENGINE_TOKEN_PATTERN_H_
