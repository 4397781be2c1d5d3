// File: service/rules_directory.h
//
// The rules directory is input the server does not trust: whoever can write
// to it may make symbolic-link loops, millions of entries, or links to files
// elsewhere on the server. ScanRulesDirectory walks it once, within bounds,
// before anything in it is read, and says whether it may be loaded:
//   - directory symbolic links are never followed, so a loop costs one
//     entry;
//   - every entry counts (files, directories, links, anything else), and
//     the walk stops at `max_entries`;
//   - a symbolic link anywhere in the tree whose target, resolved, lies
//     outside the directory makes the whole directory refused (unless the
//     links are trusted, as for the bundled rules, which Bazel's runfiles
//     make of links): a rule file or an include cannot bring in a file from
//     elsewhere, and no answer quotes one.
// The scan also fingerprints the tree (paths, sizes, times, inodes, and
// those of link targets), for the watcher.
//
//   entente::RulesDirectoryScan scan = entente::ScanRulesDirectory("rules", {});
//   if (!scan.status.ok()) { /* refuse the reload; scan.status says why */ }

#ifndef ENTENTE_SERVICE_RULES_DIRECTORY_H_
#define ENTENTE_SERVICE_RULES_DIRECTORY_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace entente {

struct RulesDirectoryPolicy {
  // Entries of every kind the tree may hold, the top directory excluded.
  int64_t max_entries = 10000;
  // Trust symbolic links that lead out of the directory (Bazel runfiles).
  bool links_may_leave = false;
};

struct RulesDirectoryScan {
  // OK; NotFound when the directory is missing or not a directory;
  // PermissionDenied when it cannot be read or a link leaves it;
  // ResourceExhausted when it holds more than max_entries; Cancelled when
  // the scan was stopped. Messages name paths relative to the directory.
  absl::Status status;
  // Differs whenever a path, size, modification or change time, inode or
  // link target in the tree differs, or the status does.
  uint64_t fingerprint = 0;
  // Entries seen.
  int64_t entries = 0;
};

// Scans `directory` (see above). Checks `*stop`, if given, between entries.
// Never follows a directory link; never reads a file.
RulesDirectoryScan ScanRulesDirectory(const std::string& directory,
                                      const RulesDirectoryPolicy& policy,
                                      const std::atomic<bool>* stop = nullptr);

}  // namespace entente

#endif  // ENTENTE_SERVICE_RULES_DIRECTORY_H_
