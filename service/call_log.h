// File: service/call_log.h
//
// What the server records about each call: one structured access-log line
// (method, status, items, sentences, latency, peer, rule set and version) at
// INFO (ERROR for INTERNAL and UNKNOWN), and the matching metrics. Every RPC
// handler reports through a CallLog when it finishes.
//
//   entente::CallLog calls(&logger, &metrics);
//   entente::CallRecord record = calls.Start("Classify", context->peer());
//   ... record.items = 1; record.rule_set = "default"; ...
//   calls.Finish(&record, grpc::Status::OK);
//   // 2026-11-28T05:00:00.123Z INFO access method=Classify code=OK items=1 ...

#ifndef ENTENTE_SERVICE_CALL_LOG_H_
#define ENTENTE_SERVICE_CALL_LOG_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/support/status.h"
#include "service/logger.h"
#include "service/metrics.h"

namespace entente {

// One call, filled in by its handler.
struct CallRecord {
  std::string method;
  std::string peer;
  absl::Time start;
  // Texts classified, and items refused (batch and stream).
  int64_t items = 0;
  int64_t item_errors = 0;
  int64_t sentences = 0;
  std::string rule_set;
  std::string version;
};

// Thread-safe. Does not own the logger or the metrics, which must outlive
// it.
class CallLog {
 public:
  CallLog(Logger* logger, Metrics* metrics);

  // Starts a record for a call of `method` from `peer`, and counts it in
  // flight.
  CallRecord Start(absl::string_view method, absl::string_view peer);

  // Counts one refused item of a batch or stream of `record`'s method.
  void ItemError(const CallRecord& record, grpc::StatusCode code);

  // Counts a call or item refused because `limit` (a flag's name, e.g.
  // "max_streams") was reached; the call's own Finish() logs it.
  void Refusal(absl::string_view limit);

  // Ends the call: writes the access-log line and updates the metrics.
  void Finish(const CallRecord& record, const grpc::Status& status);

  // Counts a call in flight from before its Start() until after its
  // Finish(), while gRPC still sends its response: a unary reactor holds
  // from its creation and releases in OnDone(). Not logged.
  void Hold();
  void Release();

  // Calls started and not yet finished, or whose response is still being
  // sent (the server drains until zero).
  int64_t in_flight() const { return in_flight_.load(); }

 private:
  Logger* const logger_;
  Metrics* const metrics_;
  std::atomic<int64_t> in_flight_{0};
};

}  // namespace entente

#endif  // ENTENTE_SERVICE_CALL_LOG_H_
