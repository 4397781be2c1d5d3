// File: service/parse_failure_interceptor.h
//
// gRPC 1.51's callback API answers a unary request that does not parse (a
// `string` field with invalid UTF-8, or bytes that are not a protobuf
// message) with UNIMPLEMENTED and no message, before any handler runs. For
// the methods of entente.v1.Entente, which are all implemented, this server
// interceptor turns that status into INVALID_ARGUMENT with a message that
// says what is wrong, and logs the call like any other.
//
// Streams cannot be helped this way: a stream message that does not parse
// ends the stream's reads as if the client had finished (docs/SERVICE.md).
//
//   std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> f;
//   f.push_back(std::make_unique<entente::ParseFailureInterceptorFactory>(&calls));
//   builder.experimental().SetInterceptorCreators(std::move(f));

#ifndef ENTENTE_SERVICE_PARSE_FAILURE_INTERCEPTOR_H_
#define ENTENTE_SERVICE_PARSE_FAILURE_INTERCEPTOR_H_

#include "grpcpp/support/interceptor.h"
#include "grpcpp/support/server_interceptor.h"
#include "service/call_log.h"

namespace entente {

// Thread-safe: gRPC creates one interceptor per call. Does not own `calls`,
// which must outlive the server.
class ParseFailureInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit ParseFailureInterceptorFactory(CallLog* calls) : calls_(calls) {}

  // Returns an interceptor for calls of entente.v1.Entente's unary methods,
  // and null (no interception) for every other call.
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  CallLog* const calls_;
};

}  // namespace entente

#endif  // ENTENTE_SERVICE_PARSE_FAILURE_INTERCEPTOR_H_
