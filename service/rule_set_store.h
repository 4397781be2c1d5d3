// File: service/rule_set_store.h
//
// The rule sets a server serves, by name, and how they are reloaded. A
// reload compiles every rule file of the rules directory into new
// CompiledRuleSets, then swaps them in under a mutex in one step; requests
// hold a std::shared_ptr to the rule set they started with, so they finish
// on that version while later ones see the new one. A file that fails to
// load or compile is reported (ReloadOutcome, ListRuleSets) and the last
// good version of its rule set keeps serving: a broken edit is an expected
// event, never a crash and never a silent swap.
//
// Versions are "<declared>+<digest>": the rule set's own `version` field,
// then 8 hex digits of a digest of the merged rule set. An edit that forgets
// to bump the declared version still gets a new version, and a reload that
// changes nothing (a touched file) keeps the old one.
//
//   entente::RuleSetStore store("rules", {});
//   entente::ReloadOutcome outcome = store.Reload();
//   if (!outcome.ok) { for (auto& [file, why] : outcome.failures) LOG(file, why); }
//   absl::StatusOr<std::shared_ptr<const entente::ServingRuleSet>> rules = store.Find("");
//   if (rules.ok()) entente::Classify(*(*rules)->rules, text, options);

#ifndef ENTENTE_SERVICE_RULE_SET_STORE_H_
#define ENTENTE_SERVICE_RULE_SET_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/compiled_rule_set.h"
#include "engine/diagnostic.h"
#include "service/rules_directory.h"

namespace entente {

// One rule set as it serves. Immutable once published.
struct ServingRuleSet {
  std::shared_ptr<const CompiledRuleSet> rules;
  std::string name;
  // "<declared>+<digest>".
  std::string version;
  // Top-level file, relative to the rules directory.
  std::string file;
  absl::Time loaded_at;
  // Set when the last reload of `file` failed: this is the last good
  // version, still serving.
  std::string reload_error;
};

// What one reload did.
struct ReloadOutcome {
  // True when the directory was read and every rule file compiled.
  bool ok = false;
  absl::Time finished_at;
  // The store's generation after the reload (see RuleSetStore).
  int64_t generation = 0;
  // Rule set names that appeared, changed version, or went away (their file
  // was deleted).
  std::vector<std::string> added;
  std::vector<std::string> updated;
  std::vector<std::string> removed;
  // Rule sets whose file failed; their last good version keeps serving.
  std::vector<std::string> kept;
  // Files (relative to the rules directory) that did not load or compile,
  // with why.
  std::map<std::string, std::string> failures;
  // Every error and warning of the files read.
  std::vector<Diagnostic> diagnostics;
  // Not OK when the directory itself could not be read or broke the
  // policy (RulesDirectoryPolicy); nothing changed.
  absl::Status directory_status;

  bool changed() const { return !added.empty() || !updated.empty() || !removed.empty(); }
};

// Thread-safe: Find, List, LastReload and HasRuleSets may be called from
// any thread at any time, including during a reload; reloads are
// serialized.
class RuleSetStore {
 public:
  struct Options {
    // The rule set requests get when they name none.
    std::string default_rule_set = "default";
    CompileOptions compile;
    // What the directory may hold; it is scanned before every reload, and
    // a directory that breaks the policy is not read at all.
    RulesDirectoryPolicy directory;
  };

  // Serves the rule sets of `directory`. Nothing is loaded until Reload().
  RuleSetStore(std::string directory, Options options);

  RuleSetStore(const RuleSetStore&) = delete;
  RuleSetStore& operator=(const RuleSetStore&) = delete;

  // Scans the directory (service/rules_directory.h), loads and compiles
  // every top-level rule file of it, then publishes, in one swap, the rule
  // sets that compiled, keeping the last good version of those whose file
  // failed. When the directory is missing, unreadable or breaks the policy,
  // nothing is read and every rule set keeps its last good version. Blocks
  // while another reload runs. Calls the reload listener, if any, before
  // returning.
  ReloadOutcome Reload();

  // The rule set called `name` ("" means the default). Returns
  // FAILED_PRECONDITION when no rule set is loaded at all, NOT_FOUND when
  // none has that name.
  absl::StatusOr<std::shared_ptr<const ServingRuleSet>> Find(absl::string_view name) const;

  // Every serving rule set, by name.
  std::vector<std::shared_ptr<const ServingRuleSet>> List() const;

  // The outcome of the last reload (default-constructed before the first).
  ReloadOutcome LastReload() const;

  bool HasRuleSets() const;

  // Incremented by every reload that changes what serves.
  int64_t generation() const;

  const std::string& directory() const { return directory_; }
  const std::string& default_rule_set() const { return options_.default_rule_set; }

  // Sets a function called after every reload, with its outcome, while
  // reloads are still serialized (so calls are in reload order). Set it
  // before the first reload; it must not call Reload().
  void SetReloadListener(std::function<void(const ReloadOutcome&)> listener);

 private:
  using Snapshot = std::map<std::string, std::shared_ptr<const ServingRuleSet>>;

  std::string RelativeToDirectory(const std::string& path) const;

  const std::string directory_;
  const Options options_;

  // Serializes reloads; held for a whole reload. Acquired before mu_.
  absl::Mutex reload_mu_;
  std::function<void(const ReloadOutcome&)> listener_ ABSL_GUARDED_BY(reload_mu_);

  mutable absl::Mutex mu_ ABSL_ACQUIRED_AFTER(reload_mu_);
  std::shared_ptr<const Snapshot> snapshot_ ABSL_GUARDED_BY(mu_);
  ReloadOutcome last_reload_ ABSL_GUARDED_BY(mu_);
  int64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
};

// The serving version of `rules`: "<declared>+<8 hex digits>" where the
// digits are an FNV-1a digest of the merged rule set's deterministic
// serialization ("unversioned+..." when it declares none). Equal rule sets
// get equal versions in every process.
std::string RuleSetVersion(const CompiledRuleSet& rules);

}  // namespace entente

#endif  // ENTENTE_SERVICE_RULE_SET_STORE_H_
