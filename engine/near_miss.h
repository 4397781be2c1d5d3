// File: engine/near_miss.h
//
// Why a rule did not match a sentence, for analysts: how much of each
// reading matched and what failed first. A token-sequence reading is taken
// element by element: each element's occurrences in the sentence are found,
// the longest chain of elements in order that keeps the reading's gaps is
// kept, and the first element after it says what failed:
//
//   missing {ceasefire_term}
//   found [call] and {ceasefire_term} 9 words apart (at most 6)
//   found [call] and {ceasefire_term} in the other order
//   found [call] and {ceasefire_term} across a clause boundary
//
// A raw pattern is judged by its lexicons: which occur, which do not. Used
// by explanations (ranked near misses) and by `entente test` failures; never
// on the classifier's hot path.
//
//   entente::NearMiss miss = entente::AnalyzeRule(rules, rule_index, sentence);
//   // miss.fraction 0.5, miss.what "found [call] and {truce} 9 words apart (at most 6)"

#ifndef ENTENTE_ENGINE_NEAR_MISS_H_
#define ENTENTE_ENGINE_NEAR_MISS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/compiled_rule_set.h"

namespace entente {

struct NearMiss {
  int rule = -1;
  // The reading that came closest.
  int reading = -1;
  // Share of the reading's required elements (or of a pattern's lexicons)
  // found in order and within its gaps, in [0, 1].
  double fraction = 0;
  // What failed, in words; empty when nothing of the rule occurs.
  std::string what;
  // The occurrences of the elements that were found (sentence offsets).
  std::vector<std::pair<size_t, size_t>> found;
};

// Analyzes every reading of rule `rule` on `sentence` and returns the closest.
// Thread-safe (the element patterns it needs are compiled once per rule set,
// under a lock).
NearMiss AnalyzeRule(const CompiledRuleSet& rules, int rule, absl::string_view sentence);

}  // namespace entente

#endif  // ENTENTE_ENGINE_NEAR_MISS_H_
