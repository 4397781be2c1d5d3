#include "service/proto_convert.h"

#include <filesystem>

namespace entente {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

absl::string_view StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "UNKNOWN";
  }
}

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  google::protobuf::Timestamp out;
  if (time == absl::InfinitePast() || time == absl::UnixEpoch()) return out;
  const int64_t nanos = absl::ToUnixNanos(time);
  out.set_seconds(nanos / 1000000000);
  out.set_nanos(static_cast<int32_t>(nanos % 1000000000));
  return out;
}

entente::v1::Diagnostic ToProto(const Diagnostic& diagnostic) {
  entente::v1::Diagnostic out;
  out.set_severity(diagnostic.severity == Diagnostic::Severity::kError
                       ? entente::v1::Diagnostic::ERROR
                       : entente::v1::Diagnostic::WARNING);
  out.set_file(diagnostic.location.file);
  out.set_line(diagnostic.location.line);
  out.set_column(diagnostic.location.column);
  out.set_subject(diagnostic.subject);
  out.set_message(diagnostic.message);
  out.set_text(diagnostic.ToString());
  return out;
}

entente::v1::RuleSetSummary ToSummary(const ServingRuleSet& rule_set) {
  entente::v1::RuleSetSummary out;
  out.set_name(rule_set.name);
  out.set_version(rule_set.version);
  out.set_declared_version(rule_set.rules->version());
  out.set_description(rule_set.rules->source().description());
  out.set_file(rule_set.file);
  for (const auto& stance : rule_set.rules->source().stance()) out.add_stances(stance.id());
  out.set_rules(static_cast<int32_t>(rule_set.rules->rules().size()));
  *out.mutable_loaded_at() = ToTimestamp(rule_set.loaded_at);
  out.set_reload_error(rule_set.reload_error);
  return out;
}

entente::v1::ReloadReport ToReloadReport(const ReloadOutcome& outcome,
                                         const std::string& directory) {
  entente::v1::ReloadReport out;
  out.set_ok(outcome.ok);
  *out.mutable_finished_at() = ToTimestamp(outcome.finished_at);
  out.set_generation(outcome.generation);
  for (const auto& name : outcome.added) out.add_added(name);
  for (const auto& name : outcome.updated) out.add_updated(name);
  for (const auto& name : outcome.removed) out.add_removed(name);
  for (const auto& [file, message] : outcome.failures) {
    entente::v1::ReloadFailure* failure = out.add_failures();
    failure->set_file(file);
    failure->set_message(message);
  }
  const std::filesystem::path root(directory);
  for (const Diagnostic& d : outcome.diagnostics) {
    Diagnostic relative = d;
    std::filesystem::path rel = std::filesystem::path(d.location.file).lexically_relative(root);
    if (!rel.empty() && rel.string().rfind("..", 0) != 0) relative.location.file = rel.string();
    *out.add_diagnostics() = ToProto(relative);
  }
  if (!outcome.directory_status.ok()) {
    out.set_error(std::string(outcome.directory_status.message()));
  }
  return out;
}

}  // namespace entente
