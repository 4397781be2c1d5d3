// File: service/rules_watcher.h
//
// Watches a rules directory and calls back when it changes. Every poll
// interval it takes a fingerprint of the tree (the path, size, modification
// time and inode of every file under it); when the fingerprint differs from
// the one taken before the last callback, it calls back. Trigger() asks for
// a callback at once (SIGHUP does that). The callback runs on the watcher's
// own thread, so reloads never run on a gRPC thread or a signal handler.
//
// A change made while the callback runs is caught by the next poll: the
// fingerprint is taken before the callback, not after.
//
//   entente::RulesWatcher watcher("rules", absl::Seconds(1), [&] { store.Reload(); });
//   watcher.Start();
//   ...
//   watcher.Trigger();  // on SIGHUP
//   watcher.Stop();

#ifndef ENTENTE_SERVICE_RULES_WATCHER_H_
#define ENTENTE_SERVICE_RULES_WATCHER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace entente {

// A digest of the paths, sizes, modification times and inodes of every file
// under `directory` (following symlinks, as Bazel runfiles use them). A
// missing or unreadable directory has a fingerprint of its own, so that its
// reappearance counts as a change.
uint64_t DirectoryFingerprint(const std::string& directory);

// Thread-safe: Trigger() and Stop() may be called from any thread. The
// callback is never called concurrently with itself.
class RulesWatcher {
 public:
  // Polls `directory` every `interval`; an interval of zero (or less)
  // disables polling, leaving only Trigger(). Takes the first fingerprint
  // now, so that changes made between construction and Start() are seen.
  RulesWatcher(std::string directory, absl::Duration interval, std::function<void()> on_change);

  // Stops the thread if it runs.
  ~RulesWatcher();

  RulesWatcher(const RulesWatcher&) = delete;
  RulesWatcher& operator=(const RulesWatcher&) = delete;

  // Starts the watcher thread. Call at most once.
  void Start();

  // Asks for a callback as soon as possible, changed or not.
  void Trigger();

  // Stops the thread after the callback in progress, if any, returns.
  // Idempotent.
  void Stop();

  // Callbacks made so far (for tests).
  int64_t callbacks() const;

 private:
  void Run();
  bool Woken() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string directory_;
  const absl::Duration interval_;
  const std::function<void()> on_change_;
  std::thread thread_;

  mutable absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool triggered_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t last_fingerprint_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t callbacks_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace entente

#endif  // ENTENTE_SERVICE_RULES_WATCHER_H_
