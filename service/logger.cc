#include "service/logger.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace entente {
namespace {

bool NeedsQuotes(absl::string_view value) {
  if (value.empty()) return true;
  for (char c : value) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      return true;
    }
  }
  return false;
}

void AppendValue(absl::string_view value, std::string* out) {
  if (!NeedsQuotes(value)) {
    absl::StrAppend(out, value);
    return;
  }
  out->push_back('"');
  for (char c : value) {
    switch (c) {
      case '"':
        absl::StrAppend(out, "\\\"");
        break;
      case '\\':
        absl::StrAppend(out, "\\\\");
        break;
      case '\n':
        absl::StrAppend(out, "\\n");
        break;
      case '\r':
        absl::StrAppend(out, "\\r");
        break;
      case '\t':
        absl::StrAppend(out, "\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppend(out, "\\x", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

}  // namespace

absl::StatusOr<LogLevel> ParseLogLevel(absl::string_view text) {
  const std::string lower = absl::AsciiStrToLower(text);
  if (lower == "debug") return LogLevel::kDebug;
  if (lower == "info") return LogLevel::kInfo;
  if (lower == "warning" || lower == "warn") return LogLevel::kWarning;
  if (lower == "error") return LogLevel::kError;
  if (lower == "off" || lower == "none") return LogLevel::kOff;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown log level \"", text, "\" (want debug, info, warning, error or off)"));
}

absl::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarning:
      return "WARNING";
    case LogLevel::kError:
      return "ERROR";
    case LogLevel::kOff:
      return "OFF";
  }
  return "?";
}

Logger::Logger(LogLevel threshold, std::FILE* out) : threshold_(threshold), out_(out) {}

std::string Logger::Format(LogLevel level, absl::string_view event, const Fields& fields) {
  std::string line = absl::StrCat(LogLevelName(level), " ", event);
  for (const auto& [key, value] : fields) {
    absl::StrAppend(&line, " ", key, "=");
    AppendValue(value, &line);
  }
  return line;
}

void Logger::Log(LogLevel level, absl::string_view event, const Fields& fields) {
  if (!Enabled(level)) return;
  std::string line =
      absl::StrCat(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()), " ",
                   Format(level, event, fields), "\n");
  absl::MutexLock lock(&mu_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace entente
