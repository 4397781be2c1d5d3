// File: service/testing/process_stats.h
//
// What /proc says about a process, for tests that hold the server to its
// bounds by reading them rather than by timing it: resident memory now and
// at its peak, CPU time used, and open file descriptors.
//
//   absl::StatusOr<entente::ProcessStats> stats = entente::ReadProcessStats(pid);
//   EXPECT_LE(stats->peak_rss_kb, 800 * 1024);

#ifndef ENTENTE_SERVICE_TESTING_PROCESS_STATS_H_
#define ENTENTE_SERVICE_TESTING_PROCESS_STATS_H_

#include <sys/types.h>

#include <cstdint>

#include "absl/status/statusor.h"

namespace entente {

struct ProcessStats {
  // VmRSS and VmHWM (the peak resident set size), in kB.
  int64_t rss_kb = -1;
  int64_t peak_rss_kb = -1;
  // User plus system CPU time, in seconds (clock-tick resolution).
  double cpu_seconds = -1;
  // Entries of /proc/<pid>/fd, and how many of them are sockets.
  int open_fds = -1;
  int open_sockets = -1;
};

// Reads /proc/<pid>/status, /proc/<pid>/stat and /proc/<pid>/fd. Returns
// NotFound when the process is gone.
absl::StatusOr<ProcessStats> ReadProcessStats(pid_t pid);

}  // namespace entente

#endif  // ENTENTE_SERVICE_TESTING_PROCESS_STATS_H_
