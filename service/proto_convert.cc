#include "service/proto_convert.h"

#include <algorithm>
#include <filesystem>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"

namespace entente {
namespace {

bool IsPathChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
         c == '/' || c == '+' || c == '~' || static_cast<unsigned char>(c) >= 0x80;
}

// The spellings of `directory` that messages may use, longest first, each
// without a trailing slash.
std::vector<std::string> DirectorySpellings(const std::string& directory) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<std::string> out;
  auto add = [&out](std::string spelling) {
    while (spelling.size() > 1 && spelling.back() == '/') spelling.pop_back();
    if (spelling.empty() || spelling == "." || spelling == "/") return;
    if (std::find(out.begin(), out.end(), spelling) == out.end()) out.push_back(spelling);
  };
  add(directory);
  const fs::path absolute = fs::absolute(directory, ec).lexically_normal();
  if (!ec) add(absolute.string());
  const fs::path canonical = fs::weakly_canonical(directory, ec);
  if (!ec) add(canonical.string());
  std::sort(out.begin(), out.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return out;
}

}  // namespace

std::string WithoutDirectory(absl::string_view text, const std::string& directory) {
  const std::vector<std::string> spellings = DirectorySpellings(directory);
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    bool replaced = false;
    if (i == 0 || !IsPathChar(text[i - 1])) {
      for (const std::string& dir : spellings) {
        if (!absl::StartsWith(text.substr(i), dir)) continue;
        size_t end = i + dir.size();
        if (end < text.size() && IsPathChar(text[end]) && text[end] != '/') {
          continue;  // a longer name that starts like the directory
        }
        size_t next = end;
        while (next < text.size() && text[next] == '/') ++next;
        if (next < text.size() && IsPathChar(text[next])) {
          i = next;  // "<dir>/x" -> "x"
        } else if (dir.find('/') != std::string::npos) {
          out += "the rules directory";  // a relative name alone may be a word
          i = next;
        } else {
          continue;
        }
        replaced = true;
        break;
      }
    }
    if (!replaced) out.push_back(text[i++]);
  }
  return out;
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

absl::string_view StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
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

entente::v1::RuleSetSummary ToSummary(const ServingRuleSet& rule_set,
                                      const std::string& directory) {
  entente::v1::RuleSetSummary out;
  out.set_name(rule_set.name);
  out.set_version(rule_set.version);
  out.set_declared_version(rule_set.rules->version());
  out.set_description(rule_set.rules->source().description());
  out.set_file(rule_set.file);
  for (const auto& stance : rule_set.rules->source().stance()) out.add_stances(stance.id());
  out.set_rules(static_cast<int32_t>(rule_set.rules->rules().size()));
  *out.mutable_loaded_at() = ToTimestamp(rule_set.loaded_at);
  out.set_reload_error(WithoutDirectory(rule_set.reload_error, directory));
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
    failure->set_file(WithoutDirectory(file, directory));
    failure->set_message(WithoutDirectory(message, directory));
  }
  for (const Diagnostic& d : outcome.diagnostics) {
    Diagnostic relative = d;
    relative.location.file = WithoutDirectory(d.location.file, directory);
    relative.message = WithoutDirectory(d.message, directory);
    *out.add_diagnostics() = ToProto(relative);
  }
  if (!outcome.directory_status.ok()) {
    out.set_error(WithoutDirectory(outcome.directory_status.message(), directory));
  }
  return out;
}

}  // namespace entente
