// File: engine/rule_coverage.h
//
// How a rule set behaves on a corpus: how often each rule fires (its
// evidence survives context and reaches an annotation), sample matches per
// rule, the rules that never fire, and the lexicon terms that never occur.
//
//   entente::RuleCoverage coverage(rules, /*samples_per_rule=*/3);
//   for (const auto& doc : corpus) coverage.Add(doc.text, entente::Classify(*rules, doc.text, {}));
//   std::cout << coverage.Format();

#ifndef ENTENTE_ENGINE_RULE_COVERAGE_H_
#define ENTENTE_ENGINE_RULE_COVERAGE_H_

#include <memory>
#include <string>
#include <vector>

#include "engine/compiled_rule_set.h"
#include "proto/result.pb.h"
#include "re2/set.h"

namespace entente {

// Accumulates coverage over documents. Not thread-safe.
class RuleCoverage {
 public:
  struct Sample {
    std::string document_id;
    std::string sentence;
    std::string match;
  };
  struct RuleCount {
    std::string rule_id;
    std::string stance;
    int64_t fired = 0;
    std::vector<Sample> samples;
  };
  struct TermCount {
    std::string lexicon;
    std::string term;
    int64_t documents = 0;  // documents in which the term occurs
  };

  // `rules` must outlive this object.
  RuleCoverage(const CompiledRuleSet& rules, int samples_per_rule);

  // Counts one classified document (`result` from Classify on `text`).
  void Add(const std::string& document_id, absl::string_view text,
           const entente::v1::ClassifyResult& result);

  int64_t documents() const { return documents_; }
  const std::vector<RuleCount>& rules() const { return rules_; }
  const std::vector<TermCount>& terms() const { return terms_; }

  // A text report: rules by firing count with samples, rules that never
  // fired, terms that never occurred.
  std::string Format() const;
  // The same as one JSON object.
  std::string FormatJson() const;

 private:
  const CompiledRuleSet& compiled_;
  int samples_per_rule_;
  int64_t documents_ = 0;
  std::vector<RuleCount> rules_;
  std::vector<TermCount> terms_;
  // One pattern per literal lexicon term, to find the terms in a document.
  std::unique_ptr<RE2::Set> term_set_;
  std::vector<int> term_hits_;
};

}  // namespace entente

#endif  // ENTENTE_ENGINE_RULE_COVERAGE_H_
