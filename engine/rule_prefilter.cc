#include "engine/rule_prefilter.h"

#include <algorithm>
#include <map>

namespace entente {
namespace {

// Per-thread work space of Select. Entries are valid when their stamp equals
// the current generation, so nothing is cleared between calls; the vectors
// only grow, and serve every prefilter the thread uses.
struct SelectScratch {
  std::vector<uint32_t> literal_stamp;
  std::vector<uint32_t> clause_stamp;
  std::vector<uint32_t> rule_stamp;
  std::vector<int> rule_satisfied;
  uint32_t generation = 0;

  // Starts a new call over `literals` literals, `clauses` clauses and
  // `rules` rules.
  void Begin(size_t literals, size_t clauses, size_t rules) {
    if (literal_stamp.size() < literals) literal_stamp.resize(literals, 0);
    if (clause_stamp.size() < clauses) clause_stamp.resize(clauses, 0);
    if (rule_stamp.size() < rules) {
      rule_stamp.resize(rules, 0);
      rule_satisfied.resize(rules, 0);
    }
    if (++generation == 0) {  // wrapped: forget every old stamp
      std::fill(literal_stamp.begin(), literal_stamp.end(), 0);
      std::fill(clause_stamp.begin(), clause_stamp.end(), 0);
      std::fill(rule_stamp.begin(), rule_stamp.end(), 0);
      generation = 1;
    }
  }
};

SelectScratch& ThreadScratch() {
  thread_local SelectScratch scratch;
  return scratch;
}

}  // namespace

RulePrefilter RulePrefilter::Build(const std::vector<std::string>& patterns,
                                   const Options& options) {
  RulePrefilter out;
  out.rule_count_ = static_cast<int>(patterns.size());
  out.rule_clause_count_.assign(patterns.size(), 0);

  std::map<RequiredLiteral, int> literal_ids;
  std::map<LiteralClause, int> clause_ids;
  std::vector<std::vector<int>> clause_rules;
  for (size_t r = 0; r < patterns.size(); ++r) {
    out.conditions_.push_back(RequiredLiterals(patterns[r], options.literals));
    const LiteralCondition& condition = out.conditions_.back();
    if (condition.always()) {
      out.unfiltered_.push_back(static_cast<int>(r));
      continue;
    }
    out.rule_clause_count_[r] = static_cast<int>(condition.clauses.size());
    for (const LiteralClause& clause : condition.clauses) {
      auto [it, added] = clause_ids.emplace(clause, static_cast<int>(clause_rules.size()));
      if (added) clause_rules.emplace_back();
      clause_rules[it->second].push_back(static_cast<int>(r));
      for (const RequiredLiteral& literal : clause) {
        if (literal_ids.emplace(literal, static_cast<int>(out.literals_.size())).second) {
          out.literals_.push_back(literal);
        }
      }
    }
  }

  // Literal -> clauses it satisfies.
  std::vector<std::vector<int>> literal_clauses(out.literals_.size());
  for (const auto& [clause, id] : clause_ids) {
    for (const RequiredLiteral& literal : clause)
      literal_clauses[literal_ids[literal]].push_back(id);
  }
  out.literal_clause_begin_.push_back(0);
  for (const auto& clauses : literal_clauses) {
    out.literal_clauses_.insert(out.literal_clauses_.end(), clauses.begin(), clauses.end());
    out.literal_clause_begin_.push_back(static_cast<int>(out.literal_clauses_.size()));
  }
  out.clause_rule_begin_.push_back(0);
  for (const auto& rules : clause_rules) {
    out.clause_rules_.insert(out.clause_rules_.end(), rules.begin(), rules.end());
    out.clause_rule_begin_.push_back(static_cast<int>(out.clause_rules_.size()));
  }

  out.matcher_ = LiteralMatcher::Build(out.literals_, options.max_mem);
  out.ok_ = out.matcher_.ok();
  return out;
}

bool RulePrefilter::Select(absl::string_view text, std::vector<int>* candidates) const {
  candidates->clear();
  auto every_rule = [&] {
    candidates->clear();
    for (int r = 0; r < rule_count_; ++r) candidates->push_back(r);
    return false;
  };
  if (!ok_) return every_rule();
  candidates->assign(unfiltered_.begin(), unfiltered_.end());
  if (literals_.empty()) return true;

  SelectScratch& s = ThreadScratch();
  s.Begin(literals_.size(), clause_rule_begin_.size() - 1, static_cast<size_t>(rule_count_));
  const uint32_t generation = s.generation;
  const size_t first_selected = candidates->size();
  matcher_.FindAll(text, [&](int literal) {
    if (s.literal_stamp[literal] == generation) return;  // seen earlier in this text
    s.literal_stamp[literal] = generation;
    for (int i = literal_clause_begin_[literal]; i < literal_clause_begin_[literal + 1]; ++i) {
      const int clause = literal_clauses_[i];
      if (s.clause_stamp[clause] == generation) continue;
      s.clause_stamp[clause] = generation;
      for (int j = clause_rule_begin_[clause]; j < clause_rule_begin_[clause + 1]; ++j) {
        const int rule = clause_rules_[j];
        if (s.rule_stamp[rule] != generation) {
          s.rule_stamp[rule] = generation;
          s.rule_satisfied[rule] = 0;
        }
        if (++s.rule_satisfied[rule] == rule_clause_count_[rule]) candidates->push_back(rule);
      }
    }
  });
  if (candidates->size() > first_selected) {
    std::sort(candidates->begin() + first_selected, candidates->end());
    std::inplace_merge(candidates->begin(), candidates->begin() + first_selected,
                       candidates->end());
  }
  return true;
}

}  // namespace entente
