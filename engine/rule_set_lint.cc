#include "engine/rule_set_lint.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace entente {

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
  for (int index : rules.unfiltered_readings()) {
    const CompiledRule& rule = rules.rules()[rules.readings()[index].rule];
    out.push_back({kWarning, rules.reading(index).location, rule.id,
                   "the prefilter finds no required word of 3 or more letters in this reading, "
                   "so it runs on every sentence (slow); anchor it on a lexicon or a word"});
  }
  return out;
}

}  // namespace entente
