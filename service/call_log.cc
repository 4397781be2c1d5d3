#include "service/call_log.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "service/proto_convert.h"

namespace entente {

CallLog::CallLog(Logger* logger, Metrics* metrics) : logger_(logger), metrics_(metrics) {}

CallRecord CallLog::Start(absl::string_view method, absl::string_view peer) {
  CallRecord record;
  record.method = std::string(method);
  record.peer = std::string(peer);
  record.start = absl::Now();
  metrics_->AddInFlight(1);
  in_flight_.fetch_add(1);
  return record;
}

void CallLog::Hold() { in_flight_.fetch_add(1); }

void CallLog::Release() { in_flight_.fetch_sub(1); }

void CallLog::ItemError(const CallRecord& record, grpc::StatusCode code) {
  metrics_->RecordItemError(record.method, StatusCodeName(code));
}

void CallLog::Refusal(absl::string_view limit) { metrics_->RecordRefusal(limit); }

void CallLog::Finish(const CallRecord& record, const grpc::Status& status) {
  const absl::Duration latency = absl::Now() - record.start;
  const absl::string_view code = StatusCodeName(status.error_code());
  metrics_->AddInFlight(-1);
  in_flight_.fetch_sub(1);
  metrics_->RecordCall(record.method, code, latency, record.items, record.sentences);
  const LogLevel level = status.error_code() == grpc::StatusCode::INTERNAL ||
                                 status.error_code() == grpc::StatusCode::UNKNOWN
                             ? LogLevel::kError
                             : LogLevel::kInfo;
  if (!logger_->Enabled(level)) return;
  Logger::Fields fields = {
      {"method", record.method},
      {"code", std::string(code)},
      {"items", absl::StrCat(record.items)},
      {"item_errors", absl::StrCat(record.item_errors)},
      {"sentences", absl::StrCat(record.sentences)},
      {"latency_ms", absl::StrFormat("%.3f", absl::ToDoubleMilliseconds(latency))},
  };
  if (!record.rule_set.empty()) {
    fields.emplace_back("rule_set", record.rule_set);
    fields.emplace_back("version", record.version);
  }
  fields.emplace_back("peer", record.peer);
  if (!status.ok()) fields.emplace_back("message", status.error_message());
  logger_->Log(level, "access", fields);
}

}  // namespace entente
