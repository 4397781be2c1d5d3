// File: service/proto_convert.h
//
// Conversions between the server's own types (absl::Status, Diagnostic,
// ServingRuleSet, ReloadOutcome) and the messages and statuses of the gRPC
// API (proto/service.proto).
//
//   grpc::Status status = entente::ToGrpcStatus(absl::NotFoundError("no rule set"));
//   entente::v1::ReloadReport report = entente::ToReloadReport(store.LastReload(), "rules");

#ifndef ENTENTE_SERVICE_PROTO_CONVERT_H_
#define ENTENTE_SERVICE_PROTO_CONVERT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engine/diagnostic.h"
#include "google/protobuf/timestamp.pb.h"
#include "grpcpp/support/status.h"
#include "proto/service.pb.h"
#include "service/rule_set_store.h"

namespace entente {

// The gRPC status with the same code and message (the code numbers of
// absl::StatusCode and grpc::StatusCode are the same).
grpc::Status ToGrpcStatus(const absl::Status& status);

// "OK", "INVALID_ARGUMENT", ... for a gRPC status code.
absl::string_view StatusCodeName(grpc::StatusCode code);

google::protobuf::Timestamp ToTimestamp(absl::Time time);

entente::v1::Diagnostic ToProto(const Diagnostic& diagnostic);

// The summary of a serving rule set, without server paths (see
// WithoutDirectory; `directory` is the rules directory).
entente::v1::RuleSetSummary ToSummary(const ServingRuleSet& rule_set, const std::string& directory);

// The report of a reload, without server paths: files are relative to the
// rules directory `directory`, and messages name it as "the rules
// directory". Unauthenticated clients read it (ListRuleSets).
entente::v1::ReloadReport ToReloadReport(const ReloadOutcome& outcome,
                                         const std::string& directory);

// `text` with the rules directory `directory` taken out of every path that
// names it: "<directory>/a/b.textproto" becomes "a/b.textproto", and
// "<directory>" alone "the rules directory". The directory is recognized as
// given, as an absolute path and with its symbolic links resolved; only
// whole path components match.
std::string WithoutDirectory(absl::string_view text, const std::string& directory);

}  // namespace entente

#endif  // ENTENTE_SERVICE_PROTO_CONVERT_H_
