#include "engine/compiled_rule_set.h"

#include <algorithm>
#include <map>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
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

int EditDistance(absl::string_view a, absl::string_view b) {
  std::vector<int> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    int diagonal = row[0];
    row[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      int up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// " (did you mean X?)" for the closest of `names` to `name`, if close.
std::string DidYouMean(absl::string_view name, const std::vector<std::string>& names,
                       absl::string_view open = "", absl::string_view close = "") {
  const std::string* best = nullptr;
  int best_distance = 3;
  for (const std::string& candidate : names) {
    int d = EditDistance(name, candidate);
    if (d < best_distance && d <= static_cast<int>(std::max<size_t>(2, name.size() / 3))) {
      best = &candidate;
      best_distance = d;
    }
  }
  return best == nullptr ? "" : absl::StrCat(" (did you mean ", open, *best, close, "?)");
}

// The offset in `source` of the parenthesis that RE2 found unbalanced, or
// npos: the unclosed "(" for a missing paren, the stray ")" otherwise.
size_t UnbalancedParen(absl::string_view source, bool missing) {
  std::vector<size_t> open;
  bool in_class = false;
  for (size_t i = 0; i < source.size(); ++i) {
    char c = source[i];
    if (c == '\\') {
      ++i;
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      continue;
    }
    if (c == '[') {
      in_class = true;
    } else if (c == '(') {
      open.push_back(i);
    } else if (c == ')') {
      if (open.empty()) return missing ? absl::string_view::npos : i;
      open.pop_back();
    }
  }
  return missing && !open.empty() ? open.back() : absl::string_view::npos;
}

}  // namespace

// Compiles one rule set in named steps. Used once, by CompiledRuleSet::Compile.
class RuleSetCompiler {
 public:
  RuleSetCompiler(const LoadedRuleSet& loaded, const CompileOptions& options,
                  std::vector<Diagnostic>* diagnostics)
      : options_(options), diagnostics_(diagnostics), out_(new CompiledRuleSet()) {
    out_->loaded_ = loaded;
  }

  absl::StatusOr<std::shared_ptr<const CompiledRuleSet>> Run() {
    const size_t errors_before = ErrorCount();
    if (!WithinBudget()) {
      return absl::InvalidArgumentError(
          absl::StrCat(loaded().path, ": rule set is over its pattern budget"));
    }
    CheckNameAndStances();
    BuildGazetteer();
    BuildLexicons();
    CompileTemplates();
    CompileRules();
    ResolveOverrides();
    ApplyFittedWeights();
    CollectUsedLexicons();
    out_->context_ = ContextMatcher::Build(loaded(), out_->lexicons_, diagnostics_);
    out_->attribution_ = AttributionLexicons::Build(loaded(), out_->lexicons_, diagnostics_);
    BuildExplanationRegexes();
    BuildPrefilter();
    const size_t errors = ErrorCount() - errors_before;
    if (errors > 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(loaded().path, ": rule set has ", errors, " error(s)"));
    }
    return std::shared_ptr<const CompiledRuleSet>(std::move(out_));
  }

 private:
  const LoadedRuleSet& loaded() const { return out_->loaded_; }
  const entente::v1::RuleSet& rule_set() const { return out_->loaded_.rule_set; }

  size_t ErrorCount() const {
    return std::count_if(diagnostics_->begin(), diagnostics_->end(), [](const Diagnostic& d) {
      return d.severity == Diagnostic::Severity::kError;
    });
  }

  void Report(Diagnostic::Severity severity, const SourceLocation& where,
              const std::string& subject, std::string message) {
    diagnostics_->push_back({severity, where, subject, std::move(message)});
  }
  void Error(const SourceLocation& where, const std::string& subject, std::string message) {
    Report(Diagnostic::Severity::kError, where, subject, std::move(message));
  }

  static SourceLocation At(const std::vector<SourceLocation>& locations, int i,
                           const SourceLocation& fallback) {
    return i < static_cast<int>(locations.size()) && locations[i].line > 0 ? locations[i]
                                                                           : fallback;
  }

  // Measures before expanding anything: a few lines of lexicons can stand
  // for terabytes of pattern.
  bool WithinBudget() {
    const PatternSizeEstimate size = EstimatePatternBytes(loaded());
    if (size.total_bytes <= options_.max_pattern_bytes) return true;
    Error(size.largest_location, "",
          absl::StrCat("the rule set expands to ", Bytes(size.total_bytes),
                       " of RE2 patterns, over the budget of ", Bytes(options_.max_pattern_bytes),
                       "; its largest part is ", size.largest_subject, " (",
                       Bytes(size.largest_bytes),
                       "). Lexicons that refer to a lexicon several times double at every "
                       "level, and each rule compiles its own copy of the lexicons it names"));
    return false;
  }

  void CheckNameAndStances() {
    out_->name_ = rule_set().name();
    out_->version_ = rule_set().version();
    if (rule_set().name().empty()) Error({loaded().path, 1, 1}, "", "rule set has no name");
    for (int i = 0; i < rule_set().stance_size(); ++i) {
      const SourceLocation where = At(loaded().stance_locations, i, {loaded().path, 0, 0});
      const std::string& id = rule_set().stance(i).id();
      if (id.empty()) {
        Error(where, "", "stance without an id");
      } else if (!stances_.insert(id).second) {
        Error(where, id, "duplicate stance id");
      }
    }
  }

  void BuildGazetteer() {
    absl::StatusOr<ActorGazetteer> gazetteer = ActorGazetteer::Build(loaded(), diagnostics_);
    if (!gazetteer.ok()) {
      Error({loaded().path, 0, 0}, "", std::string(gazetteer.status().message()));
    } else {
      out_->gazetteer_ = std::move(*gazetteer);
    }
  }

  // The lexicon table, the actor-class slots and the words that end a
  // clause for ~N gaps.
  void BuildLexicons() {
    out_->lexicons_ = LexiconTable::Build(loaded(), diagnostics_);
    for (const std::string& type : ActorClassNames()) DefineActorSlot(type);
    DefineActorSlot("");
    const std::string& breaks = rule_set().token_syntax().clause_break_lexicon();
    if (!breaks.empty()) {
      if (!out_->lexicons_.Contains(breaks)) {
        Error({loaded().path, 0, 0}, "token_syntax",
              absl::StrCat("clause_break_lexicon names unknown lexicon \"", breaks, "\"",
                           DidYouMean(breaks, out_->lexicons_.Names())));
      }
      token_context_.clause_breaks = out_->lexicons_.Terms(breaks);
      out_->clause_break_words_ = token_context_.clause_breaks;
    }
    out_->rule_max_mem_ = options_.rule_max_mem;
    std::string clause_break = "[;:]";
    if (out_->lexicons_.Contains(breaks)) {
      absl::StrAppend(&clause_break, "|", *out_->lexicons_.RegexFor(breaks));
    }
    out_->clause_break_ = std::make_unique<RE2>(clause_break, RuleOptions(options_.rule_max_mem));
    token_context_.lexicon_words =
        [this](absl::string_view name) -> absl::StatusOr<std::vector<std::string>> {
      if (!out_->lexicons_.Contains(name)) {
        return absl::NotFoundError(absl::StrCat(
            "unknown lexicon {", name, "}", DidYouMean(name, out_->lexicons_.Names(), "{", "}")));
      }
      std::vector<std::string> words;
      for (std::string& term : out_->lexicons_.Terms(name)) {
        if (term.find(' ') == std::string::npos) words.push_back(std::move(term));
      }
      return words;
    };
  }

  void DefineActorSlot(const std::string& type) {
    std::string fragment = out_->gazetteer_.SlotFragment(type);
    // A slot of a type no actor has matches nothing (not the empty string).
    if (fragment.empty()) fragment = "[^\\x00-\\x{10FFFF}]";
    out_->lexicons_.Define(ActorClassLexicon(type), std::move(fragment), {});
  }

  void CompileTemplates() {
    for (int i = 0; i < rule_set().template__size(); ++i) {
      const entente::v1::Template& t = rule_set().template_(i);
      const SourceLocation where = At(loaded().template_locations, i, {loaded().path, 0, 0});
      if (t.name().empty()) {
        Error(where, "", "template without a name");
        continue;
      }
      if (!templates_.emplace(t.name(), i).second) {
        Error(where, t.name(), "duplicate template name");
        continue;
      }
      if (t.tokens_size() + t.pattern_size() == 0) {
        Error(where, t.name(), "template has no reading (tokens or pattern)");
      }
      // Every $NAME in a token reading must be a declared parameter.
      const RuleLocations& parts = loaded().template_parts[i];
      for (int r = 0; r < t.tokens_size(); ++r) {
        size_t offset = 0;
        absl::StatusOr<TokenSequence> seq = ParseTokens(t.tokens(r), &offset);
        const SourceLocation field = At(parts.tokens, r, where);
        if (!seq.ok()) {
          Error(LocateInString(loaded(), field, offset), t.name(),
                std::string(seq.status().message()));
          continue;
        }
        CheckParams(*seq, t, field);
      }
    }
  }

  void CheckParams(const TokenSequence& seq, const entente::v1::Template& t,
                   const SourceLocation& field) {
    for (const TokenElement& e : seq) {
      if (e.kind == TokenElement::Kind::kParam &&
          std::find(t.param().begin(), t.param().end(), e.text) == t.param().end()) {
        Error(LocateInString(loaded(), field, e.offset), t.name(),
              absl::StrCat("$", e.text, " is not a parameter of template \"", t.name(),
                           "\" (param: ", absl::StrJoin(t.param(), ", "), ")"));
      }
      for (const TokenSequence& alternative : e.alternatives) CheckParams(alternative, t, field);
    }
  }

  void CompileRules() {
    for (int i = 0; i < rule_set().rule_size(); ++i) {
      CompiledRule compiled;
      if (!CompileRule(i, &compiled)) continue;
      out_->rule_index_[compiled.id] = static_cast<int>(out_->rules_.size());
      for (int r = 0; r < static_cast<int>(compiled.readings.size()); ++r) {
        out_->readings_.push_back({static_cast<int>(out_->rules_.size()), r});
      }
      out_->rules_.push_back(std::move(compiled));
      sources_.push_back(&rule_set().rule(i));
    }
  }

  // Returns false if the rule has errors (they are reported).
  bool CompileRule(int i, CompiledRule* compiled) {
    const Rule& rule = rule_set().rule(i);
    const SourceLocation where = At(loaded().rule_locations, i, {loaded().path, 0, 0});
    static const RuleLocations kNoParts;
    const RuleLocations& parts =
        i < static_cast<int>(loaded().rule_parts.size()) ? loaded().rule_parts[i] : kNoParts;
    const std::string& id = rule.id();
    if (id.empty()) {
      Error(where, "", "rule without an id");
      return false;
    }
    if (out_->rule_index_.contains(id) || !rule_ids_.insert(id).second) {
      Error(where, id, absl::StrCat("duplicate rule id \"", id, "\""));
      return false;
    }
    bool ok = true;
    if (rule.stance().empty()) {
      Error(where, id, "rule has no stance");
      ok = false;
    } else if (!stances_.empty() && !stances_.contains(rule.stance())) {
      std::vector<std::string> known(stances_.begin(), stances_.end());
      Error(
          where, id,
          absl::StrCat("unknown stance \"", rule.stance(), "\"", DidYouMean(rule.stance(), known)));
      ok = false;
    }
    if (rule.polarity() == entente::v1::POLARITY_UNSPECIFIED ||
        !entente::v1::Polarity_IsValid(rule.polarity())) {
      Error(where, id, "rule needs a polarity (SUPPORT or OPPOSE)");
      ok = false;
    }
    const double weight = rule.weight() == 0 ? kDefaultRuleWeight : rule.weight();
    if (!(weight > 0 && weight <= 1)) {
      Error(where, id, absl::StrCat("weight ", rule.weight(), " is outside (0, 1]"));
      ok = false;
    }
    if (rule.tokens_size() + rule.pattern_size() + rule.use_size() == 0) {
      Error(where, id, "rule has no reading: give it tokens, a pattern or a template (use)");
      return false;
    }
    compiled->id = id;
    compiled->stance = rule.stance();
    compiled->polarity = rule.polarity();
    compiled->weight = weight;
    compiled->mutual = rule.mutual();
    compiled->location = where;
    compiled->holder_required = rule.holder_required();
    if (!entente::v1::VetoScope_IsValid(rule.veto_scope())) {
      Error(where, id,
            absl::StrCat("unknown veto_scope ", rule.veto_scope(), " (SENTENCE, MATCH or CLAUSE)"));
      ok = false;
    }
    compiled->veto_scope = rule.veto_scope();
    for (int r = 0; r < rule.tokens_size(); ++r) {
      ok &= CompileReading(id, rule.tokens(r), true, At(parts.tokens, r, where), nullptr, "",
                           compiled);
    }
    for (int r = 0; r < rule.pattern_size(); ++r) {
      ok &= CompileReading(id, rule.pattern(r), false, At(parts.patterns, r, where), nullptr, "",
                           compiled);
    }
    for (int u = 0; u < rule.use_size(); ++u) {
      ok &= CompileUse(id, rule.use(u), At(parts.uses, u, where), compiled);
    }
    for (int v = 0; v < rule.veto_size(); ++v) {
      ok &= CompileVeto(id, rule.veto(v), At(parts.vetoes, v, where), compiled);
    }
    return ok;
  }

  // Compiles one reading (a token sequence when `tokens`, else a raw
  // pattern) into `rule`. `params` binds a template's parameters; `label`
  // names the template. Errors point into `field`'s string.
  bool CompileReading(const std::string& id, const std::string& text, bool tokens,
                      const SourceLocation& field, const std::map<std::string, std::string>* params,
                      const std::string& label, CompiledRule* rule) {
    auto error_at = [&](size_t offset, absl::string_view message) {
      Error(LocateInString(loaded(), field, offset), id,
            label.empty() ? std::string(message) : absl::StrCat(label, ": ", message));
      return false;
    };
    std::string source = text;
    if (tokens) {
      size_t offset = 0;
      absl::StatusOr<TokenSequence> seq = ParseTokens(text, &offset);
      if (!seq.ok()) return error_at(offset, seq.status().message());
      TokenContext context = token_context_;
      context.params = params;
      absl::StatusOr<std::string> regex = TokensToRegex(*seq, context, &offset);
      if (!regex.ok()) return error_at(offset, regex.status().message());
      source = *std::move(regex);
    } else {
      if (params != nullptr) {
        for (const auto& [name, value] : *params) {
          const std::string placeholder = absl::StrCat("$", name);
          for (size_t at; (at = source.find(placeholder)) != std::string::npos;) {
            source.replace(at, placeholder.size(), absl::StrCat("(?:", value, ")"));
          }
        }
      }
      size_t any_byte = 0;
      if (FindAnyByteEscape(source, &any_byte)) {
        return error_at(any_byte,
                        "\\C (any byte) can end a match inside a UTF-8 character; use . (any "
                        "character)");
      }
    }
    absl::StatusOr<std::string> expanded = out_->lexicons_.Expand(source, &out_->used_lexicons_);
    if (!expanded.ok()) {
      // Point at the first unknown reference as the analyst wrote it.
      size_t offset = 0;
      ForEachLexiconReference(text, [&](absl::string_view name, size_t begin, size_t) {
        if (offset == 0 && !out_->lexicons_.Contains(name)) offset = begin;
      });
      std::string message(expanded.status().message());
      ForEachLexiconReference(source, [&](absl::string_view name, size_t, size_t) {
        if (!out_->lexicons_.Contains(name) && message.find("did you mean") == std::string::npos) {
          absl::StrAppend(&message, DidYouMean(name, out_->lexicons_.Names(), "{", "}"));
        }
      });
      return error_at(offset, message);
    }
    auto regex = std::make_unique<RE2>(*expanded, RuleOptions(options_.rule_max_mem));
    if (!regex->ok()) {
      size_t offset = 0;
      if (!tokens) {
        const bool missing = regex->error_code() == RE2::ErrorMissingParen;
        const bool stray = regex->error_code() == RE2::ErrorUnexpectedParen;
        size_t at =
            missing || stray ? UnbalancedParen(text, missing) : text.find(regex->error_arg());
        if (at != std::string::npos) offset = at;
      }
      return error_at(offset, absl::StrCat("invalid RE2 pattern: ", regex->error()));
    }
    if (CanMatchEmpty(*regex)) {
      return error_at(0, "reading can match the empty string; it would fire on every sentence");
    }
    CompiledReading reading;
    reading.from_tokens = tokens;
    if (tokens) {
      size_t unused = 0;
      absl::StatusOr<TokenSequence> seq = ParseTokens(text, &unused);
      if (seq.ok()) reading.sequence = *std::move(seq);
      if (params != nullptr) reading.params = *params;
    }
    reading.location = field;
    reading.source = label.empty() ? text : absl::StrCat(label, ": ", text);
    reading.expanded = *std::move(expanded);
    for (const auto& [name, index] : regex->NamedCapturingGroups()) {
      if (name == "holder") {
        reading.holder_group = index;
      } else if (name == "target") {
        reading.target_group = index;
      } else if (tokens && absl::StartsWith(name, kGapGroupPrefix)) {
        reading.gap_groups.push_back(index);
      } else {
        Report(Diagnostic::Severity::kWarning, field, id,
               absl::StrCat("named group \"", name,
                            "\" is not a role (holder, target); it is ignored"));
      }
    }
    std::sort(reading.gap_groups.begin(), reading.gap_groups.end());
    reading.regex = std::move(regex);
    ForEachLexiconReference(source, [&](absl::string_view name, size_t, size_t) {
      if (std::find(rule->lexicons.begin(), rule->lexicons.end(), name) == rule->lexicons.end()) {
        rule->lexicons.emplace_back(name);
      }
    });
    rule->readings.push_back(std::move(reading));
    return true;
  }

  bool CompileUse(const std::string& id, const entente::v1::TemplateUse& use,
                  const SourceLocation& where, CompiledRule* rule) {
    auto it = templates_.find(use.template_());
    if (it == templates_.end()) {
      std::vector<std::string> names;
      for (const auto& [name, index] : templates_) names.push_back(name);
      Error(where, id,
            absl::StrCat("unknown template \"", use.template_(), "\"",
                         DidYouMean(use.template_(), names)));
      return false;
    }
    const entente::v1::Template& t = rule_set().template_(it->second);
    std::map<std::string, std::string> params(use.bind().begin(), use.bind().end());
    bool ok = true;
    for (const std::string& p : t.param()) {
      if (!params.count(p)) {
        Error(where, id,
              absl::StrCat("template \"", t.name(), "\" needs parameter ", p, ": bind { key: \"", p,
                           "\" value: \"...\" }"));
        ok = false;
      }
    }
    for (const auto& [name, value] : params) {
      if (std::find(t.param().begin(), t.param().end(), name) == t.param().end()) {
        Error(where, id,
              absl::StrCat("template \"", t.name(), "\" has no parameter ", name,
                           " (param: ", absl::StrJoin(t.param(), ", "), ")"));
        ok = false;
      }
    }
    if (!ok) return false;
    const RuleLocations& parts = loaded().template_parts[it->second];
    const SourceLocation template_where =
        At(loaded().template_locations, it->second, {loaded().path, 0, 0});
    const std::string label = absl::StrCat("template ", t.name());
    for (int r = 0; r < t.tokens_size(); ++r) {
      ok &= CompileReading(id, t.tokens(r), true, At(parts.tokens, r, template_where), &params,
                           label, rule);
    }
    for (int r = 0; r < t.pattern_size(); ++r) {
      ok &= CompileReading(id, t.pattern(r), false, At(parts.patterns, r, template_where), &params,
                           label, rule);
    }
    return ok;
  }

  bool CompileVeto(const std::string& id, const std::string& veto, const SourceLocation& where,
                   CompiledRule* rule) {
    size_t any_byte = 0;
    if (FindAnyByteEscape(veto, &any_byte)) {
      Error(LocateInString(loaded(), where, any_byte), id,
            "veto: \\C (any byte) can end a match inside a UTF-8 character");
      return false;
    }
    absl::StatusOr<std::string> v = out_->lexicons_.Expand(veto, &out_->used_lexicons_);
    if (!v.ok()) {
      Error(where, id, absl::StrCat("veto: ", v.status().message()));
      return false;
    }
    auto re = std::make_unique<RE2>(*v, RuleOptions(options_.rule_max_mem));
    if (!re->ok()) {
      Error(where, id, absl::StrCat("invalid veto pattern: ", re->error()));
      return false;
    }
    rule->vetoes.push_back(std::move(re));
    return true;
  }

  // Rule.overrides: ids (or "*", every other rule of the stance) to indices.
  void ResolveOverrides() {
    for (size_t r = 0; r < out_->rules_.size(); ++r) {
      CompiledRule& rule = out_->rules_[r];
      for (const std::string& target : sources_[r]->overrides()) {
        if (target == "*") {
          for (size_t o = 0; o < out_->rules_.size(); ++o) {
            if (o != r && out_->rules_[o].stance == rule.stance) rule.overrides.push_back(o);
          }
          continue;
        }
        int index = out_->FindRule(target);
        if (index < 0) {
          Error(rule.location, rule.id,
                absl::StrCat("overrides unknown rule \"", target, "\"",
                             DidYouMean(target, std::vector<std::string>(rule_ids_.begin(),
                                                                         rule_ids_.end()))));
        } else if (index == static_cast<int>(r)) {
          Error(rule.location, rule.id, "a rule cannot override itself");
        } else {
          rule.overrides.push_back(index);
        }
      }
      std::sort(rule.overrides.begin(), rule.overrides.end());
      rule.overrides.erase(std::unique(rule.overrides.begin(), rule.overrides.end()),
                           rule.overrides.end());
    }
  }

  // Fitted weights (`entente calibrate`) replace the rules' own.
  void ApplyFittedWeights() {
    absl::flat_hash_set<std::string> overridden;
    for (int i = 0; i < rule_set().rule_weight_size(); ++i) {
      const auto& w = rule_set().rule_weight(i);
      const SourceLocation where = At(loaded().rule_weight_locations, i, {loaded().path, 0, 0});
      int index = out_->FindRule(w.rule());
      if (index < 0) {
        // Stale weights (a rule renamed since calibration) must not break a
        // rule set: warn, and let `entente calibrate` refresh them.
        Report(Diagnostic::Severity::kWarning, where, w.rule(),
               "rule_weight names an unknown rule; it is ignored (re-run entente calibrate)");
      } else if (!(w.weight() > 0 && w.weight() <= 1)) {
        Error(where, w.rule(), absl::StrCat("weight ", w.weight(), " is outside (0, 1]"));
      } else if (!overridden.insert(w.rule()).second) {
        Error(where, w.rule(), "rule_weight given twice for this rule");
      } else {
        out_->rules_[index].weight = w.weight();
      }
    }
  }

  // Lexicons that rules, triggers, attribution and the token syntax use,
  // and those that used lexicons refer to (for lint's unused warning).
  void CollectUsedLexicons() {
    std::set<std::string>& used = out_->used_lexicons_;
    auto note = [&](absl::string_view text) {
      ForEachLexiconReference(
          text, [&](absl::string_view name, size_t, size_t) { used.insert(std::string(name)); });
    };
    for (const auto& trigger : rule_set().context()) {
      for (const auto& t : trigger.term()) note(t);
      for (const auto& t : trigger.pattern()) note(t);
      for (const auto& t : trigger.terminator()) note(t);
      for (const auto& t : trigger.pseudo()) note(t);
    }
    // The same list attribution compiles, so that the two cannot drift.
    for (const std::string& name : AttributionLexiconNames(rule_set().attribution())) {
      used.insert(name);
    }
    if (!rule_set().token_syntax().clause_break_lexicon().empty()) {
      used.insert(rule_set().token_syntax().clause_break_lexicon());
    }
    // Gap exclusions name lexicons that the expanded patterns do not.
    for (const auto& rule : rule_set().rule()) {
      for (const auto& t : rule.tokens()) note(t);
      for (const auto& use : rule.use()) {
        for (const auto& [name, value] : use.bind()) note(value);
      }
    }
    for (const auto& t : rule_set().template_()) {
      for (const auto& r : t.tokens()) note(r);
      for (const auto& r : t.pattern()) note(r);
    }
    // Lexicons referenced from used lexicons count too (to a fixed point).
    for (bool grew = true; grew;) {
      grew = false;
      for (const auto& lexicon : rule_set().lexicon()) {
        if (used.count(lexicon.name()) == 0) continue;
        const size_t before = used.size();
        for (const auto& parent : lexicon.extends()) used.insert(parent);
        for (const auto& term : lexicon.term()) note(term);
        grew |= used.size() > before;
      }
    }
  }

  // A compiled copy of each lexicon a rule names, for near-miss
  // explanations (not the actor slots: the gazetteer explains those).
  void BuildExplanationRegexes() {
    for (const CompiledRule& rule : out_->rules_) {
      for (const std::string& name : rule.lexicons) {
        if (out_->lexicon_regex_.contains(name) || absl::StartsWith(name, "actor__")) continue;
        absl::StatusOr<std::string> fragment = out_->lexicons_.RegexFor(name);
        if (!fragment.ok()) continue;
        auto re = std::make_unique<RE2>(*fragment, RuleOptions(options_.rule_max_mem));
        if (re->ok()) out_->lexicon_regex_[name] = std::move(re);
      }
    }
  }

  // The prefilter: the literals each reading requires, found with one scan.
  void BuildPrefilter() {
    std::vector<std::string> patterns;
    patterns.reserve(out_->readings_.size());
    for (const auto& ref : out_->readings_) {
      patterns.push_back(out_->rules_[ref.rule].readings[ref.reading].expanded);
    }
    RulePrefilter::Options prefilter_options;
    prefilter_options.max_mem = options_.prefilter_max_mem;
    prefilter_options.literals.min_length = options_.min_atom_length;
    out_->prefilter_ = RulePrefilter::Build(patterns, prefilter_options);
    if (!out_->prefilter_.ok()) {
      Report(Diagnostic::Severity::kWarning, {loaded().path, 0, 0}, "",
             absl::StrCat("the prefilter's scan for ", out_->prefilter_.literal_count(),
                          " literals does not fit in ", options_.prefilter_max_mem,
                          " bytes; every rule will run on every sentence (slower, "
                          "same results)"));
    }
  }

  const CompileOptions& options_;
  std::vector<Diagnostic>* diagnostics_;
  std::shared_ptr<CompiledRuleSet> out_;
  absl::flat_hash_set<std::string> stances_;
  absl::flat_hash_set<std::string> rule_ids_;
  std::map<std::string, int> templates_;
  TokenContext token_context_;
  // The source rule of each compiled rule, parallel to out_->rules_.
  std::vector<const Rule*> sources_;
};

absl::StatusOr<std::shared_ptr<const CompiledRuleSet>> CompiledRuleSet::Compile(
    const LoadedRuleSet& loaded, const CompileOptions& options,
    std::vector<Diagnostic>* diagnostics) {
  RuleSetCompiler compiler(loaded, options, diagnostics);
  return compiler.Run();
}

bool CompiledRuleSet::SelectCandidates(absl::string_view sentence,
                                       std::vector<int>* candidates) const {
  return prefilter_.Select(sentence, candidates);
}

const std::vector<std::unique_ptr<RE2>>& CompiledRuleSet::ElementPatterns(int index) const {
  absl::MutexLock lock(&element_mu_);
  auto& slot = element_patterns_[index];
  if (slot != nullptr) return *slot;
  slot = std::make_unique<std::vector<std::unique_ptr<RE2>>>();
  const CompiledReading& reading = this->reading(index);
  TokenContext context;
  context.clause_breaks = clause_break_words_;
  context.params = reading.params.empty() ? nullptr : &reading.params;
  context.lexicon_words =
      [this](absl::string_view name) -> absl::StatusOr<std::vector<std::string>> {
    return lexicons_.Terms(name);
  };
  for (const TokenElement& element : reading.sequence) {
    std::unique_ptr<RE2> re;
    if (element.kind != TokenElement::Kind::kGap) {
      TokenElement alone = element;
      alone.role.clear();
      alone.optional = false;
      size_t offset = 0;
      absl::StatusOr<std::string> regex = TokensToRegex({alone}, context, &offset);
      absl::StatusOr<std::string> expanded = regex.ok() ? lexicons_.Expand(*regex) : regex.status();
      if (expanded.ok()) {
        re = std::make_unique<RE2>(*expanded, RuleOptions(rule_max_mem_));
        if (!re->ok()) re.reset();
      }
    }
    slot->push_back(std::move(re));
  }
  return *slot;
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
