#include "service/parse_failure_interceptor.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "grpcpp/server_context.h"

namespace entente {
namespace {

constexpr absl::string_view kServicePrefix = "/entente.v1.Entente/";

class ParseFailureInterceptor : public grpc::experimental::Interceptor {
 public:
  ParseFailureInterceptor(grpc::experimental::ServerRpcInfo* info, CallLog* calls)
      : info_(info), calls_(calls) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      if (status.error_code() == grpc::StatusCode::UNIMPLEMENTED &&
          status.error_message().empty()) {
        const absl::string_view method(info_->method());
        grpc::Status rewritten(
            grpc::StatusCode::INVALID_ARGUMENT,
            "the request could not be parsed as an entente.v1 message: string fields (id, "
            "speaker, rule_set, ...) must hold valid UTF-8, and the bytes must be the "
            "method's request message");
        methods->ModifySendStatus(rewritten);
        CallRecord record =
            calls_->Start(method.substr(kServicePrefix.size()), info_->server_context()->peer());
        calls_->Finish(record, rewritten);
      }
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* const info_;
  CallLog* const calls_;
};

}  // namespace

grpc::experimental::Interceptor* ParseFailureInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  if (info->type() != grpc::experimental::ServerRpcInfo::Type::UNARY ||
      !absl::StartsWith(info->method(), kServicePrefix)) {
    return nullptr;
  }
  return new ParseFailureInterceptor(info, calls_);
}

}  // namespace entente
