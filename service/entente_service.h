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
// ahead at most `stream_window` requests and `stream_window_bytes` bytes, so
// a client that does not read its responses stops the server reading its
// requests (gRPC flow control then stops the client) instead of making the
// server buffer without bound.
//
// Every call is bounded (ServiceOptions): what it may hold in memory
// (request and response bytes, drawn from one budget for the whole server),
// the size of its response and of its explanation, and its CPU: the
// deadline and cancellation are checked before every sentence, so work a
// client abandoned stops within a sentence. A call that would pass a limit
// gets RESOURCE_EXHAUSTED with a message naming the limit's flag.
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
#include <cstdint>
#include <functional>

#include "absl/time/time.h"
#include "engine/classifier.h"
#include "engine/compiled_rule_set.h"
#include "proto/service.grpc.pb.h"
#include "service/admin_auth.h"
#include "service/budget.h"
#include "service/call_log.h"
#include "service/rule_set_store.h"
#include "service/worker_pool.h"

namespace entente {

// The limits of the service; docs/SERVICE.md lists them with their flags.
struct ServiceOptions {
  // Most documents one ClassifyBatch may carry (RESOURCE_EXHAUSTED above).
  int max_batch_size = 1000;
  // Requests a stream may have read and not yet answered.
  int stream_window = 32;
  // Bytes a stream may hold: requests read and not yet answered, and
  // responses not yet written. One item may pass it (so that any item that
  // fits the request limit can be answered); then reading waits.
  int64_t stream_window_bytes = 8 << 20;
  // ClassifyStream calls open at once, in all (RESOURCE_EXHAUSTED above).
  int max_streams = 64;
  // Largest response (serialized); a larger one is replaced by
  // RESOURCE_EXHAUSTED. For a batch, the results of all its documents.
  int64_t max_response_bytes = 32 << 20;
  // Bytes that calls in progress may hold in all: their requests, and their
  // responses until sent (counted four times their serialized size: the
  // message in memory and its serialized copy). A call that would pass it
  // gets RESOURCE_EXHAUSTED; a stream item, an item error.
  int64_t max_inflight_bytes = 256 << 20;
  // Explanation caps; max_bytes is per call (a batch's documents share it).
  ExplanationLimits explain_limits;
  // ValidateRuleSet: largest rule-set text, validations running at once,
  // and the time one may take whatever the client's deadline.
  int64_t max_validate_bytes = 1 << 20;
  int max_concurrent_validations = 1;
  absl::Duration max_validate_time = absl::Seconds(10);
  // Compile options for ValidateRuleSet; its max_pattern_bytes is the
  // compile budget of one validation.
  CompileOptions compile = ValidationCompileOptions();

  // The default `compile`: the engine's defaults with a 1 MiB pattern
  // budget (about a second of RE2 compilation).
  static CompileOptions ValidationCompileOptions() {
    CompileOptions options;
    options.max_pattern_bytes = 1 << 20;
    return options;
  }
};

// Requests of at most this many bytes are small: they run in the worker
// pool's small lane, ahead of large work (see worker_pool.h).
constexpr int64_t kSmallRequestBytes = 64 << 10;

// Thread-safe, as gRPC requires. Does not own the store, pool, call log or
// authorizer; they must outlive the server the service is registered with.
class EntenteService final : public entente::v1::Entente::CallbackService {
 public:
  // `reload` performs an admin reload (normally RuleSetStore::Reload, or a
  // wrapper that also logs); it runs on a worker.
  EntenteService(RuleSetStore* store, WorkerPool* pool, CallLog* calls,
                 const AdminAuthorizer* admin, ServiceOptions options,
                 std::function<ReloadOutcome()> reload);

  // Waits for the validations in progress to end (they are bounded by
  // max_validate_time).
  ~EntenteService() override;

  // From now on new calls fail with UNAVAILABLE; calls in progress go on.
  void StartDraining() { draining_.store(true); }
  bool draining() const { return draining_.load(); }

  // What the limits' budgets hold now (for metrics and tests).
  const Budget& inflight_bytes() const { return inflight_bytes_; }
  const Budget& open_streams() const { return streams_; }
  const Budget& running_validations() const { return validations_; }

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
  class HeldUnaryReactor;

  // Runs `work` on a worker in `lane` (or refuses the call when draining or
  // when `request` does not fit the in-flight budget) and finishes the call
  // with the status it returns; an OK `response` over max_response_bytes or
  // the in-flight budget is replaced by RESOURCE_EXHAUSTED.
  grpc::ServerUnaryReactor* RunUnary(grpc::CallbackServerContext* context, absl::string_view method,
                                     const google::protobuf::Message& request,
                                     google::protobuf::Message* response, WorkerPool::Lane lane,
                                     std::function<grpc::Status(CallRecord*)> work);

  // RESOURCE_EXHAUSTED for a response of `bytes` over max_response_bytes,
  // counted as a refusal; `what` names the response.
  grpc::Status ResponseTooLarge(int64_t bytes, absl::string_view what, absl::string_view hint);
  // RESOURCE_EXHAUSTED when the in-flight budget cannot take `bytes` more.
  grpc::Status ServerBusy(int64_t bytes, absl::string_view what);

  grpc::Status Validate(grpc::CallbackServerContext* context, absl::Time budget_end,
                        const entente::v1::ValidateRuleSetRequest& request,
                        entente::v1::ValidateRuleSetResponse* response);

  RuleSetStore* const store_;
  WorkerPool* const pool_;
  CallLog* const calls_;
  const AdminAuthorizer* const admin_;
  const ServiceOptions options_;
  const std::function<ReloadOutcome()> reload_;
  std::atomic<bool> draining_{false};
  Budget inflight_bytes_;
  Budget streams_;
  Budget validations_;
  // Runs validations, apart from classification; one thread per validation
  // allowed at once.
  WorkerPool validation_pool_;
};

}  // namespace entente

#endif  // ENTENTE_SERVICE_ENTENTE_SERVICE_H_
