// File: service/entente_service.h
//
// The entente.v1.Entente gRPC service on the callback API. Handlers only
// check requests and move messages; classification and rule compilation run
// on a WorkerPool sized for the machine's cores, and every call ends with an
// access-log line and metrics (CallLog).
//
// Each call takes the rule set it needs from the RuleSetStore once, at its
// start, and keeps that shared pointer until it ends: a reload in the middle
// of a batch or stream item never mixes versions within it. Streams read
// ahead at most `stream_window` requests, so a client that does not read its
// responses stops the server reading its requests (gRPC flow control then
// stops the client) instead of making the server buffer without bound.
//
//   entente::EntenteService service(&store, &pool, &calls, &admin, options,
//                                   [&] { return store.Reload(); });
//   grpc::ServerBuilder builder;
//   builder.RegisterService(&service);
//   ...
//   service.StartDraining();  // on SIGTERM: new calls get UNAVAILABLE

#ifndef ENTENTE_SERVICE_ENTENTE_SERVICE_H_
#define ENTENTE_SERVICE_ENTENTE_SERVICE_H_

#include <atomic>
#include <functional>

#include "proto/service.grpc.pb.h"
#include "service/admin_auth.h"
#include "service/call_log.h"
#include "service/rule_set_store.h"
#include "service/worker_pool.h"

namespace entente {

struct ServiceOptions {
  // Most documents one ClassifyBatch may carry (RESOURCE_EXHAUSTED above).
  int max_batch_size = 1000;
  // Requests a stream may have read and not yet answered.
  int stream_window = 32;
  // Compile options for ValidateRuleSet.
  CompileOptions compile;
};

// Thread-safe, as gRPC requires. Does not own the store, pool, call log or
// authorizer; they must outlive the server the service is registered with.
class EntenteService final : public entente::v1::Entente::CallbackService {
 public:
  // `reload` performs an admin reload (normally RuleSetStore::Reload, or a
  // wrapper that also logs); it runs on a worker.
  EntenteService(RuleSetStore* store, WorkerPool* pool, CallLog* calls,
                 const AdminAuthorizer* admin, ServiceOptions options,
                 std::function<ReloadOutcome()> reload);

  // From now on new calls fail with UNAVAILABLE; calls in progress go on.
  void StartDraining() { draining_.store(true); }
  bool draining() const { return draining_.load(); }

  grpc::ServerUnaryReactor* Classify(grpc::CallbackServerContext* context,
                                     const entente::v1::ClassifyRequest* request,
                                     entente::v1::ClassifyResponse* response) override;

  grpc::ServerUnaryReactor* ClassifyBatch(grpc::CallbackServerContext* context,
                                          const entente::v1::ClassifyBatchRequest* request,
                                          entente::v1::ClassifyBatchResponse* response) override;

  grpc::ServerBidiReactor<entente::v1::ClassifyRequest, entente::v1::ClassifyStreamResponse>*
  ClassifyStream(grpc::CallbackServerContext* context) override;

  grpc::ServerUnaryReactor* ListRuleSets(grpc::CallbackServerContext* context,
                                         const entente::v1::ListRuleSetsRequest* request,
                                         entente::v1::ListRuleSetsResponse* response) override;

  grpc::ServerUnaryReactor* GetRuleSet(grpc::CallbackServerContext* context,
                                       const entente::v1::GetRuleSetRequest* request,
                                       entente::v1::GetRuleSetResponse* response) override;

  grpc::ServerUnaryReactor* ValidateRuleSet(
      grpc::CallbackServerContext* context, const entente::v1::ValidateRuleSetRequest* request,
      entente::v1::ValidateRuleSetResponse* response) override;

  grpc::ServerUnaryReactor* ReloadRuleSets(grpc::CallbackServerContext* context,
                                           const entente::v1::ReloadRuleSetsRequest* request,
                                           entente::v1::ReloadRuleSetsResponse* response) override;

 private:
  class BatchCall;
  class StreamReactor;

  // Runs `work` on a worker (or refuses the call when draining) and finishes
  // the call with the status it returns.
  grpc::ServerUnaryReactor* RunUnary(grpc::CallbackServerContext* context,
                                     absl::string_view method,
                                     std::function<grpc::Status(CallRecord*)> work);

  RuleSetStore* const store_;
  WorkerPool* const pool_;
  CallLog* const calls_;
  const AdminAuthorizer* const admin_;
  const ServiceOptions options_;
  const std::function<ReloadOutcome()> reload_;
  std::atomic<bool> draining_{false};
};

}  // namespace entente

#endif  // ENTENTE_SERVICE_ENTENTE_SERVICE_H_
