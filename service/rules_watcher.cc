#include "service/rules_watcher.h"

#include <utility>

namespace entente {

RulesWatcher::RulesWatcher(std::string directory, RulesDirectoryPolicy policy,
                           absl::Duration interval, std::function<void()> on_change)
    : directory_(std::move(directory)),
      policy_(policy),
      interval_(interval),
      on_change_(std::move(on_change)) {
  const uint64_t fingerprint = ScanRulesDirectory(directory_, policy_).fingerprint;
  absl::MutexLock lock(&mu_);
  last_fingerprint_ = fingerprint;
}

RulesWatcher::~RulesWatcher() { Stop(); }

void RulesWatcher::Start() {
  thread_ = std::thread([this] { Run(); });
}

void RulesWatcher::Trigger() {
  absl::MutexLock lock(&mu_);
  triggered_ = true;
}

void RulesWatcher::RequestStop() {
  stopping_.store(true);
  absl::MutexLock lock(&mu_);
  stop_ = true;
}

void RulesWatcher::Stop() {
  RequestStop();
  if (thread_.joinable()) thread_.join();
}

int64_t RulesWatcher::callbacks() const {
  absl::MutexLock lock(&mu_);
  return callbacks_;
}

bool RulesWatcher::Woken() const { return stop_ || triggered_; }

void RulesWatcher::Run() {
  const bool polling = interval_ > absl::ZeroDuration();
  while (true) {
    bool triggered;
    uint64_t last;
    {
      absl::MutexLock lock(&mu_);
      if (polling) {
        mu_.AwaitWithTimeout(absl::Condition(this, &RulesWatcher::Woken), interval_);
      } else {
        mu_.Await(absl::Condition(this, &RulesWatcher::Woken));
      }
      if (stop_) return;
      triggered = triggered_;
      triggered_ = false;
      last = last_fingerprint_;
    }
    const RulesDirectoryScan scan = ScanRulesDirectory(directory_, policy_, &stopping_);
    if (stopping_.load()) return;
    if (!triggered && scan.fingerprint == last) continue;
    on_change_();
    absl::MutexLock lock(&mu_);
    last_fingerprint_ = scan.fingerprint;
    ++callbacks_;
  }
}

}  // namespace entente
