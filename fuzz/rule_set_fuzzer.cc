// Fuzzes the first two stages and everything after them: rule-set text (any
// bytes) through the text-proto loader and the compiler; then, for every
// rule set the compiler accepts, classification of sample sentences (with
// and without explanations) and the rule set's own examples. Whatever the
// text, the result is diagnostics or a rule set that the classifier can
// run: a rule the compiler accepts but the classifier cannot run (a crash,
// a span outside the text or inside a character, a NaN score) is a finding.
//
// fuzz/rule_set_mutator.cc adds a structure-aware mutator for libFuzzer
// runs, so that mutated inputs stay rule sets and reach the classifier.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "engine/classifier.h"
#include "engine/compiled_rule_set.h"
#include "engine/rule_examples.h"
#include "engine/rule_set_loader.h"
#include "engine/utf8.h"
#include "fuzz/result_checks.h"

namespace {

using entente::fuzz::Check;

// Sentences of the kinds the default rules are about, plus scripts and
// symbols that test character boundaries.
constexpr const char* kSamples[] = {
    "China and Iran called for an immediate ceasefire in Gaza.",
    "We do not support a truce. Is anyone calling for a ceasefire?",
    "The SCO and BRICS must coordinate; both sides support each other's core interests.",
    "Hamas rejected the truce, officials said. \"We will never agree,\" Netanyahu said.",
    "Cessez-le-feu — é, 中文, عربي, 🙂 now!",
};

// Classifies `text` with and without explanations and checks the results.
void ClassifyAndCheck(const entente::CompiledRuleSet& rules, absl::string_view text) {
  if (!entente::IsValidUtf8(text)) return;  // callers validate first
  for (bool explain : {false, true}) {
    entente::ClassifyOptions options;
    options.speaker = "CHN";
    options.explain = explain;
    entente::fuzz::CheckResult(entente::Classify(rules, text, options), text);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<entente::Diagnostic> diagnostics;
  absl::StatusOr<entente::LoadedRuleSet> loaded =
      entente::LoadRuleSetFromText(text, "fuzz", &diagnostics);
  if (!loaded.ok()) {
    // A refusal always says why.
    Check(!diagnostics.empty());
    return 0;
  }
  // Small budgets keep each input fast; the limits are what is fuzzed, not
  // their size.
  entente::CompileOptions options;
  options.rule_max_mem = 1 << 20;
  options.prefilter_max_mem = 4 << 20;
  options.max_pattern_bytes = 256 << 10;
  const size_t before = diagnostics.size();
  auto compiled = entente::CompiledRuleSet::Compile(*loaded, options, &diagnostics);
  if (!compiled.ok()) {
    Check(diagnostics.size() > before);
    return 0;
  }
  const entente::CompiledRuleSet& rules = **compiled;
  for (const char* sample : kSamples) ClassifyAndCheck(rules, sample);
  // Text the rules were written for: their examples, and each rule's
  // lexicons' first terms in order (often a match).
  const auto& source = rules.source();
  int texts = 0;
  for (const auto& rule : source.rule()) {
    if (++texts > 32) break;
    for (const auto& example : rule.example()) ClassifyAndCheck(rules, example.text());
    for (const auto& example : rule.counterexample()) ClassifyAndCheck(rules, example.text());
  }
  for (size_t i = 0; i < rules.rules().size() && i < 32; ++i) {
    std::vector<std::string> words;
    for (const std::string& name : rules.rules()[i].lexicons) {
      std::vector<std::string> terms = rules.lexicons().Terms(name);
      if (!terms.empty()) words.push_back(terms.front());
    }
    if (!words.empty()) ClassifyAndCheck(rules, absl::StrJoin(words, " "));
  }
  for (const entente::ExampleOutcome& outcome : entente::RunRuleExamples(rules, "")) {
    Check(entente::IsValidUtf8(outcome.actual));
  }
  return 0;
}
