#include "engine/scorer.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace entente {

double NoisyOr(const std::vector<double>& contributions) {
  double miss = 1.0;
  for (double c : contributions) miss *= 1.0 - std::clamp(c, 0.0, 1.0);
  return 1.0 - miss;
}

void CombineEvidence(std::vector<ScoredEvidence> items, double min_score,
                     google::protobuf::RepeatedPtrField<entente::v1::Annotation>* out,
                     std::vector<std::pair<int, std::string>>* steps) {
  using Key = std::tuple<int, std::string, int, std::vector<std::string>>;
  std::map<Key, std::vector<ScoredEvidence*>> groups;
  for (ScoredEvidence& item : items) {
    std::vector<std::string> actors;
    for (const auto& h : item.holders) actors.push_back(h.actor());
    std::sort(actors.begin(), actors.end());
    groups[Key(item.sentence_index, item.stance, item.polarity, std::move(actors))].push_back(
        &item);
  }
  for (auto& [key, members] : groups) {
    std::vector<double> contributions;
    for (ScoredEvidence* e : members) contributions.push_back(e->evidence.contribution());
    double score = NoisyOr(contributions);
    if (steps != nullptr) {
      std::vector<std::string> factors;
      for (double c : contributions) factors.push_back(absl::StrFormat("(1 - %.3f)", c));
      steps->emplace_back(
          std::get<0>(key),
          absl::StrFormat("%s %s {%s}: 1 - %s = %.3f%s", std::get<1>(key),
                          entente::v1::Polarity_Name(std::get<2>(key)),
                          absl::StrJoin(std::get<3>(key), ","), absl::StrJoin(factors, " * "),
                          score, score < min_score ? " (below min_score, left out)" : ""));
    }
    if (score < min_score) continue;
    entente::v1::Annotation& a = *out->Add();
    ScoredEvidence* first = members.front();
    a.set_stance(first->stance);
    a.set_polarity(first->polarity);
    a.set_score(score);
    *a.mutable_sentence() = first->sentence;
    a.set_sentence_index(first->sentence_index);
    // Holders: the first mention of each actor across the group's evidence.
    for (ScoredEvidence* e : members) {
      for (auto& h : e->holders) {
        bool seen = false;
        for (const auto& existing : a.holders()) seen = seen || existing.actor() == h.actor();
        if (!seen) *a.add_holders() = h;
      }
      *a.add_evidence() = std::move(e->evidence);
    }
  }
}

}  // namespace entente
