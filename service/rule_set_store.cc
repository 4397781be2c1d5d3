#include "service/rule_set_store.h"

#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/rule_set_directory.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace entente {
namespace {

uint64_t Fnv1a64(absl::string_view bytes) {
  uint64_t hash = 14695981039346656037ull;
  for (char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

}  // namespace

std::string RuleSetVersion(const CompiledRuleSet& rules) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    rules.source().SerializeToCodedStream(&coded);
  }
  const uint64_t digest = Fnv1a64(bytes);
  const uint32_t folded = static_cast<uint32_t>(digest ^ (digest >> 32));
  return absl::StrCat(rules.version().empty() ? "unversioned" : rules.version(), "+",
                      absl::Hex(folded, absl::kZeroPad8));
}

RuleSetStore::RuleSetStore(std::string directory, Options options)
    : directory_(std::move(directory)),
      options_(std::move(options)),
      snapshot_(std::make_shared<const Snapshot>()) {}

std::string RuleSetStore::RelativeToDirectory(const std::string& path) const {
  std::filesystem::path relative =
      std::filesystem::path(path).lexically_relative(std::filesystem::path(directory_));
  if (relative.empty() || relative.string().rfind("..", 0) == 0) return path;
  return relative.string();
}

ReloadOutcome RuleSetStore::Reload() {
  absl::MutexLock reload_lock(&reload_mu_);
  std::shared_ptr<const Snapshot> current;
  int64_t generation;
  {
    absl::MutexLock lock(&mu_);
    current = snapshot_;
    generation = generation_;
  }

  DirectoryLoad load;
  load.status = ScanRulesDirectory(directory_, options_.directory).status;
  if (load.status.ok()) load = LoadRuleSetDirectory(directory_, options_.compile);
  ReloadOutcome outcome;
  outcome.diagnostics = std::move(load.diagnostics);
  outcome.directory_status = load.status;
  const absl::Time now = absl::Now();

  if (!load.status.ok()) {
    // Nothing could be read: keep everything, and say so on each rule set.
    auto next = std::make_shared<Snapshot>();
    for (const auto& [name, entry] : *current) {
      auto kept = std::make_shared<ServingRuleSet>(*entry);
      kept->reload_error = std::string(load.status.message());
      (*next)[name] = std::move(kept);
      outcome.kept.push_back(name);
    }
    outcome.ok = false;
    outcome.finished_at = now;
    outcome.generation = generation;
    {
      absl::MutexLock lock(&mu_);
      snapshot_ = std::move(next);
      last_reload_ = outcome;
    }
    if (listener_) listener_(outcome);
    return outcome;
  }

  auto next = std::make_shared<Snapshot>();
  for (auto& [name, compiled] : load.rule_sets) {
    std::string version = RuleSetVersion(*compiled);
    auto old = current->find(name);
    if (old != current->end() && old->second->version == version &&
        old->second->reload_error.empty()) {
      (*next)[name] = old->second;  // unchanged: keep the same object
      continue;
    }
    if (old != current->end() && old->second->version == version) {
      // Same content as before a failed reload of its file: clear the error.
      auto fixed = std::make_shared<ServingRuleSet>(*old->second);
      fixed->reload_error.clear();
      (*next)[name] = std::move(fixed);
      continue;
    }
    auto entry = std::make_shared<ServingRuleSet>();
    entry->name = name;
    entry->version = std::move(version);
    entry->file = RelativeToDirectory(compiled->loaded().path);
    entry->loaded_at = now;
    entry->rules = std::move(compiled);
    (old == current->end() ? outcome.added : outcome.updated).push_back(name);
    (*next)[name] = std::move(entry);
  }
  for (const auto& [path, message] : load.failures) {
    const std::string file = RelativeToDirectory(path);
    outcome.failures[file] = message;
    // Keep the last good version of whatever this file used to serve.
    for (const auto& [name, entry] : *current) {
      if (entry->file != file || next->count(name) > 0) continue;
      auto kept = std::make_shared<ServingRuleSet>(*entry);
      kept->reload_error = message;
      (*next)[name] = std::move(kept);
      outcome.kept.push_back(name);
    }
  }
  for (const auto& [name, entry] : *current) {
    if (next->count(name) == 0) outcome.removed.push_back(name);
  }
  outcome.ok = load.failures.empty();
  outcome.finished_at = now;
  {
    absl::MutexLock lock(&mu_);
    if (outcome.changed()) ++generation_;
    outcome.generation = generation_;
    snapshot_ = std::move(next);
    last_reload_ = outcome;
  }
  if (listener_) listener_(outcome);
  return outcome;
}

absl::StatusOr<std::shared_ptr<const ServingRuleSet>> RuleSetStore::Find(
    absl::string_view name) const {
  std::shared_ptr<const Snapshot> snapshot;
  {
    absl::MutexLock lock(&mu_);
    snapshot = snapshot_;
  }
  if (snapshot->empty()) {
    return absl::FailedPreconditionError(
        "no rule set is loaded; ListRuleSets reports why the rules directory did not load");
  }
  const std::string wanted = name.empty() ? options_.default_rule_set : std::string(name);
  auto it = snapshot->find(wanted);
  if (it != snapshot->end()) return it->second;
  std::vector<std::string> names;
  for (const auto& [n, entry] : *snapshot) names.push_back(n);
  return absl::NotFoundError(absl::StrCat("no rule set named \"", wanted, "\"",
                                          name.empty() ? " (the default)" : "",
                                          "; loaded: ", absl::StrJoin(names, ", ")));
}

std::vector<std::shared_ptr<const ServingRuleSet>> RuleSetStore::List() const {
  std::shared_ptr<const Snapshot> snapshot;
  {
    absl::MutexLock lock(&mu_);
    snapshot = snapshot_;
  }
  std::vector<std::shared_ptr<const ServingRuleSet>> out;
  out.reserve(snapshot->size());
  for (const auto& [name, entry] : *snapshot) out.push_back(entry);
  return out;
}

ReloadOutcome RuleSetStore::LastReload() const {
  absl::MutexLock lock(&mu_);
  return last_reload_;
}

bool RuleSetStore::HasRuleSets() const {
  absl::MutexLock lock(&mu_);
  return !snapshot_->empty();
}

int64_t RuleSetStore::generation() const {
  absl::MutexLock lock(&mu_);
  return generation_;
}

void RuleSetStore::SetReloadListener(std::function<void(const ReloadOutcome&)> listener) {
  absl::MutexLock lock(&reload_mu_);
  listener_ = std::move(listener);
}

}  // namespace entente
