#include "engine/rule_set_lint.h"

#include <algorithm>
#include <set>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "engine/inflection.h"
#include "engine/required_literals.h"

namespace entente {

namespace {

// Longest raw pattern that still reads as one reading.
constexpr size_t kMaxPatternChars = 200;

// True if `pattern` has a | outside every group and class.
bool HasTopLevelAlternation(absl::string_view pattern) {
  int depth = 0;
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      ++i;
    } else if (in_class) {
      in_class = c != ']';
    } else if (c == '[') {
      in_class = true;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == '|' && depth == 0) {
      return true;
    }
  }
  return false;
}

// Words that occur in nearly every sentence: a prefilter clause that can be
// satisfied by one of them filters nothing.
bool HasFunctionWord(const LiteralClause& clause) {
  static const auto* words = new absl::flat_hash_set<std::string>{
      "the",   "of",   "to",   "and",  "for", "in",  "on",  "a",     "an",  "at",   "by",
      "with",  "from", "that", "this", "is",  "are", "was", "be",    "has", "have", "its",
      "their", "our",  "as",   "we",   "it",  "all", "not", "which", "or"};
  for (const RequiredLiteral& literal : clause) {
    if (words->contains(literal.text)) return true;
  }
  return false;
}

// Calls fn(lemma, offset) for each [lemma] element whose head WordNet does
// not know.
template <typename Fn>
void UnknownLemmas(const TokenSequence& sequence, Fn fn) {
  for (const TokenElement& e : sequence) {
    if (e.kind == TokenElement::Kind::kLemma) {
      const std::string head(HeadWord(e.text, e.lemma_class));
      if (!head.empty() && !IsWordNetLemma(head, e.lemma_class)) fn(e.text, e.offset);
    }
    for (const TokenSequence& alternative : e.alternatives) UnknownLemmas(alternative, fn);
  }
}

}  // namespace

std::vector<Diagnostic> LintRuleSet(const CompiledRuleSet& rules) {
  std::vector<Diagnostic> out;
  const auto kWarning = Diagnostic::Severity::kWarning;
  const LoadedRuleSet& loaded = rules.loaded();
  const auto& rs = loaded.rule_set;
  auto at = [](const std::vector<SourceLocation>& v, int i) {
    return i < static_cast<int>(v.size()) ? v[i] : SourceLocation();
  };

  for (int i = 0; i < rs.lexicon_size(); ++i) {
    const auto& lexicon = rs.lexicon(i);
    SourceLocation where = at(loaded.lexicon_locations, i);
    if (rules.used_lexicons().count(lexicon.name()) == 0) {
      out.push_back({kWarning, where, lexicon.name(),
                     "lexicon is never used by a rule, trigger or attribution list"});
    }
    if (lexicon.regex()) continue;
    // Terms are tried longest first, so a term is shadowed only by an exact
    // duplicate (after folding case), which is dead weight.
    std::set<std::string> seen;
    for (const auto& term : lexicon.term()) {
      std::string key = absl::AsciiStrToLower(term);
      if (!seen.insert(key).second) {
        out.push_back(
            {kWarning, where, lexicon.name(), absl::StrCat("term \"", term, "\" is listed twice")});
      }
    }
  }

  for (int i = 0; i < rs.rule_size(); ++i) {
    const auto& rule = rs.rule(i);
    SourceLocation where = at(loaded.rule_locations, i);
    if (rule.example_size() == 0) {
      out.push_back({kWarning, where, rule.id(),
                     "rule has no example: add one that must match, so `entente test` checks it"});
    }
    // Actor ids in examples must exist, or the example can never pass.
    auto check_actor = [&](const std::string& id, const char* what) {
      if (id.empty() || id == "OTHER" || rules.gazetteer().Find(id) >= 0) return;
      out.push_back({kWarning, where, rule.id(),
                     absl::StrCat("example ", what, " \"", id, "\" is not a known actor id")});
    };
    for (const auto* list : {&rule.example(), &rule.counterexample()}) {
      for (const auto& e : *list) {
        check_actor(e.speaker(), "speaker");
        for (const auto& h : e.holders()) check_actor(h, "holder");
      }
    }
    if (rule.counterexample_size() == 0 && rule.example_size() > 0 && rule.weight() > 0.95) {
      out.push_back({kWarning, where, rule.id(),
                     "rule claims precision above 0.95 but has no counterexample"});
    }
  }
  // Readings: raw patterns that have grown unreadable, patterns that are
  // several readings joined with |, lemmas WordNet does not know, and
  // readings the prefilter can only anchor on function words.
  for (int index = 0; index < static_cast<int>(rules.readings().size()); ++index) {
    const CompiledReading& reading = rules.reading(index);
    const CompiledRule& rule = rules.rules()[rules.readings()[index].rule];
    if (!reading.from_tokens) {
      const std::string& source = reading.source;
      if (source.size() > kMaxPatternChars) {
        out.push_back(
            {kWarning, reading.location, rule.id,
             absl::StrCat("pattern of ", source.size(), " characters (over ", kMaxPatternChars,
                          "): write it as token sequences, one reading each")});
      }
      if (HasTopLevelAlternation(source)) {
        out.push_back({kWarning, reading.location, rule.id,
                       "pattern joins readings with a top-level |: give each its own "
                       "`pattern` (or `tokens`) field"});
      }
    }
    UnknownLemmas(reading.sequence, [&](const std::string& lemma, size_t offset) {
      out.push_back({kWarning, LocateInString(loaded, reading.location, offset), rule.id,
                     absl::StrCat("[", lemma, "]: WordNet does not know \"", lemma,
                                  "\"; check its forms with `entente lexicon`, or "
                                  "list them in a lexicon's `forms`")});
    });
    const LiteralCondition& condition = rules.prefilter().condition(index);
    if (!condition.always() &&
        std::all_of(condition.clauses.begin(), condition.clauses.end(),
                    [](const LiteralClause& clause) { return HasFunctionWord(clause); })) {
      out.push_back({kWarning, reading.location, rule.id,
                     "the prefilter can only require common words (\"of\", \"to\") for this "
                     "reading, so it runs on most sentences (slow): anchor it on a specific "
                     "word or a smaller lexicon"});
    }
  }
  // Inflected lexicons whose lemmas WordNet does not know.
  for (int i = 0; i < rs.lexicon_size(); ++i) {
    const auto& lexicon = rs.lexicon(i);
    if (lexicon.inflect() == entente::v1::INFLECTION_UNSPECIFIED) continue;
    const WordClass word_class =
        lexicon.inflect() == entente::v1::VERB ? WordClass::kVerb : WordClass::kNoun;
    for (const auto& term : lexicon.term()) {
      bool overridden = false;
      for (const auto& f : lexicon.forms()) overridden |= f.term() == term;
      const std::string head(HeadWord(term, word_class));
      if (overridden || head.empty() || IsWordNetLemma(head, word_class)) continue;
      out.push_back({kWarning, at(loaded.lexicon_locations, i), lexicon.name(),
                     absl::StrCat("WordNet does not know the ",
                                  word_class == WordClass::kVerb ? "verb" : "noun", " \"", head,
                                  "\" of term \"", term,
                                  "\": give its forms with forms { term: ... form: ... }")});
    }
  }
  for (int index : rules.unfiltered_readings()) {
    const CompiledRule& rule = rules.rules()[rules.readings()[index].rule];
    out.push_back({kWarning, rules.reading(index).location, rule.id,
                   "the prefilter finds no required word of 3 or more letters in this reading, "
                   "so it runs on every sentence (slow); anchor it on a lexicon or a word"});
  }
  return out;
}

}  // namespace entente
