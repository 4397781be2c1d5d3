// File: service/testing/hostile_inputs.h
//
// Inputs for the tests that hold the server to its bounds: news-like text
// that makes the bundled rules fire and nearly fire (the worst case for
// explanations), and large rule sets with examples for ValidateRuleSet.
//
//   std::string text = entente::NewsLikeText(4 << 20);
//   std::string rules = entente::LargeRuleSet(1 << 20);

#ifndef ENTENTE_SERVICE_TESTING_HOSTILE_INPUTS_H_
#define ENTENTE_SERVICE_TESTING_HOSTILE_INPUTS_H_

#include <cstddef>
#include <string>

namespace entente {

// About `bytes` bytes (never more) of sentences in the style of the seed
// article: stances of the default rule sets, near misses, and sentences
// with none.
std::string NewsLikeText(size_t bytes);

// A valid rule set of about `bytes` bytes (never more): rules with
// alternations of words of their own, each with an example and a
// counterexample, so that ValidateRuleSet compiles about as many pattern
// bytes and runs two examples per rule.
std::string LargeRuleSet(size_t bytes);

}  // namespace entente

#endif  // ENTENTE_SERVICE_TESTING_HOSTILE_INPUTS_H_
