#include "engine/compiled_rule_set.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/pattern_checks.h"
#include "engine/pattern_size.h"
#include "engine/token_pattern.h"

namespace entente {
namespace {

using entente::v1::Rule;

RE2::Options RuleOptions(int64_t max_mem) {
  RE2::Options options;
  options.set_case_sensitive(false);
  options.set_log_errors(false);
  options.set_max_mem(max_mem);
  return options;
}

std::string Bytes(int64_t bytes) {
  if (bytes >= kSaturatedPatternBytes) return "more than 4 EiB";
  if (bytes < (1 << 20)) return absl::StrCat(bytes, " bytes");
  return absl::StrFormat("%.1f MiB", bytes / 1048576.0);
}

void NoteReferences(absl::string_view text, std::set<std::string>* used) {
  ForEachLexiconReference(
      text, [&](absl::string_view name, size_t, size_t) { used->insert(std::string(name)); });
}

}  // namespace

absl::StatusOr<std::shared_ptr<const CompiledRuleSet>> CompiledRuleSet::Compile(
    const LoadedRuleSet& loaded, const CompileOptions& options,
    std::vector<Diagnostic>* diagnostics) {
  std::shared_ptr<CompiledRuleSet> out(new CompiledRuleSet());
  out->loaded_ = loaded;
  const auto& rs = out->loaded_.rule_set;
  out->name_ = rs.name();
  out->version_ = rs.version();
  const size_t errors_before =
      std::count_if(diagnostics->begin(), diagnostics->end(),
                    [](const Diagnostic& d) { return d.severity == Diagnostic::Severity::kError; });

  auto report = [&](Diagnostic::Severity severity, const SourceLocation& where,
                    const std::string& subject, std::string message) {
    diagnostics->push_back({severity, where, subject, std::move(message)});
  };
  const auto kError = Diagnostic::Severity::kError;

  // Measure before expanding anything: a few lines of lexicons can stand for
  // terabytes of pattern.
  const PatternSizeEstimate size = EstimatePatternBytes(loaded);
  if (size.total_bytes > options.max_pattern_bytes) {
    report(kError, size.largest_location, "",
           absl::StrCat("the rule set expands to ", Bytes(size.total_bytes),
                        " of RE2 patterns, over the budget of ", Bytes(options.max_pattern_bytes),
                        "; its largest part is ", size.largest_subject, " (",
                        Bytes(size.largest_bytes),
                        "). Lexicons that refer to a lexicon several times double at every "
                        "level, and each rule compiles its own copy of the lexicons it names"));
    return absl::InvalidArgumentError(
        absl::StrCat(loaded.path, ": rule set is over its pattern budget"));
  }

  if (rs.name().empty()) {
    report(kError, {loaded.path, 1, 1}, "", "rule set has no name");
  }

  absl::flat_hash_set<std::string> stances;
  for (int i = 0; i < rs.stance_size(); ++i) {
    SourceLocation where = i < static_cast<int>(loaded.stance_locations.size())
                               ? loaded.stance_locations[i]
                               : SourceLocation();
    if (rs.stance(i).id().empty()) {
      report(kError, where, "", "stance without an id");
    } else if (!stances.insert(rs.stance(i).id()).second) {
      report(kError, where, rs.stance(i).id(), "duplicate stance id");
    }
  }

  out->lexicons_ = LexiconTable::Build(out->loaded_, diagnostics);

  for (int i = 0; i < rs.rule_size(); ++i) {
    const Rule& rule = rs.rule(i);
    SourceLocation where = i < static_cast<int>(loaded.rule_locations.size())
                               ? loaded.rule_locations[i]
                               : SourceLocation();
    SourceLocation pattern_where = i < static_cast<int>(loaded.rule_pattern_locations.size())
                                       ? loaded.rule_pattern_locations[i]
                                       : where;
    const std::string& id = rule.id();
    auto error = [&](const SourceLocation& at, std::string message) {
      report(kError, at, id, std::move(message));
    };
    bool ok = true;
    if (id.empty()) {
      error(where, "rule without an id");
      continue;
    }
    if (out->rule_index_.contains(id)) {
      error(where, absl::StrCat("duplicate rule id \"", id, "\""));
      continue;
    }
    if (rule.stance().empty()) {
      error(where, "rule has no stance");
      ok = false;
    } else if (!stances.empty() && !stances.contains(rule.stance())) {
      error(where, absl::StrCat("unknown stance \"", rule.stance(), "\""));
      ok = false;
    }
    if (rule.polarity() == entente::v1::POLARITY_UNSPECIFIED ||
        !entente::v1::Polarity_IsValid(rule.polarity())) {
      error(where, "rule needs a polarity (SUPPORT or OPPOSE)");
      ok = false;
    }
    double weight = rule.weight() == 0 ? kDefaultRuleWeight : rule.weight();
    if (!(weight > 0 && weight <= 1)) {
      error(where, absl::StrCat("weight ", rule.weight(), " is outside (0, 1]"));
      ok = false;
    }
    if (rule.pattern().empty() == rule.tokens().empty()) {
      error(where, "rule needs exactly one of pattern and tokens");
      continue;
    }
    std::string source = rule.pattern();
    size_t any_byte = 0;
    if (FindAnyByteEscape(source, &any_byte)) {
      error(pattern_where, absl::StrCat("\\C (any byte) at offset ", any_byte,
                                        " of the pattern can end a match inside a UTF-8 "
                                        "character; use . (any character)"));
      continue;
    }
    if (!rule.tokens().empty()) {
      absl::StatusOr<std::string> translated = TokenPatternToRegex(rule.tokens());
      if (!translated.ok()) {
        error(pattern_where, std::string(translated.status().message()));
        continue;
      }
      source = *translated;
    }
    absl::StatusOr<std::string> expanded = out->lexicons_.Expand(source, &out->used_lexicons_);
    if (!expanded.ok()) {
      error(pattern_where, std::string(expanded.status().message()));
      continue;
    }
    auto regex = std::make_unique<RE2>(*expanded, RuleOptions(options.rule_max_mem));
    if (!regex->ok()) {
      error(pattern_where, absl::StrCat("invalid RE2 pattern: ", regex->error()));
      continue;
    }
    if (CanMatchEmpty(*regex)) {
      error(pattern_where, "pattern can match the empty string; it would fire on every sentence");
      ok = false;
    }
    CompiledRule compiled;
    ForEachLexiconReference(source, [&](absl::string_view name, size_t, size_t) {
      compiled.lexicons.emplace_back(name);
    });
    compiled.id = id;
    compiled.stance = rule.stance();
    compiled.polarity = rule.polarity();
    compiled.weight = weight;
    compiled.mutual = rule.mutual();
    compiled.location = where;
    compiled.expanded = *expanded;
    const auto& groups = regex->NamedCapturingGroups();
    for (const auto& [name, index] : groups) {
      if (name == "holder") {
        compiled.holder_group = index;
      } else if (name == "target") {
        compiled.target_group = index;
      } else {
        report(Diagnostic::Severity::kWarning, pattern_where, id,
               absl::StrCat("named group \"", name,
                            "\" is not a role (holder, target); it is ignored"));
      }
    }
    compiled.regex = std::move(regex);
    for (const std::string& veto : rule.veto()) {
      if (FindAnyByteEscape(veto, &any_byte)) {
        error(where, absl::StrCat("veto: \\C (any byte) at offset ", any_byte,
                                  " can end a match inside a UTF-8 character"));
        ok = false;
        continue;
      }
      absl::StatusOr<std::string> v = out->lexicons_.Expand(veto, &out->used_lexicons_);
      if (!v.ok()) {
        error(where, absl::StrCat("veto: ", v.status().message()));
        ok = false;
        continue;
      }
      auto re = std::make_unique<RE2>(*v, RuleOptions(options.rule_max_mem));
      if (!re->ok()) {
        error(where, absl::StrCat("invalid veto pattern: ", re->error()));
        ok = false;
        continue;
      }
      compiled.vetoes.push_back(std::move(re));
    }
    if (!ok) continue;
    out->rule_index_[id] = static_cast<int>(out->rules_.size());
    out->rules_.push_back(std::move(compiled));
  }

  // Fitted weights replace the rules' own.
  absl::flat_hash_set<std::string> overridden;
  for (int i = 0; i < rs.rule_weight_size(); ++i) {
    const auto& w = rs.rule_weight(i);
    SourceLocation where = i < static_cast<int>(loaded.rule_weight_locations.size())
                               ? loaded.rule_weight_locations[i]
                               : SourceLocation();
    auto it = out->rule_index_.find(w.rule());
    if (it == out->rule_index_.end()) {
      // Stale weights (a rule renamed since calibration) must not break a
      // rule set: warn, and let `entente calibrate` refresh them.
      report(Diagnostic::Severity::kWarning, where, w.rule(),
             "rule_weight names an unknown rule; it is ignored (re-run entente calibrate)");
    } else if (!(w.weight() > 0 && w.weight() <= 1)) {
      report(kError, where, w.rule(), absl::StrCat("weight ", w.weight(), " is outside (0, 1]"));
    } else if (!overridden.insert(w.rule()).second) {
      report(kError, where, w.rule(), "rule_weight given twice for this rule");
    } else {
      out->rules_[it->second].weight = w.weight();
    }
  }

  for (const auto& trigger : rs.context()) {
    for (const auto& t : trigger.term()) NoteReferences(t, &out->used_lexicons_);
    for (const auto& t : trigger.pattern()) NoteReferences(t, &out->used_lexicons_);
    for (const auto& t : trigger.terminator()) NoteReferences(t, &out->used_lexicons_);
    for (const auto& t : trigger.pseudo()) NoteReferences(t, &out->used_lexicons_);
  }
  // The same list attribution compiles, so that the two cannot drift.
  for (const std::string& name : AttributionLexiconNames(rs.attribution())) {
    out->used_lexicons_.insert(name);
  }
  // Lexicons referenced from other lexicons count as used too.
  for (const auto& lexicon : rs.lexicon()) {
    if (out->used_lexicons_.count(lexicon.name()) == 0) continue;
    for (const auto& parent : lexicon.extends()) out->used_lexicons_.insert(parent);
    for (const auto& term : lexicon.term()) NoteReferences(term, &out->used_lexicons_);
  }

  out->context_ = ContextMatcher::Build(out->loaded_, out->lexicons_, diagnostics);
  absl::StatusOr<ActorGazetteer> gazetteer = ActorGazetteer::Build(out->loaded_, diagnostics);
  if (!gazetteer.ok()) {
    report(kError, {loaded.path, 0, 0}, "", std::string(gazetteer.status().message()));
  } else {
    out->gazetteer_ = std::move(*gazetteer);
  }
  out->attribution_ = AttributionLexicons::Build(out->loaded_, out->lexicons_, diagnostics);

  for (const CompiledRule& rule : out->rules_) {
    for (const std::string& name : rule.lexicons) {
      if (out->lexicon_regex_.contains(name)) continue;
      absl::StatusOr<std::string> fragment = out->lexicons_.RegexFor(name);
      if (!fragment.ok()) continue;
      auto re = std::make_unique<RE2>(*fragment, RuleOptions(options.rule_max_mem));
      if (re->ok()) out->lexicon_regex_[name] = std::move(re);
    }
  }

  {
    // The prefilter: the literals each rule requires, found with one scan.
    std::vector<std::string> patterns;
    patterns.reserve(out->rules_.size());
    for (const CompiledRule& rule : out->rules_) patterns.push_back(rule.expanded);
    RulePrefilter::Options prefilter_options;
    prefilter_options.max_mem = options.prefilter_max_mem;
    prefilter_options.literals.min_length = options.min_atom_length;
    out->prefilter_ = RulePrefilter::Build(patterns, prefilter_options);
    if (!out->prefilter_.ok()) {
      report(Diagnostic::Severity::kWarning, {loaded.path, 0, 0}, "",
             absl::StrCat("the prefilter's scan for ", out->prefilter_.literal_count(),
                          " literals does not fit in ", options.prefilter_max_mem,
                          " bytes; every rule will run on every sentence (slower, "
                          "same results)"));
    }
  }

  const size_t errors_after =
      std::count_if(diagnostics->begin(), diagnostics->end(),
                    [](const Diagnostic& d) { return d.severity == Diagnostic::Severity::kError; });
  if (errors_after > errors_before) {
    return absl::InvalidArgumentError(
        absl::StrCat(loaded.path, ": rule set has ", errors_after - errors_before, " error(s)"));
  }
  return std::shared_ptr<const CompiledRuleSet>(std::move(out));
}

bool CompiledRuleSet::SelectCandidates(absl::string_view sentence,
                                       std::vector<int>* candidates) const {
  return prefilter_.Select(sentence, candidates);
}

const RE2* CompiledRuleSet::LexiconRegex(absl::string_view name) const {
  auto it = lexicon_regex_.find(name);
  return it == lexicon_regex_.end() ? nullptr : it->second.get();
}

int CompiledRuleSet::FindRule(absl::string_view id) const {
  auto it = rule_index_.find(id);
  return it == rule_index_.end() ? -1 : it->second;
}

absl::StatusOr<std::shared_ptr<const CompiledRuleSet>> CompileRuleSetFile(
    const std::string& path, std::vector<Diagnostic>* diagnostics, const CompileOptions& options) {
  absl::StatusOr<LoadedRuleSet> loaded = LoadRuleSet(path, {}, diagnostics);
  if (!loaded.ok()) return loaded.status();
  return CompiledRuleSet::Compile(*loaded, options, diagnostics);
}

}  // namespace entente
