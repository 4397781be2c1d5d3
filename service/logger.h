// File: service/logger.h
//
// A small leveled logger for the server: one line per event on a stream
// (stderr by default), each line written whole so that lines from different
// threads never interleave. Abseil 20220623 has no absl/log, hence this.
// Lines are logfmt-style: a timestamp, the level, an event name, then
// key=value pairs, so that log shippers can parse them.
//
//   entente::Logger logger(entente::LogLevel::kInfo);
//   logger.Log(entente::LogLevel::kWarning, "reload",
//              {{"outcome", "failed"}, {"file", "rules/default.textproto"}});
//   // 2026-11-28T05:00:00.123Z WARNING reload outcome=failed file=rules/default.textproto

#ifndef ENTENTE_SERVICE_LOGGER_H_
#define ENTENTE_SERVICE_LOGGER_H_

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace entente {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3, kOff = 4 };

// Parses "debug", "info", "warning", "error" or "off" (case-insensitive).
// Returns InvalidArgument for anything else.
absl::StatusOr<LogLevel> ParseLogLevel(absl::string_view text);

// "DEBUG", "INFO", "WARNING", "ERROR", "OFF".
absl::string_view LogLevelName(LogLevel level);

// Thread-safe: Log() may be called from any thread.
class Logger {
 public:
  using Fields = std::vector<std::pair<std::string, std::string>>;

  // Writes lines at `threshold` and above to `out`, which must outlive the
  // logger (the default, stderr, does).
  explicit Logger(LogLevel threshold, std::FILE* out = stderr);

  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  // True if a line at `level` would be written.
  bool Enabled(LogLevel level) const { return level >= threshold_ && level != LogLevel::kOff; }

  // Writes one line: timestamp, level, `event`, then each field as
  // key=value. Values with spaces, quotes or '=' are quoted and escaped.
  void Log(LogLevel level, absl::string_view event, const Fields& fields = {});

  // Formats a line as Log() writes it, without the timestamp (for tests).
  static std::string Format(LogLevel level, absl::string_view event, const Fields& fields);

 private:
  const LogLevel threshold_;
  std::FILE* const out_;
  absl::Mutex mu_;
};

}  // namespace entente

#endif  // ENTENTE_SERVICE_LOGGER_H_
