#include "service/rules_watcher.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <utility>
#include <vector>

namespace entente {
namespace {

constexpr uint64_t kFnvOffset = 14695981039346656037ull;
constexpr uint64_t kFnvPrime = 1099511628211ull;

void Mix(const void* data, size_t size, uint64_t* hash) {
  const unsigned char* bytes = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < size; ++i) {
    *hash ^= bytes[i];
    *hash *= kFnvPrime;
  }
}

// Bounds the walk of a pathological tree (a symlink loop, a huge directory).
constexpr size_t kMaxEntries = 100000;

}  // namespace

uint64_t DirectoryFingerprint(const std::string& directory) {
  namespace fs = std::filesystem;
  uint64_t hash = kFnvOffset;
  std::error_code ec;
  fs::recursive_directory_iterator it(
      directory, fs::directory_options::follow_directory_symlink |
                     fs::directory_options::skip_permission_denied,
      ec);
  if (ec) {
    Mix("<unreadable>", 12, &hash);
    return hash;
  }
  struct Entry {
    std::string path;
    struct stat st;
  };
  std::vector<Entry> entries;
  for (; it != fs::recursive_directory_iterator() && entries.size() < kMaxEntries;
       it.increment(ec)) {
    if (ec) break;
    Entry entry;
    entry.path = it->path().string();
    if (::stat(entry.path.c_str(), &entry.st) != 0) continue;  // dangling link, race
    if (!S_ISREG(entry.st.st_mode)) continue;
    entries.push_back(std::move(entry));
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.path < b.path; });
  for (const Entry& e : entries) {
    Mix(e.path.data(), e.path.size() + 1, &hash);
    const int64_t fields[] = {static_cast<int64_t>(e.st.st_size),
                              static_cast<int64_t>(e.st.st_mtim.tv_sec),
                              static_cast<int64_t>(e.st.st_mtim.tv_nsec),
                              static_cast<int64_t>(e.st.st_ino),
                              static_cast<int64_t>(e.st.st_ctim.tv_sec),
                              static_cast<int64_t>(e.st.st_ctim.tv_nsec)};
    Mix(fields, sizeof(fields), &hash);
  }
  return hash;
}

RulesWatcher::RulesWatcher(std::string directory, absl::Duration interval,
                           std::function<void()> on_change)
    : directory_(std::move(directory)), interval_(interval), on_change_(std::move(on_change)) {
  absl::MutexLock lock(&mu_);
  last_fingerprint_ = DirectoryFingerprint(directory_);
}

RulesWatcher::~RulesWatcher() { Stop(); }

void RulesWatcher::Start() { thread_ = std::thread([this] { Run(); }); }

void RulesWatcher::Trigger() {
  absl::MutexLock lock(&mu_);
  triggered_ = true;
}

void RulesWatcher::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
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
    const uint64_t fingerprint = DirectoryFingerprint(directory_);
    if (!triggered && fingerprint == last) continue;
    on_change_();
    absl::MutexLock lock(&mu_);
    last_fingerprint_ = fingerprint;
    ++callbacks_;
  }
}

}  // namespace entente
