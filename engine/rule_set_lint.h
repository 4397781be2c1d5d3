// File: engine/rule_set_lint.h
//
// Checks beyond what compilation requires, for analysts: unused lexicons,
// rules without examples, lexicon terms listed twice (the second is
// shadowed), examples naming unknown actors, rules the prefilter cannot
// filter. All are warnings; compilation errors (unknown lexicons, invalid
// RE2, duplicate ids, empty-matching patterns, weights out of range) come
// from the compiler itself.
//
//   std::vector<entente::Diagnostic> warnings = entente::LintRuleSet(*rules);

#ifndef ENTENTE_ENGINE_RULE_SET_LINT_H_
#define ENTENTE_ENGINE_RULE_SET_LINT_H_

#include <vector>

#include "engine/compiled_rule_set.h"
#include "engine/diagnostic.h"

namespace entente {

// Returns the lint warnings of a compiled rule set.
std::vector<Diagnostic> LintRuleSet(const CompiledRuleSet& rules);

}  // namespace entente

#endif  // ENTENTE_ENGINE_RULE_SET_LINT_H_
