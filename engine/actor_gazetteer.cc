#include "engine/actor_gazetteer.h"

#include <algorithm>
#include <cctype>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/lexicon.h"

namespace entente {
namespace {

// An all-capital name ("US", "SCO", "U.S.") is an acronym: matched as written.
bool IsAcronym(absl::string_view name) {
  bool has_letter = false;
  for (char c : name) {
    if (std::islower(static_cast<unsigned char>(c))) return false;
    if (std::isupper(static_cast<unsigned char>(c))) has_letter = true;
  }
  return has_letter;
}

}  // namespace

std::string NormalizeName(absl::string_view name) {
  std::string out;
  out.reserve(name.size());
  bool space = false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    if (name.substr(i, 3) == "’") {
      out += '\'';
      i += 2;
      continue;
    }
    out += absl::ascii_tolower(c);
  }
  return out;
}

absl::StatusOr<ActorGazetteer> ActorGazetteer::Build(const LoadedRuleSet& loaded,
                                                     std::vector<Diagnostic>* diagnostics) {
  ActorGazetteer g;
  const auto& rs = loaded.rule_set;
  auto error = [&](const SourceLocation& where, const std::string& subject, std::string message) {
    Diagnostic d;
    d.location = where;
    d.subject = subject;
    d.message = std::move(message);
    diagnostics->push_back(std::move(d));
  };
  auto location = [](const std::vector<SourceLocation>& v, int i) {
    return i < static_cast<int>(v.size()) ? v[i] : SourceLocation();
  };

  for (int i = 0; i < rs.actor_size(); ++i) {
    const std::string& id = rs.actor(i).id();
    if (id.empty()) {
      error(location(loaded.actor_locations, i), "", "actor without an id");
      continue;
    }
    // OTHER groups many unnamed actors: several entries may share it.
    if (g.index_.contains(id)) {
      if (id != "OTHER") {
        error(location(loaded.actor_locations, i), id,
              absl::StrCat("duplicate actor id \"", id, "\""));
      }
      continue;
    }
    g.index_[id] = static_cast<int>(g.ids_.size());
    g.ids_.push_back(id);
    g.types_.push_back(rs.actor(i).type());
  }

  std::vector<std::string> folded_patterns;
  std::vector<std::string> exact_patterns;
  // `type` is the entry's own (actors that share an id, such as OTHER, may
  // have several).
  auto add = [&](const std::string& name, int actor, ActorMention::Kind kind,
                 const SourceLocation& where, const std::string& subject,
                 entente::v1::ActorType type) {
    if (name.empty()) return;
    bool acronym = IsAcronym(name);
    auto& table = acronym ? g.exact_ : g.folded_;
    std::string key = acronym ? name : NormalizeName(name);
    auto [it, inserted] = table.emplace(key, Entry{actor, kind, type});
    if (!inserted) {
      if (it->second.actor != actor) {
        error(where, subject,
              absl::StrCat("name \"", name, "\" already names actor ", g.ids_[it->second.actor]));
      }
      return;
    }
    (acronym ? exact_patterns : folded_patterns).push_back(PhraseToRegex(name));
    if (kind != ActorMention::Kind::kDemonym) {
      const std::string type_name = entente::v1::ActorType_Name(type);
      for (const std::string& key : {type_name, std::string()}) {
        auto& lists = g.slot_names_[key];
        (acronym ? lists.second : lists.first).push_back(PhraseToRegex(name));
      }
    }
  };

  for (int i = 0; i < rs.actor_size(); ++i) {
    const auto& actor = rs.actor(i);
    auto it = g.index_.find(actor.id());
    if (it == g.index_.end()) continue;
    SourceLocation where = location(loaded.actor_locations, i);
    for (const auto& n : actor.name())
      add(n, it->second, ActorMention::Kind::kName, where, actor.id(), actor.type());
    for (const auto& n : actor.demonym())
      add(n, it->second, ActorMention::Kind::kDemonym, where, actor.id(), actor.type());
    for (const auto& n : actor.capital())
      add(n, it->second, ActorMention::Kind::kCapital, where, actor.id(), actor.type());
  }
  for (int i = 0; i < rs.person_size(); ++i) {
    const auto& person = rs.person(i);
    SourceLocation where = location(loaded.person_locations, i);
    auto it = g.index_.find(person.actor());
    if (it == g.index_.end()) {
      error(where, person.name(),
            absl::StrCat("person \"", person.name(), "\" speaks for unknown actor \"",
                         person.actor(), "\""));
      continue;
    }
    const entente::v1::ActorType type = g.types_[it->second];
    add(person.name(), it->second, ActorMention::Kind::kPerson, where, person.name(), type);
    for (const auto& a : person.alias())
      add(a, it->second, ActorMention::Kind::kPerson, where, person.name(), type);
  }

  if (folded_patterns.empty() && exact_patterns.empty()) return g;
  // Longer names first keeps the alternation small to reason about; the
  // longest_match option is what guarantees the longest name wins.
  auto by_length = [](const std::string& a, const std::string& b) { return a.size() > b.size(); };
  std::sort(folded_patterns.begin(), folded_patterns.end(), by_length);
  std::sort(exact_patterns.begin(), exact_patterns.end(), by_length);
  std::vector<std::string> parts;
  if (!folded_patterns.empty()) {
    parts.push_back(absl::StrCat("(?i:", absl::StrJoin(folded_patterns, "|"), ")"));
  }
  if (!exact_patterns.empty()) {
    parts.push_back(absl::StrCat("(?-i:", absl::StrJoin(exact_patterns, "|"), ")"));
  }
  RE2::Options options;
  options.set_longest_match(true);
  options.set_max_mem(256 << 20);
  options.set_log_errors(false);
  g.pattern_ = std::make_unique<RE2>(absl::StrJoin(parts, "|"), options);
  if (!g.pattern_->ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("actor gazetteer does not compile: ", g.pattern_->error()));
  }
  return g;
}

void ActorGazetteer::FindMentions(absl::string_view text, std::vector<ActorMention>* out) const {
  out->clear();
  if (pattern_ == nullptr) return;
  re2::StringPiece input(text.data(), text.size());
  re2::StringPiece match;
  size_t pos = 0;
  while (pos < text.size() &&
         pattern_->Match(input, pos, text.size(), RE2::UNANCHORED, &match, 1)) {
    size_t begin = match.data() - text.data();
    size_t end = begin + match.size();
    if (end == begin) {  // Cannot happen with non-empty names; stay safe.
      ++pos;
      continue;
    }
    absl::string_view found = text.substr(begin, end - begin);
    const Entry* entry = nullptr;
    if (auto it = exact_.find(found); it != exact_.end()) {
      entry = &it->second;
    } else if (auto it2 = folded_.find(NormalizeName(found)); it2 != folded_.end()) {
      entry = &it2->second;
    }
    if (entry != nullptr) out->push_back({begin, end, entry->actor, entry->kind, entry->type});
    pos = end;
  }
}

std::string ActorGazetteer::SlotFragment(absl::string_view type) const {
  auto it = slot_names_.find(type);
  if (it == slot_names_.end()) return "";
  auto by_length = [](const std::string& a, const std::string& b) { return a.size() > b.size(); };
  std::vector<std::string> folded = it->second.first;
  std::vector<std::string> exact = it->second.second;
  std::stable_sort(folded.begin(), folded.end(), by_length);
  std::stable_sort(exact.begin(), exact.end(), by_length);
  std::vector<std::string> parts;
  if (!exact.empty()) parts.push_back(absl::StrCat("(?-i:", absl::StrJoin(exact, "|"), ")"));
  if (!folded.empty()) parts.push_back(absl::StrCat("(?i:", absl::StrJoin(folded, "|"), ")"));
  // One name: the names coordinated with it ("China and Iran") join the
  // role in attribution (HolderAttributor), so the alternation is compiled
  // once per slot, not once more for a coordinated list.
  return absl::StrCat("(?:(?i:the)\\s+)?(?:", absl::StrJoin(parts, "|"), ")");
}

int ActorGazetteer::Find(absl::string_view id) const {
  auto it = index_.find(id);
  return it == index_.end() ? -1 : it->second;
}

}  // namespace entente
