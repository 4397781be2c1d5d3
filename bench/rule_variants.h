// File: bench/rule_variants.h
//
// Rule sets of a chosen size for the scaling benchmarks: the default rule
// set cut to its first N rules, or grown to N with generated phrase rules in
// the analyst style ("{verbs} ... {nouns}" within a few words), whose words
// are drawn from the benchmark corpus's own vocabulary so that they are
// candidates and matches about as often as hand-written rules.
//
//   std::vector<std::string> words = entente::bench::ContentWords(corpus.sentences, 3000);
//   entente::LoadedRuleSet grown = entente::bench::WithRuleCount(loaded, 1000, words, 7);

#ifndef ENTENTE_BENCH_RULE_VARIANTS_H_
#define ENTENTE_BENCH_RULE_VARIANTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/rule_set_loader.h"

namespace entente {
namespace bench {

// The corpus's lower-cased alphabetic words of four letters or more, by
// decreasing frequency, skipping the 100 commonest (function words and the
// like) and keeping at most `count`.
std::vector<std::string> ContentWords(const std::vector<absl::string_view>& sentences,
                                      size_t count);

// A copy of `base` with exactly `count` rules: its first `count` rules, or
// all of them followed by generated rules (ids "generated_K"), each
// requiring one of three words then one of three others within four words,
// the words drawn from `words` with `seed`. Stances and polarities cycle
// through those of `base`'s rules. Examples are dropped from every rule.
LoadedRuleSet WithRuleCount(const LoadedRuleSet& base, int count,
                            const std::vector<std::string>& words, uint32_t seed);

}  // namespace bench
}  // namespace entente

#endif  // ENTENTE_BENCH_RULE_VARIANTS_H_
