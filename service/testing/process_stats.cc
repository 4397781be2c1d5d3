#include "service/testing/process_stats.h"

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace entente {
namespace {

// The kB value of a "Name:   123 kB" line of /proc/<pid>/status, or -1.
int64_t StatusKb(const std::string& status, absl::string_view name) {
  for (absl::string_view line : absl::StrSplit(status, '\n')) {
    if (!absl::ConsumePrefix(&line, name) || !absl::ConsumePrefix(&line, ":")) continue;
    std::vector<absl::string_view> parts = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    int64_t kb = -1;
    if (!parts.empty() && absl::SimpleAtoi(parts[0], &kb)) return kb;
  }
  return -1;
}

}  // namespace

absl::StatusOr<ProcessStats> ReadProcessStats(pid_t pid) {
  ProcessStats stats;
  const std::string dir = absl::StrCat("/proc/", pid);
  std::ifstream status_file(dir + "/status");
  std::stringstream status;
  status << status_file.rdbuf();
  if (!status_file) return absl::NotFoundError(absl::StrCat("no process ", pid));
  stats.rss_kb = StatusKb(status.str(), "VmRSS");
  stats.peak_rss_kb = StatusKb(status.str(), "VmHWM");

  std::ifstream stat_file(dir + "/stat");
  std::string stat;
  std::getline(stat_file, stat);
  // Fields after the command name, which may hold spaces: state is field 3,
  // utime 14 and stime 15.
  const size_t close = stat.rfind(')');
  if (close != std::string::npos) {
    std::vector<absl::string_view> fields =
        absl::StrSplit(absl::string_view(stat).substr(close + 2), ' ');
    int64_t utime = 0, stime = 0;
    if (fields.size() > 13 && absl::SimpleAtoi(fields[11], &utime) &&
        absl::SimpleAtoi(fields[12], &stime)) {
      stats.cpu_seconds = static_cast<double>(utime + stime) / sysconf(_SC_CLK_TCK);
    }
  }

  if (DIR* fds = opendir((dir + "/fd").c_str())) {
    stats.open_fds = 0;
    stats.open_sockets = 0;
    while (const dirent* d = readdir(fds)) {
      if (d->d_name[0] == '.') continue;
      ++stats.open_fds;
      char target[256];
      const ssize_t n =
          readlink(absl::StrCat(dir, "/fd/", d->d_name).c_str(), target, sizeof(target) - 1);
      if (n > 0 && absl::StartsWith(absl::string_view(target, n), "socket:")) {
        ++stats.open_sockets;
      }
    }
    closedir(fds);
  }
  return stats;
}

}  // namespace entente
