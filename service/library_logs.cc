#include "service/library_logs.h"

#include <atomic>
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/stubs/logging.h"
#include "grpc/support/log.h"

namespace entente {
namespace {

std::atomic<Logger*> routed{nullptr};
google::protobuf::LogHandler* protobuf_default = nullptr;
bool installed = false;

void FromProtobuf(google::protobuf::LogLevel level, const char* file, int line,
                  const std::string& message) {
  Logger* logger = routed.load();
  if (logger == nullptr) return;
  LogLevel ours = LogLevel::kWarning;
  if (level == google::protobuf::LOGLEVEL_INFO) ours = LogLevel::kInfo;
  if (level == google::protobuf::LOGLEVEL_FATAL) ours = LogLevel::kError;
  if (!logger->Enabled(ours)) return;
  logger->Log(ours, "protobuf",
              {{"message", std::string(absl::StripTrailingAsciiWhitespace(message))},
               {"source", absl::StrCat(file != nullptr ? file : "?", ":", line)}});
}

void FromGrpc(gpr_log_func_args* args) {
  Logger* logger = routed.load();
  if (logger == nullptr) {  // not routed (any more): gRPC's own format, roughly
    std::fprintf(stderr, "%s %s:%d] %s\n", gpr_log_severity_string(args->severity),
                 args->file != nullptr ? args->file : "?", args->line,
                 args->message != nullptr ? args->message : "");
    return;
  }
  LogLevel ours = LogLevel::kError;
  if (args->severity == GPR_LOG_SEVERITY_DEBUG) ours = LogLevel::kDebug;
  if (args->severity == GPR_LOG_SEVERITY_INFO) ours = LogLevel::kInfo;
  if (!logger->Enabled(ours)) return;
  logger->Log(
      ours, "grpc",
      {{"message", std::string(absl::StripTrailingAsciiWhitespace(
                       args->message != nullptr ? args->message : ""))},
       {"source", absl::StrCat(args->file != nullptr ? args->file : "?", ":", args->line)}});
}

}  // namespace

void RouteLibraryLogs(Logger* logger) {
  routed.store(logger);
  if (logger != nullptr && !installed) {
    protobuf_default = google::protobuf::SetLogHandler(&FromProtobuf);
    gpr_set_log_function(&FromGrpc);
    installed = true;
  } else if (logger == nullptr && installed) {
    google::protobuf::SetLogHandler(protobuf_default);
    installed = false;  // gRPC's lines go to stderr through FromGrpc
  }
}

}  // namespace entente
