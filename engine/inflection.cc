#include "engine/inflection.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace entente {
namespace wordnet_tables {
// Generated from WordNet 3.0 (tools/wordnet/gen_wordnet_tables.cc).
extern const char kVerbExceptions[];
extern const char kNounExceptions[];
extern const char kVerbLemmas[];
extern const char kNounLemmas[];
}  // namespace wordnet_tables

namespace {

using Exceptions = absl::flat_hash_map<std::string, std::vector<std::string>>;

// "lemma form\n" lines -> lemma -> irregular forms.
const Exceptions* ParseExceptions(const char* table) {
  auto* out = new Exceptions();
  for (absl::string_view line : absl::StrSplit(table, '\n', absl::SkipEmpty())) {
    size_t space = line.rfind(' ');
    if (space == absl::string_view::npos) continue;
    (*out)[std::string(line.substr(0, space))].emplace_back(line.substr(space + 1));
  }
  return out;
}

const absl::flat_hash_set<absl::string_view>* ParseLemmas(const char* table) {
  auto* out = new absl::flat_hash_set<absl::string_view>();
  for (absl::string_view line : absl::StrSplit(table, '\n', absl::SkipEmpty())) {
    out->insert(line);
  }
  return out;
}

const Exceptions& ExceptionsOf(WordClass word_class) {
  static const Exceptions* verbs = ParseExceptions(wordnet_tables::kVerbExceptions);
  static const Exceptions* nouns = ParseExceptions(wordnet_tables::kNounExceptions);
  return word_class == WordClass::kVerb ? *verbs : *nouns;
}

bool IsVowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

// -s / -es / -ies, for a verb's third person and a noun's plural.
std::string SForm(const std::string& w, bool verb) {
  const size_t n = w.size();
  if (n >= 2 && w[n - 1] == 'y' && !IsVowel(w[n - 2])) return w.substr(0, n - 1) + "ies";
  if (absl::EndsWith(w, "s") || absl::EndsWith(w, "x") || absl::EndsWith(w, "z") ||
      absl::EndsWith(w, "ch") || absl::EndsWith(w, "sh") || (verb && absl::EndsWith(w, "o"))) {
    return w + "es";
  }
  return w + "s";
}

std::string EdForm(const std::string& w) {
  const size_t n = w.size();
  if (absl::EndsWith(w, "e")) return w + "d";
  if (n >= 2 && w[n - 1] == 'y' && !IsVowel(w[n - 2])) return w.substr(0, n - 1) + "ied";
  return w + "ed";
}

std::string IngForm(const std::string& w) {
  const size_t n = w.size();
  if (absl::EndsWith(w, "ie")) return w.substr(0, n - 2) + "ying";
  if (n >= 3 && w[n - 1] == 'e' && w[n - 2] != 'e' && w[n - 2] != 'y' && w[n - 2] != 'o') {
    return w.substr(0, n - 1) + "ing";
  }
  return w + "ing";
}

void AddUnique(std::string form, std::vector<std::string>* out) {
  if (std::find(out->begin(), out->end(), form) == out->end()) out->push_back(std::move(form));
}

}  // namespace

std::vector<std::string> InflectWord(absl::string_view lemma, WordClass word_class) {
  std::string word = absl::AsciiStrToLower(lemma);
  const bool capital = !lemma.empty() && absl::ascii_isupper(static_cast<unsigned char>(lemma[0]));
  std::vector<std::string> forms = {word};
  if (word.empty()) return forms;
  std::vector<std::string> irregular_s, irregular_past, irregular_ing;
  auto it = ExceptionsOf(word_class).find(word);
  if (it != ExceptionsOf(word_class).end()) {
    for (const std::string& form : it->second) {
      if (word_class == WordClass::kNoun) {
        irregular_s.push_back(form);
      } else if (absl::EndsWith(form, "ing")) {
        irregular_ing.push_back(form);
      } else if (absl::EndsWith(form, "s") && !absl::EndsWith(form, "ss")) {
        irregular_s.push_back(form);
      } else {
        irregular_past.push_back(form);
      }
    }
  }
  // Regular forms stay beside the irregular ones: WordNet also lists
  // variants ("worked" and "wrought", "learned" and "learnt"), and a
  // regular form that is not a word ("seeked") never occurs in text.
  const bool verb = word_class == WordClass::kVerb;
  AddUnique(SForm(word, verb), &forms);
  for (auto& f : irregular_s) AddUnique(f, &forms);
  if (verb) {
    AddUnique(EdForm(word), &forms);
    for (auto& f : irregular_past) AddUnique(f, &forms);
    AddUnique(IngForm(word), &forms);
    for (auto& f : irregular_ing) AddUnique(f, &forms);
  }
  if (capital) {
    for (std::string& f : forms) f[0] = absl::ascii_toupper(static_cast<unsigned char>(f[0]));
  }
  return forms;
}

absl::string_view HeadWord(absl::string_view phrase, WordClass word_class) {
  std::vector<absl::string_view> words =
      absl::StrSplit(phrase, absl::ByAnyChar(" \t\n"), absl::SkipEmpty());
  if (words.empty()) return absl::string_view();
  return word_class == WordClass::kVerb ? words.front() : words.back();
}

std::vector<std::string> InflectPhrase(absl::string_view phrase, WordClass word_class) {
  std::vector<std::string> words =
      absl::StrSplit(phrase, absl::ByAnyChar(" \t\n"), absl::SkipEmpty());
  if (words.empty()) return {};
  const size_t head = word_class == WordClass::kVerb ? 0 : words.size() - 1;
  std::vector<std::string> out;
  for (std::string& form : InflectWord(words[head], word_class)) {
    words[head] = std::move(form);
    AddUnique(absl::StrJoin(words, " "), &out);
  }
  return out;
}

bool IsWordNetLemma(absl::string_view lemma, WordClass word_class) {
  static const auto* verbs = ParseLemmas(wordnet_tables::kVerbLemmas);
  static const auto* nouns = ParseLemmas(wordnet_tables::kNounLemmas);
  std::string key = absl::AsciiStrToLower(lemma);
  return (word_class == WordClass::kVerb ? verbs : nouns)->contains(key);
}

}  // namespace entente
