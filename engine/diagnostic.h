// File: engine/diagnostic.h
//
// A Diagnostic is one problem found in a rule file: where it is, how bad it
// is, which rule it concerns and what is wrong. Loaders and the compiler
// append diagnostics to a list rather than stopping at the first problem, so
// an analyst sees every error of a file in one run.
//
//   std::vector<entente::Diagnostic> diagnostics;
//   auto loaded = entente::LoadRuleSet("rules/default.textproto", {}, &diagnostics);
//   for (const auto& d : diagnostics) std::cerr << d.ToString() << "\n";
//   // rules/stances/ceasefire.textproto:12:5: error: [cf_call] unknown lexicon {calll}

#ifndef ENTENTE_ENGINE_DIAGNOSTIC_H_
#define ENTENTE_ENGINE_DIAGNOSTIC_H_

#include <string>
#include <vector>

namespace entente {

// A position in a rule file. Line and column are 1-based; 0 means unknown.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  // "file:line:col", leaving out the parts that are unknown.
  std::string ToString() const;
};

struct Diagnostic {
  enum class Severity { kError, kWarning };

  Severity severity = Severity::kError;
  SourceLocation location;
  // Id of the rule, lexicon, trigger or actor concerned; may be empty.
  std::string subject;
  std::string message;

  // "file:line:col: error: [subject] message", the form compilers use and
  // editors understand.
  std::string ToString() const;
};

// Returns true if any diagnostic in `diagnostics` is an error.
bool HasErrors(const std::vector<Diagnostic>& diagnostics);

}  // namespace entente

#endif  // ENTENTE_ENGINE_DIAGNOSTIC_H_
