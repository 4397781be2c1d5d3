#include "engine/result_diff.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace entente {
namespace {

constexpr int64_t kMaxSamplesPerKindAndStance = 100;

// Per (sentence, stance): polarity -> holders, and the sentence text.
struct View {
  std::map<int, std::set<std::string>> by_polarity;
  std::string sentence;
};

std::map<std::pair<int, std::string>, View> Index(const entente::v1::ClassifyResult& r) {
  std::map<std::pair<int, std::string>, View> out;
  for (const auto& a : r.annotations()) {
    View& v = out[{a.sentence_index(), a.stance()}];
    v.sentence = a.sentence().text();
    auto& holders = v.by_polarity[a.polarity()];
    for (const auto& h : a.holders()) holders.insert(h.actor());
  }
  return out;
}

std::string Describe(const View* v) {
  if (v == nullptr) return "";
  std::vector<std::string> parts;
  for (const auto& [polarity, holders] : v->by_polarity) {
    parts.push_back(absl::StrCat(entente::v1::Polarity_Name(polarity), " [",
                                 absl::StrJoin(holders, ", "), "]"));
  }
  return absl::StrJoin(parts, "; ");
}

}  // namespace

const char* ResultDiff::KindName(Kind kind) {
  switch (kind) {
    case Kind::kAppeared:
      return "appeared";
    case Kind::kDisappeared:
      return "disappeared";
    case Kind::kPolarityChanged:
      return "polarity changed";
    case Kind::kHoldersChanged:
      return "holders changed";
  }
  return "";
}

void ResultDiff::Add(const std::string& document_id, const entente::v1::ClassifyResult& old_result,
                     const entente::v1::ClassifyResult& new_result) {
  ++documents_;
  auto before = Index(old_result);
  auto after = Index(new_result);
  std::set<std::pair<int, std::string>> keys;
  for (const auto& [k, v] : before) keys.insert(k);
  for (const auto& [k, v] : after) keys.insert(k);
  bool changed = false;
  for (const auto& key : keys) {
    auto b = before.find(key);
    auto a = after.find(key);
    const View* bv = b == before.end() ? nullptr : &b->second;
    const View* av = a == after.end() ? nullptr : &a->second;
    Kind kind;
    if (bv == nullptr) {
      kind = Kind::kAppeared;
    } else if (av == nullptr) {
      kind = Kind::kDisappeared;
    } else {
      std::set<int> bp, ap;
      for (const auto& [p, h] : bv->by_polarity) bp.insert(p);
      for (const auto& [p, h] : av->by_polarity) ap.insert(p);
      if (bp != ap) {
        kind = Kind::kPolarityChanged;
      } else if (bv->by_polarity != av->by_polarity) {
        kind = Kind::kHoldersChanged;
      } else {
        continue;
      }
    }
    changed = true;
    int64_t& count = counts_[{static_cast<int>(kind), key.second}];
    ++count;
    // Keep memory bounded on large corpora: the first samples of each kind.
    if (count <= kMaxSamplesPerKindAndStance)
      samples_.push_back({kind, document_id, key.second, (av != nullptr ? av : bv)->sentence,
                          Describe(bv), Describe(av)});
  }
  if (!changed) ++unchanged_;
}

int64_t ResultDiff::Count(Kind kind, const std::string& stance) const {
  auto it = counts_.find({static_cast<int>(kind), stance});
  return it == counts_.end() ? 0 : it->second;
}

int64_t ResultDiff::Count(Kind kind) const {
  int64_t total = 0;
  for (const auto& [key, n] : counts_) {
    if (key.first == static_cast<int>(kind)) total += n;
  }
  return total;
}

std::string ResultDiff::Format(int max_samples) const {
  std::string out = absl::StrFormat("%d documents, %d unchanged\n", documents_, unchanged_);
  std::set<std::string> stances;
  for (const auto& [key, n] : counts_) stances.insert(key.second);
  const Kind kinds[] = {Kind::kAppeared, Kind::kDisappeared, Kind::kPolarityChanged,
                        Kind::kHoldersChanged};
  absl::StrAppendFormat(&out, "%-18s %10s %12s %17s %16s\n", "stance", "appeared", "disappeared",
                        "polarity changed", "holders changed");
  for (const std::string& stance : stances) {
    absl::StrAppendFormat(&out, "%-18s %10d %12d %17d %16d\n", stance,
                          Count(Kind::kAppeared, stance), Count(Kind::kDisappeared, stance),
                          Count(Kind::kPolarityChanged, stance),
                          Count(Kind::kHoldersChanged, stance));
  }
  for (Kind kind : kinds) {
    int shown = 0;
    for (const Change& c : samples_) {
      if (c.kind != kind || shown >= max_samples) continue;
      if (shown++ == 0) absl::StrAppend(&out, KindName(kind), ":\n");
      absl::StrAppendFormat(&out, "  [%s] %s: %s -> %s\n    %s\n", c.document_id, c.stance,
                            c.before.empty() ? "(none)" : c.before,
                            c.after.empty() ? "(none)" : c.after, c.sentence.substr(0, 240));
    }
  }
  return out;
}

}  // namespace entente
