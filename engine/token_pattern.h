// File: engine/token_pattern.h
//
// The token-sequence form of a rule, for analysts who do not write regex: a
// space-separated sequence of
//   word        a literal word (case-insensitive, word-bounded);
//   {lexicon}   any term of a lexicon;
//   X?          element X is optional;
//   ~N          a gap of up to N arbitrary tokens (N from 1 to 20).
// Punctuation between tokens is skipped. The compiler turns it into RE2:
//
//   absl::StatusOr<std::string> re = entente::TokenPatternToRegex(
//       "{call_verb} for ~2 {ceasefire_term}");
//   // re still holds the {lexicon} references; LexiconTable::Expand resolves them.

#ifndef ENTENTE_ENGINE_TOKEN_PATTERN_H_
#define ENTENTE_ENGINE_TOKEN_PATTERN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace entente {

// Translates a token sequence into an RE2 pattern with {lexicon} references
// left in place. Returns InvalidArgument with the offending element for an
// empty sequence, a gap at either end, a bad gap size, or an element that is
// only optional markers.
absl::StatusOr<std::string> TokenPatternToRegex(absl::string_view tokens);

}  // namespace entente

#endif  // ENTENTE_ENGINE_TOKEN_PATTERN_H_
