// File: engine/required_literals.h
//
// Required literals are what the prefilter looks for: for an RE2 pattern, a
// condition on the literal strings a text must contain for the pattern to
// have any chance of matching it. The condition is a conjunction of clauses,
// each a disjunction of literals ("ceasefire" or "truce", and "call" or
// "urge" or "demand"), found by walking the pattern's syntax: a literal run of
// a concatenation is required, an alternation requires one of its branches,
// an optional or starred item requires nothing.
//
// The analysis is sound: whenever the pattern matches a text (in either case
// mode, at any position), every clause has a literal that occurs in that text
// when literals are compared case-insensitively and their word boundaries
// (\b in the pattern) are checked as RE2 checks them. A construct the walk
// does not understand requires nothing, so the worst outcome of a surprise is
// a rule that runs on every sentence, never a missed match.
//
//   entente::LiteralCondition c = entente::RequiredLiterals(
//       "\\b(?:call|urge)s?\\s+for\\s+(?:a\\s+)?(?:ceasefire|truce)\\b", {});
//   // c.clauses: {"call", "urge"}, {"for"}, {"ceasefire", "truce"}
//   // c.clauses[0][0].ToRegex(): "(?i)\\bcall"

#ifndef ENTENTE_ENGINE_REQUIRED_LITERALS_H_
#define ENTENTE_ENGINE_REQUIRED_LITERALS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace entente {

// A string that must occur in the text, compared case-insensitively (ASCII
// letters are stored in lower case), optionally at a word boundary.
struct RequiredLiteral {
  std::string text;
  // The pattern has \b right before (after) the literal.
  bool word_start = false;
  bool word_end = false;

  // A case-insensitive RE2 pattern that finds the literal, boundaries
  // included.
  std::string ToRegex() const;

  bool operator==(const RequiredLiteral& other) const {
    return text == other.text && word_start == other.word_start && word_end == other.word_end;
  }
  bool operator<(const RequiredLiteral& other) const;
};

// At least one of the literals occurs. Sorted, without duplicates.
using LiteralClause = std::vector<RequiredLiteral>;

// Every clause holds. No clauses: the pattern requires nothing we can look
// for (it must run on every text).
struct LiteralCondition {
  std::vector<LiteralClause> clauses;
  bool always() const { return clauses.empty(); }
};

struct RequiredLiteralOptions {
  // Shortest literal worth looking for; shorter ones count as "anything".
  int min_length = 3;
  // Shortest literal with a word boundary on both sides worth looking for
  // ("UN" in \bUN\b is selective; "un" alone is not).
  int min_bounded_length = 2;
  // Word boundaries are kept on literals up to this long; longer literals
  // are selective enough without them, and dropping them lets "ceasefire"
  // stand for "ceasefires" too.
  int max_bounded_length = 3;
  // How many clauses an alternation may expand into. The condition of
  // (A1 and A2) or (B1 and B2) is exactly the four clauses Ai or Bj; past
  // this bound the cheapest clauses of each branch are kept, which is still
  // sound, only less selective.
  int max_alternation_clauses = 16;
};

// Returns the condition for `pattern`, which must be a pattern RE2 accepts
// (with any options). Never fails: what it cannot analyse requires nothing.
LiteralCondition RequiredLiterals(absl::string_view pattern, const RequiredLiteralOptions& options);

// True if `text` satisfies `condition`, checking each literal with RE2. For
// tests and diagnostics; the prefilter checks all literals in one scan.
bool SatisfiesCondition(const LiteralCondition& condition, absl::string_view text);

}  // namespace entente

#endif  // ENTENTE_ENGINE_REQUIRED_LITERALS_H_
