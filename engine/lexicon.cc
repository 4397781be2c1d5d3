#include "engine/lexicon.h"

#include <algorithm>
#include <cctype>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/inflection.h"
#include "engine/pattern_checks.h"
#include "re2/re2.h"

namespace entente {
namespace {

std::string Quote(absl::string_view s) {
  return RE2::QuoteMeta(re2::StringPiece(s.data(), s.size()));
}

// How deep lexicons may refer to lexicons (a refers to b refers to c ...).
constexpr size_t kMaxReferenceDepth = 100;

bool IsWordByte(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Builds fragments depth-first so that references inside terms resolve to
// finished fragments, and reports cycles.
class Builder {
 public:
  Builder(const LoadedRuleSet& loaded, std::vector<Diagnostic>* diagnostics)
      : loaded_(loaded), diagnostics_(diagnostics) {
    const auto& lexicons = loaded.rule_set.lexicon();
    for (int i = 0; i < lexicons.size(); ++i) {
      const std::string& name = lexicons[i].name();
      if (name.empty()) {
        Error(i, "lexicon without a name");
        continue;
      }
      if (!index_.emplace(name, i).second) {
        Error(i, absl::StrCat("duplicate lexicon name \"", name, "\""));
      }
    }
  }

  void BuildAll(absl::flat_hash_map<std::string, std::string>* regex,
                absl::flat_hash_map<std::string, std::vector<std::string>>* terms) {
    regex_ = regex;
    terms_ = terms;
    // In file order, so that diagnostics do not depend on hashing.
    const auto& lexicons = loaded_.rule_set.lexicon();
    for (int i = 0; i < lexicons.size(); ++i) {
      auto it = index_.find(lexicons[i].name());
      if (it != index_.end() && it->second == i) BuildOne(it->first, i);
    }
  }

 private:
  // Returns false if the lexicon could not be built.
  bool BuildOne(const std::string& name, int index) {
    if (regex_->contains(name)) return true;
    if (failed_.contains(name)) return false;
    if (!visiting_.insert(name).second) {
      Error(index, absl::StrCat("lexicon \"", name, "\" refers to itself"));
      failed_.insert(name);
      return false;
    }
    // Building recurses once per level of reference: bound it so that a
    // long chain of lexicons cannot overflow the stack.
    if (visiting_.size() > kMaxReferenceDepth) {
      Error(index, absl::StrCat("lexicon \"", name, "\" is more than ", kMaxReferenceDepth,
                                " lexicon references deep"));
      visiting_.erase(name);
      failed_.insert(name);
      return false;
    }
    const entente::v1::Lexicon& lexicon = loaded_.rule_set.lexicon(index);
    std::vector<std::string> alternatives;
    std::vector<std::string> literal_terms;
    bool ok = true;

    auto expand_reference = [&](absl::string_view ref) -> std::string {
      auto it = index_.find(std::string(ref));
      if (it == index_.end()) {
        Error(index, absl::StrCat("unknown lexicon {", ref, "} in lexicon \"", name, "\""));
        ok = false;
        return "";
      }
      if (!BuildOne(it->first, it->second)) {
        ok = false;
        return "";
      }
      const auto& sub = (*terms_)[it->first];
      literal_terms.insert(literal_terms.end(), sub.begin(), sub.end());
      return (*regex_)[it->first];
    };

    for (const std::string& parent : lexicon.extends()) {
      std::string fragment = expand_reference(parent);
      if (!fragment.empty()) alternatives.push_back(fragment);
    }
    std::vector<std::string> terms(lexicon.term().begin(), lexicon.term().end());
    if (!InflectTerms(index, &terms)) ok = false;
    // Longer terms first: RE2 alternation prefers the leftmost alternative.
    std::stable_sort(terms.begin(), terms.end(), [](const std::string& a, const std::string& b) {
      return a.size() > b.size();
    });
    for (const std::string& term : terms) {
      if (term.empty()) {
        Error(index, absl::StrCat("empty term in lexicon \"", name, "\""));
        ok = false;
        continue;
      }
      size_t any_byte = 0;
      if (lexicon.regex() && FindAnyByteEscape(term, &any_byte)) {
        Error(index, absl::StrCat("regex term \"", term, "\": \\C (any byte) at offset ", any_byte,
                                  " can end a match inside a UTF-8 character"));
        ok = false;
        continue;
      }
      std::string fragment;
      size_t last = 0;
      bool has_reference = false;
      ForEachLexiconReference(term, [&](absl::string_view ref, size_t begin, size_t end) {
        has_reference = true;
        absl::string_view before = absl::string_view(term).substr(last, begin - last);
        absl::StrAppend(&fragment, lexicon.regex() ? std::string(before) : Quote(before),
                        expand_reference(ref));
        last = end;
      });
      if (has_reference) {
        absl::string_view rest = absl::string_view(term).substr(last);
        absl::StrAppend(&fragment, lexicon.regex() ? std::string(rest) : Quote(rest));
      } else if (lexicon.regex()) {
        fragment = term;
        RE2 check(term);
        if (!check.ok()) {
          Error(index, absl::StrCat("invalid regex term \"", term, "\": ", check.error()));
          ok = false;
          continue;
        }
      } else {
        fragment = PhraseToRegex(term);
        literal_terms.push_back(term);
      }
      alternatives.push_back(fragment);
    }
    visiting_.erase(name);
    if (!ok || alternatives.empty()) {
      if (ok) Error(index, absl::StrCat("lexicon \"", name, "\" has no terms"));
      failed_.insert(name);
      return false;
    }
    (*regex_)[name] = absl::StrCat(
        lexicon.case_sensitive() ? "(?-i:" : "(?i:", absl::StrJoin(alternatives, "|"), ")");
    (*terms_)[name] = std::move(literal_terms);
    return true;
  }

  // Replaces the lemmas of an inflected lexicon with all their forms (its
  // `forms` where it gives them). Returns false after reporting an error.
  bool InflectTerms(int index, std::vector<std::string>* terms) {
    const entente::v1::Lexicon& lexicon = loaded_.rule_set.lexicon(index);
    if (lexicon.inflect() == entente::v1::INFLECTION_UNSPECIFIED) {
      if (lexicon.forms_size() > 0) {
        Error(index, "`forms` need `inflect: VERB` or `inflect: NOUN`");
        return false;
      }
      return true;
    }
    if (!entente::v1::Inflection_IsValid(lexicon.inflect())) {
      Error(index, absl::StrCat("unknown inflect value ", lexicon.inflect(), " (VERB or NOUN)"));
      return false;
    }
    if (lexicon.regex()) {
      Error(index, "a lexicon cannot be both `regex` and `inflect`: inflection needs lemmas");
      return false;
    }
    absl::flat_hash_map<std::string, std::vector<std::string>> overrides;
    for (const auto& f : lexicon.forms()) {
      if (std::find(lexicon.term().begin(), lexicon.term().end(), f.term()) ==
          lexicon.term().end()) {
        Error(index, absl::StrCat("forms for \"", f.term(), "\", which is not a term here"));
        return false;
      }
      overrides[f.term()].assign(f.form().begin(), f.form().end());
    }
    const WordClass word_class =
        lexicon.inflect() == entente::v1::VERB ? WordClass::kVerb : WordClass::kNoun;
    std::vector<std::string> out;
    for (const std::string& term : *terms) {
      bool reference = false;
      ForEachLexiconReference(term, [&](absl::string_view, size_t, size_t) { reference = true; });
      if (reference) {
        Error(index, absl::StrCat("term \"", term,
                                  "\": an inflected lexicon holds lemmas, "
                                  "not {references} (use `extends`)"));
        return false;
      }
      auto it = overrides.find(term);
      if (it != overrides.end()) {
        out.push_back(term);
        out.insert(out.end(), it->second.begin(), it->second.end());
      } else {
        std::vector<std::string> forms = InflectPhrase(term, word_class);
        out.insert(out.end(), forms.begin(), forms.end());
      }
    }
    *terms = std::move(out);
    return true;
  }

  void Error(int index, std::string message) {
    Diagnostic d;
    if (index < static_cast<int>(loaded_.lexicon_locations.size())) {
      d.location = loaded_.lexicon_locations[index];
    }
    d.subject = loaded_.rule_set.lexicon(index).name();
    d.message = std::move(message);
    diagnostics_->push_back(std::move(d));
  }

  const LoadedRuleSet& loaded_;
  std::vector<Diagnostic>* diagnostics_;
  absl::flat_hash_map<std::string, int> index_;
  absl::flat_hash_set<std::string> visiting_;
  absl::flat_hash_set<std::string> failed_;
  absl::flat_hash_map<std::string, std::string>* regex_ = nullptr;
  absl::flat_hash_map<std::string, std::vector<std::string>>* terms_ = nullptr;
};

}  // namespace

std::string PhraseToRegex(absl::string_view phrase) {
  std::string out;
  if (!phrase.empty() && IsWordByte(phrase.front())) out += "\\b";
  bool in_space = false;
  for (size_t i = 0; i < phrase.size(); ++i) {
    char c = phrase[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!in_space) out += "\\s+";
      in_space = true;
      continue;
    }
    in_space = false;
    if (c == '\'') {
      out += "['’]";
    } else if (phrase.substr(i, 3) == "’") {
      out += "['’]";
      i += 2;
    } else {
      out += Quote(absl::string_view(&c, 1));
    }
  }
  if (!phrase.empty() && IsWordByte(phrase.back())) out += "\\b";
  return out;
}

LexiconTable LexiconTable::Build(const LoadedRuleSet& loaded,
                                 std::vector<Diagnostic>* diagnostics) {
  LexiconTable table;
  Builder builder(loaded, diagnostics);
  builder.BuildAll(&table.regex_, &table.terms_);
  return table;
}

absl::StatusOr<std::string> LexiconTable::Expand(absl::string_view pattern,
                                                 std::set<std::string>* used) const {
  std::string out;
  size_t last = 0;
  absl::Status status;
  ForEachLexiconReference(pattern, [&](absl::string_view name, size_t begin, size_t end) {
    out.append(pattern.data() + last, begin - last);
    last = end;
    auto it = regex_.find(name);
    if (it == regex_.end()) {
      if (status.ok()) {
        status = absl::NotFoundError(absl::StrCat("unknown lexicon {", name, "}"));
      }
      return;
    }
    if (used != nullptr) used->insert(std::string(name));
    out += it->second;
  });
  if (!status.ok()) return status;
  out.append(pattern.data() + last, pattern.size() - last);
  return out;
}

void LexiconTable::Define(const std::string& name, std::string fragment,
                          std::vector<std::string> terms) {
  regex_[name] = std::move(fragment);
  terms_[name] = std::move(terms);
}

std::vector<std::string> LexiconTable::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, fragment] : regex_) {
    if (!absl::StartsWith(name, "actor__")) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool LexiconTable::Contains(absl::string_view name) const { return regex_.contains(name); }

absl::StatusOr<std::string> LexiconTable::RegexFor(absl::string_view name) const {
  auto it = regex_.find(name);
  if (it == regex_.end()) {
    return absl::NotFoundError(absl::StrCat("unknown lexicon {", name, "}"));
  }
  return it->second;
}

std::vector<std::string> LexiconTable::Terms(absl::string_view name) const {
  auto it = terms_.find(name);
  return it == terms_.end() ? std::vector<std::string>() : it->second;
}

}  // namespace entente
