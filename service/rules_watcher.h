// File: service/rules_watcher.h
//
// Watches a rules directory and calls back when it changes. Every poll
// interval it scans the tree (service/rules_directory.h: bounded, never
// following directory links) and compares its fingerprint with the one
// taken before the last callback; when they differ, it calls back.
// Trigger() asks for a callback at once (SIGHUP does that). The callback
// runs on the watcher's own thread, so reloads never run on a gRPC thread or
// a signal handler.
//
// A change made while the callback runs is caught by the next poll: the
// fingerprint is taken before the callback, not after. A directory that
// disappears, becomes unreadable or breaks the policy has a fingerprint of
// its own, so both that and its repair count as changes.
//
//   entente::RulesWatcher watcher("rules", {}, absl::Seconds(1), [&] { store.Reload(); });
//   watcher.Start();
//   ...
//   watcher.Trigger();  // on SIGHUP
//   watcher.Stop();

#ifndef ENTENTE_SERVICE_RULES_WATCHER_H_
#define ENTENTE_SERVICE_RULES_WATCHER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "service/rules_directory.h"

namespace entente {

// Thread-safe: Trigger() and Stop() may be called from any thread. The
// callback is never called concurrently with itself.
class RulesWatcher {
 public:
  // Polls `directory` every `interval`, scanning it under `policy`; an
  // interval of zero (or less) disables polling, leaving only Trigger().
  // Takes the first fingerprint now, so that changes made between
  // construction and Start() are seen.
  RulesWatcher(std::string directory, RulesDirectoryPolicy policy, absl::Duration interval,
               std::function<void()> on_change);

  // Stops the thread if it runs.
  ~RulesWatcher();

  RulesWatcher(const RulesWatcher&) = delete;
  RulesWatcher& operator=(const RulesWatcher&) = delete;

  // Starts the watcher thread. Call at most once.
  void Start();

  // Asks for a callback as soon as possible, changed or not.
  void Trigger();

  // Asks the thread to stop, without waiting: no callback starts after
  // this, and a scan in progress stops at its next entry.
  void RequestStop();

  // RequestStop(), then waits for a callback in progress to return and
  // joins the thread. Idempotent.
  void Stop();

  // Callbacks made so far (for tests).
  int64_t callbacks() const;

 private:
  void Run();
  bool Woken() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string directory_;
  const RulesDirectoryPolicy policy_;
  const absl::Duration interval_;
  const std::function<void()> on_change_;
  std::thread thread_;
  // Set by Stop(); read by scans in progress.
  std::atomic<bool> stopping_{false};

  mutable absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool triggered_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t last_fingerprint_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t callbacks_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace entente

#endif  // ENTENTE_SERVICE_RULES_WATCHER_H_
