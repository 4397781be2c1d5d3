#include "bench/rule_variants.h"

#include <algorithm>
#include <random>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace entente {
namespace bench {

std::vector<std::string> ContentWords(const std::vector<absl::string_view>& sentences,
                                      size_t count) {
  absl::flat_hash_map<std::string, int64_t> frequency;
  for (absl::string_view sentence : sentences) {
    size_t i = 0;
    while (i < sentence.size()) {
      while (i < sentence.size() && !absl::ascii_isalpha(static_cast<unsigned char>(sentence[i]))) {
        ++i;
      }
      const size_t start = i;
      while (i < sentence.size() && absl::ascii_isalpha(static_cast<unsigned char>(sentence[i]))) {
        ++i;
      }
      if (i - start >= 4) ++frequency[absl::AsciiStrToLower(sentence.substr(start, i - start))];
    }
  }
  std::vector<std::pair<int64_t, std::string>> ranked;
  ranked.reserve(frequency.size());
  for (auto& [word, n] : frequency) ranked.emplace_back(-n, word);
  std::sort(ranked.begin(), ranked.end());
  constexpr size_t kSkipped = 100;
  std::vector<std::string> words;
  for (size_t i = kSkipped; i < ranked.size() && words.size() < count; ++i) {
    words.push_back(ranked[i].second);
  }
  return words;
}

LoadedRuleSet WithRuleCount(const LoadedRuleSet& base, int count,
                            const std::vector<std::string>& words, uint32_t seed) {
  LoadedRuleSet out = base;
  auto* rules = out.rule_set.mutable_rule();
  const int base_count = rules->size();
  if (count < base_count) {
    rules->DeleteSubrange(count, base_count - count);
    out.rule_locations.resize(count);
    out.rule_parts.resize(count);
  }
  absl::flat_hash_set<std::string> kept;
  for (auto& rule : *rules) {
    rule.clear_example();
    rule.clear_counterexample();
    kept.insert(rule.id());
  }
  // Fitted weights of rules cut away would name unknown rules.
  auto* weights = out.rule_set.mutable_rule_weight();
  std::vector<entente::v1::RuleWeight> kept_weights;
  std::vector<SourceLocation> kept_weight_locations;
  for (int i = 0; i < weights->size(); ++i) {
    if (!kept.contains(weights->Get(i).rule())) continue;
    kept_weights.push_back(weights->Get(i));
    if (i < static_cast<int>(out.rule_weight_locations.size())) {
      kept_weight_locations.push_back(out.rule_weight_locations[i]);
    }
  }
  weights->Clear();
  for (auto& w : kept_weights) *weights->Add() = std::move(w);
  out.rule_weight_locations = std::move(kept_weight_locations);
  std::mt19937 rng(seed);
  auto pick = [&](int n) {
    std::vector<std::string> chosen;
    for (int i = 0; i < n && !words.empty(); ++i) chosen.push_back(words[rng() % words.size()]);
    return absl::StrJoin(chosen, "|");
  };
  for (int k = 0; rules->size() < count && base_count > 0; ++k) {
    const auto& model = base.rule_set.rule(k % base_count);
    auto* rule = rules->Add();
    rule->set_id(absl::StrCat("generated_", k));
    rule->set_stance(model.stance());
    rule->set_polarity(model.polarity());
    rule->set_weight(0.5);
    rule->add_pattern(
        absl::StrCat("\\b(?:", pick(3), ")\\b(?:\\s+\\S+){0,4}?\\s+(?:", pick(3), ")\\b"));
    out.rule_locations.push_back(out.rule_locations.empty() ? SourceLocation{}
                                                            : out.rule_locations.back());
    out.rule_parts.emplace_back();
  }
  return out;
}

}  // namespace bench
}  // namespace entente
