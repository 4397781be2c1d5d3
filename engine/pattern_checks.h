// File: engine/pattern_checks.h
//
// What the compiler requires of every RE2 pattern a rule file contributes
// (rule patterns, vetoes, regex lexicon terms, context triggers): the
// classifier, the explanations and every client that decodes a result as
// UTF-8 rely on these, so they are checked once, at compile time.
//
//   size_t offset;
//   if (entente::FindAnyByteEscape("\\C+ceasefire", &offset)) {
//     // offset == 0: \C can end a match inside a UTF-8 character.
//   }
//   RE2 re("x?");
//   entente::CanMatchEmpty(re);  // true: it would match at every offset.

#ifndef ENTENTE_ENGINE_PATTERN_CHECKS_H_
#define ENTENTE_ENGINE_PATTERN_CHECKS_H_

#include <cstddef>

#include "absl/strings/string_view.h"
#include "re2/re2.h"

namespace entente {

// Returns true if `pattern` uses `\C` (RE2's "any byte"), with the byte
// offset of its backslash in `*offset`. A match that starts or ends on \C
// can split a UTF-8 character: spans would not be valid UTF-8, and the
// result could not be sent over gRPC or printed as JSON. Escaped
// backslashes ("\\\\C" is a backslash then C) are not \C.
bool FindAnyByteEscape(absl::string_view pattern, size_t* offset);

// True if `re` matches the empty string at some position of a few probe
// texts (the empty text, word boundaries, spaces, punctuation, a non-ASCII
// letter). An empty match is never evidence, and a trigger or rule that can
// match empty runs a search at every byte of a sentence.
bool CanMatchEmpty(const RE2& re);

}  // namespace entente

#endif  // ENTENTE_ENGINE_PATTERN_CHECKS_H_
