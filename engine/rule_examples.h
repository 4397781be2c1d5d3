// File: engine/rule_examples.h
//
// Runs the examples embedded in rules, the rule set's own tests. An example
// passes when classifying its text (with its speaker) yields an annotation
// of the rule's stance with the expected polarity (the rule's by default)
// and, if given, exactly the expected holders, with the rule among the
// annotation's evidence. A counterexample passes when no annotation of the
// rule's stance (with the given polarity, if any) comes out.
//
//   std::vector<entente::ExampleOutcome> outcomes = entente::RunRuleExamples(*rules, "");
//   for (const auto& o : outcomes) if (!o.passed) std::cout << o.Describe() << "\n";

#ifndef ENTENTE_ENGINE_RULE_EXAMPLES_H_
#define ENTENTE_ENGINE_RULE_EXAMPLES_H_

#include <functional>
#include <string>
#include <vector>

#include "engine/compiled_rule_set.h"
#include "proto/result.pb.h"

namespace entente {

struct ExampleOutcome {
  std::string rule_id;
  SourceLocation location;          // of the rule
  SourceLocation example_location;  // of the example itself, when known
  bool counterexample = false;
  entente::v1::Example example;
  bool passed = false;
  // What was expected and what came out, in words.
  std::string expected;
  std::string actual;
  // Rules that fired on the text.
  std::vector<std::string> fired;
  // For an example whose rule did not fire: the rule's closest reading and
  // what failed in it (engine/near_miss.h).
  std::string near_miss;

  // A multi-line report for a failure.
  std::string Describe() const;
};

// Runs the examples of every rule of `rules` whose id contains `filter`
// (all when empty). When `cancelled` is set it is checked before each
// example and passed to Classify; once it returns true, the outcomes so far
// are returned (the caller, who knows, discards them).
std::vector<ExampleOutcome> RunRuleExamples(const CompiledRuleSet& rules, const std::string& filter,
                                            const std::function<bool()>& cancelled = nullptr);

// "ceasefire SUPPORT [CHN, IRN] 0.91 (cf_call_for)" for each annotation.
std::string SummarizeAnnotations(const entente::v1::ClassifyResult& result);

}  // namespace entente

#endif  // ENTENTE_ENGINE_RULE_EXAMPLES_H_
