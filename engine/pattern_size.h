// File: engine/pattern_size.h
//
// How much RE2 pattern text a rule set expands to, measured before anything
// is expanded. Lexicons refer to lexicons, so a few lines can stand for an
// enormous pattern (each level of `{a} {a}` doubles it: forty levels are a
// terabyte); and every rule that names a big lexicon gets its own copy to
// compile. The compiler measures first and refuses a rule set over its budget
// (CompileOptions::max_pattern_bytes), so that compile time and memory stay
// bounded whatever the rule file says.
//
//   entente::PatternSizeEstimate size = entente::EstimatePatternBytes(loaded);
//   if (size.total_bytes > budget) { /* report size.largest_subject at size.largest_location */ }

#ifndef ENTENTE_ENGINE_PATTERN_SIZE_H_
#define ENTENTE_ENGINE_PATTERN_SIZE_H_

#include <cstdint>
#include <string>

#include "engine/diagnostic.h"
#include "engine/rule_set_loader.h"

namespace entente {

struct PatternSizeEstimate {
  // Bytes of pattern text the compiler would build: every lexicon fragment
  // (once in the lexicon table, once more for the explanations of the rules
  // that use it), every rule pattern and veto, every context trigger and the
  // attribution word lists, with references replaced by their fragments.
  // Saturates at kSaturated instead of overflowing.
  int64_t total_bytes = 0;
  // The single largest contribution, to point the analyst at it: what it is
  // ("lexicon \"a40\"", "rule \"r1\""), where, and its size.
  std::string largest_subject;
  SourceLocation largest_location;
  int64_t largest_bytes = 0;
};

// The value at which sizes stop growing (about 4.6e18).
constexpr int64_t kSaturatedPatternBytes = int64_t{1} << 62;

// Measures `loaded` in time linear in its size, whatever its lexicons'
// references (cycles count as empty; the lexicon builder reports them). An
// upper bound within a small factor of what the compiler builds: literal
// text counts as escaped.
PatternSizeEstimate EstimatePatternBytes(const LoadedRuleSet& loaded);

}  // namespace entente

#endif  // ENTENTE_ENGINE_PATTERN_SIZE_H_
