#include "engine/aggregate.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace entente {

entente::v1::DocumentAggregate AggregateDocument(
    const CompiledRuleSet& rules,
    const google::protobuf::RepeatedPtrField<entente::v1::Annotation>& annotations) {
  struct Held {
    double score = 0;
    int count = 0;
  };
  // (stance, polarity) -> actor -> best score and count.
  std::map<std::pair<std::string, int>, std::map<std::string, Held>> by_stance;
  // (stance, polarity, a, b) with a < b, for mutual pairs.
  std::set<std::tuple<std::string, int, std::string, std::string>> mutual;

  for (const auto& a : annotations) {
    auto& actors = by_stance[{a.stance(), a.polarity()}];
    for (const auto& h : a.holders()) {
      Held& held = actors[h.actor()];
      held.score = std::max(held.score, a.score());
      ++held.count;
    }
    bool from_mutual_rule = false;
    for (const auto& e : a.evidence()) {
      int rule = rules.FindRule(e.rule_id());
      if (rule >= 0 && rules.rules()[rule].mutual) from_mutual_rule = true;
    }
    if (!from_mutual_rule) continue;
    for (int i = 0; i < a.holders_size(); ++i) {
      for (int j = i + 1; j < a.holders_size(); ++j) {
        std::string x = a.holders(i).actor();
        std::string y = a.holders(j).actor();
        if (x == y) continue;
        if (y < x) std::swap(x, y);
        mutual.emplace(a.stance(), a.polarity(), x, y);
      }
    }
  }

  entente::v1::DocumentAggregate out;
  std::vector<entente::v1::ActorStance> stances;
  for (const auto& [key, actors] : by_stance) {
    for (const auto& [actor, held] : actors) {
      entente::v1::ActorStance s;
      s.set_actor(actor);
      s.set_stance(key.first);
      s.set_polarity(static_cast<entente::v1::Polarity>(key.second));
      s.set_score(held.score);
      s.set_count(held.count);
      stances.push_back(std::move(s));
    }
    for (auto a = actors.begin(); a != actors.end(); ++a) {
      if (a->first == "OTHER") continue;
      for (auto b = std::next(a); b != actors.end(); ++b) {
        if (b->first == "OTHER") continue;
        entente::v1::AlignmentEdge* edge = out.add_edges();
        edge->set_actor_a(a->first);
        edge->set_actor_b(b->first);
        edge->set_stance(key.first);
        edge->set_polarity(static_cast<entente::v1::Polarity>(key.second));
        edge->set_score(std::min(a->second.score, b->second.score));
        edge->set_mutual(mutual.count({key.first, key.second, a->first, b->first}) > 0);
      }
    }
  }
  std::sort(stances.begin(), stances.end(), [](const auto& x, const auto& y) {
    return std::make_tuple(x.actor(), x.stance(), static_cast<int>(x.polarity())) <
           std::make_tuple(y.actor(), y.stance(), static_cast<int>(y.polarity()));
  });
  for (auto& s : stances) *out.add_actor_stances() = std::move(s);
  return out;
}

}  // namespace entente
