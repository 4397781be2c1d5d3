// File: engine/lexicon.h
//
// Lexicons are named term lists that patterns refer to as {name}, so that an
// analyst adds a synonym in one place. A LexiconTable turns each lexicon into
// an RE2 fragment and expands the references in patterns.
//
//   entente::LexiconTable table = entente::LexiconTable::Build(loaded, &diagnostics);
//   absl::StatusOr<std::string> re = table.Expand("{call_verb} for (?:a )?{ceasefire}");

#ifndef ENTENTE_ENGINE_LEXICON_H_
#define ENTENTE_ENGINE_LEXICON_H_

#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/diagnostic.h"
#include "engine/rule_set_loader.h"

namespace entente {

// The RE2 fragment for one literal phrase: regex metacharacters escaped, a
// space matching any run of white space, straight and curly apostrophes
// alike, and word boundaries where the phrase begins or ends with a word
// character.
std::string PhraseToRegex(absl::string_view phrase);

// Calls `fn(name, begin, end)` for every {name} reference in `pattern`, where
// [begin, end) covers the braces. Numeric repetitions ({2}, {1,3}) are not
// references.
template <typename Fn>
void ForEachLexiconReference(absl::string_view pattern, Fn fn);

// Immutable once compiled; safe to read from many threads. A lexicon with
// `inflect` holds lemmas: the table holds their forms (engine/inflection.h).
class LexiconTable {
 public:
  // Builds regex fragments for every lexicon of `loaded`. Reports duplicate
  // names, references to unknown lexicons, reference cycles, references
  // nested more than 100 deep and invalid regex terms to `diagnostics`; a
  // lexicon with errors is left out. Expands every reference: measure the
  // rule set first (engine/pattern_size.h), as the compiler does.
  static LexiconTable Build(const LoadedRuleSet& loaded, std::vector<Diagnostic>* diagnostics);

  // Replaces every {name} in `pattern` with its lexicon's fragment. Returns
  // NotFound naming the first unknown lexicon. Adds the names used to `used`
  // when it is not null.
  absl::StatusOr<std::string> Expand(absl::string_view pattern,
                                     std::set<std::string>* used = nullptr) const;

  // Adds (or replaces) a lexicon that no rule file spells out, such as the
  // actor-class slots the compiler builds from the gazetteer. Only while
  // compiling, before the table is shared.
  void Define(const std::string& name, std::string fragment, std::vector<std::string> terms);

  // The names of the lexicons built, sorted (for "did you mean").
  std::vector<std::string> Names() const;

  // True if a lexicon called `name` was built.
  bool Contains(absl::string_view name) const;

  // The fragment of lexicon `name`, or NotFound.
  absl::StatusOr<std::string> RegexFor(absl::string_view name) const;

  // The literal terms of `name`, including those of lexicons it extends or
  // references; empty if unknown.
  std::vector<std::string> Terms(absl::string_view name) const;

 private:
  absl::flat_hash_map<std::string, std::string> regex_;
  absl::flat_hash_map<std::string, std::vector<std::string>> terms_;
};

// Implementation details below.

template <typename Fn>
void ForEachLexiconReference(absl::string_view pattern, Fn fn) {
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') {  // An escaped brace is a literal.
      ++i;
      continue;
    }
    if (pattern[i] != '{') continue;
    size_t close = pattern.find('}', i + 1);
    if (close == absl::string_view::npos) return;
    absl::string_view name = pattern.substr(i + 1, close - i - 1);
    bool identifier =
        !name.empty() && (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_');
    for (char c : name) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') identifier = false;
    }
    if (identifier) {
      fn(name, i, close + 1);
      i = close;
    }
  }
}

}  // namespace entente

#endif  // ENTENTE_ENGINE_LEXICON_H_
