// File: engine/inflection.h
//
// English inflection for lexicons of lemmas: an analyst writes "urge",
// "call for", "withdraw from" once, and the compiler matches "urged",
// "is calling for", "withdrew from". Forms come from WordNet 3.0's exception
// lists (withdrew, withdrawn, sought, led, stopped, committing, crises),
// compiled into the binary at build time from Debian's wordnet-base, and
// from the regular rules of English where WordNet lists no exception
// (-s/-es/-ies, -d/-ed/-ied, -ing with a silent e dropped).
//
//   std::vector<std::string> forms =
//       entente::InflectPhrase("withdraw from", entente::WordClass::kVerb);
//   // {"withdraw from", "withdraws from", "withdrew from", "withdrawn from",
//   //  "withdrawing from"}
//   entente::IsWordNetLemma("withdraw", entente::WordClass::kVerb);  // true

#ifndef ENTENTE_ENGINE_INFLECTION_H_
#define ENTENTE_ENGINE_INFLECTION_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace entente {

enum class WordClass { kVerb, kNoun };

// The forms of the single word `lemma`: the lemma first, then, for a verb,
// its third person singular, past and past participle, and -ing forms; for a
// noun, its plural: the regular forms and, where WordNet lists them, the
// irregular ones ("withdrew", "withdrawn", "stopping", "crises"). Regular
// forms are kept beside irregular ones because WordNet also lists variants
// ("wrought" for "worked"); one that is no word ("withdrawed") is harmless.
// Forms are lower-case, but a lemma with a capital first letter gives forms
// with one. No duplicates; order is stable.
std::vector<std::string> InflectWord(absl::string_view lemma, WordClass word_class);

// The forms of a phrase with its head inflected: a verb phrase's first word
// ("call for" -> "calls for", "called for", "calling for"), a noun phrase's
// last word ("humanitarian pause" -> "humanitarian pauses"). Runs of white
// space become single spaces. The phrase itself comes first.
std::vector<std::string> InflectPhrase(absl::string_view phrase, WordClass word_class);

// The word InflectPhrase inflects: the first word of a verb phrase, the last
// of a noun phrase.
absl::string_view HeadWord(absl::string_view phrase, WordClass word_class);

// True if WordNet 3.0 knows `lemma` (case-insensitive; a multi-word lemma
// with single spaces, "call for") as a lemma of `word_class`.
bool IsWordNetLemma(absl::string_view lemma, WordClass word_class);

}  // namespace entente

#endif  // ENTENTE_ENGINE_INFLECTION_H_
