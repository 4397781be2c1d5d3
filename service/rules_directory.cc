#include "service/rules_directory.h"

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

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

void MixStat(const struct stat& st, uint64_t* hash) {
  const int64_t fields[] = {
      static_cast<int64_t>(st.st_mode),        static_cast<int64_t>(st.st_size),
      static_cast<int64_t>(st.st_mtim.tv_sec), static_cast<int64_t>(st.st_mtim.tv_nsec),
      static_cast<int64_t>(st.st_ino),         static_cast<int64_t>(st.st_ctim.tv_sec),
      static_cast<int64_t>(st.st_ctim.tv_nsec)};
  Mix(fields, sizeof(fields), hash);
}

// The target of `path` with every link resolved, or "" when it does not
// resolve (dangling, a loop, unreadable).
std::string Resolve(const std::string& path) {
  std::unique_ptr<char, decltype(&free)> resolved(realpath(path.c_str(), nullptr), &free);
  return resolved == nullptr ? std::string() : std::string(resolved.get());
}

bool IsInside(const std::string& path, const std::string& root) {
  if (root == "/") return true;
  return path == root || absl::StartsWith(path, root + "/");
}

struct Entry {
  std::string relative;
  struct stat st;
  // For a link: its target's stat, when it resolves.
  bool has_target = false;
  struct stat target;
};

}  // namespace

RulesDirectoryScan ScanRulesDirectory(const std::string& directory,
                                      const RulesDirectoryPolicy& policy,
                                      const std::atomic<bool>* stop) {
  RulesDirectoryScan scan;
  std::vector<Entry> entries;
  // The directory itself may be a link (a deploy that swaps a "current"
  // link): resolve it once, and compare link targets with what it is.
  const std::string root = Resolve(directory);
  struct stat top;
  if (root.empty() || stat(root.c_str(), &top) != 0 || !S_ISDIR(top.st_mode)) {
    scan.status = absl::NotFoundError("the rules directory is missing or not a directory");
  }
  // Directories still to list, relative to the root ("" is the root).
  std::vector<std::string> pending;
  if (scan.status.ok()) pending.push_back("");
  while (!pending.empty() && scan.status.ok()) {
    const std::string relative = std::move(pending.back());
    pending.pop_back();
    const std::string absolute = relative.empty() ? root : absl::StrCat(root, "/", relative);
    DIR* dir = opendir(absolute.c_str());
    if (dir == nullptr) {
      scan.status = absl::PermissionDeniedError(
          absl::StrCat("cannot read ", relative.empty() ? "the rules directory" : relative, ": ",
                       std::strerror(errno)));
      break;
    }
    while (const dirent* d = readdir(dir)) {
      if (std::strcmp(d->d_name, ".") == 0 || std::strcmp(d->d_name, "..") == 0) continue;
      if (stop != nullptr && stop->load()) {
        scan.status = absl::CancelledError("scan stopped");
        break;
      }
      if (++scan.entries > policy.max_entries) {
        scan.status = absl::ResourceExhaustedError(absl::StrCat(
            "the rules directory holds more than ", policy.max_entries,
            " entries (files, directories and links, at every level); nothing was read"));
        break;
      }
      Entry entry;
      entry.relative = relative.empty() ? d->d_name : absl::StrCat(relative, "/", d->d_name);
      const std::string path = absl::StrCat(root, "/", entry.relative);
      if (lstat(path.c_str(), &entry.st) != 0) continue;  // gone since readdir
      if (S_ISDIR(entry.st.st_mode)) {
        pending.push_back(entry.relative);
      } else if (S_ISLNK(entry.st.st_mode)) {
        const std::string target = Resolve(path);
        if (!target.empty() && !policy.links_may_leave && !IsInside(target, root)) {
          scan.status = absl::PermissionDeniedError(absl::StrCat(
              entry.relative,
              " is a symbolic link that leads out of the rules directory; links may only "
              "point inside it, so nothing was reloaded"));
          break;
        }
        // A link is fingerprinted with its target, so that editing a linked
        // file (Bazel runfiles) counts as a change; directory links are not
        // followed.
        entry.has_target = !target.empty() && stat(target.c_str(), &entry.target) == 0;
      }
      entries.push_back(std::move(entry));
    }
    closedir(dir);
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.relative < b.relative; });
  uint64_t hash = kFnvOffset;
  for (const Entry& e : entries) {
    Mix(e.relative.data(), e.relative.size() + 1, &hash);
    MixStat(e.st, &hash);
    if (e.has_target) MixStat(e.target, &hash);
  }
  const std::string status = scan.status.ToString();
  Mix(status.data(), status.size(), &hash);
  scan.fingerprint = hash;
  return scan;
}

}  // namespace entente
