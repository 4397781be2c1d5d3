// File: service/server.h
//
// The entente server: the gRPC service (with health checking and
// reflection), the rule-set store and its watcher, the worker pool, the
// access log and the optional Prometheus endpoint, wired together and
// started and stopped in the right order. service/main.cc turns flags into a
// ServerConfig and signals into TriggerReload() and Shutdown().
//
// Health (grpc.health.v1, for "" and "entente.v1.Entente") is SERVING while
// at least one rule set is loaded and the server is not draining. The server
// starts even when no rule set loads, NOT_SERVING, answering
// FAILED_PRECONDITION, and serves as soon as a fixed rule file appears.
//
//   entente::ServerConfig config;
//   config.listen = "127.0.0.1:0";
//   config.rules_directory = "rules";
//   entente::EntenteServer server(config);
//   absl::Status started = server.Start();
//   std::cout << "listening on " << server.address() << "\n";
//   ...
//   server.Shutdown();  // NOT_SERVING, refuse new calls, drain, stop

#ifndef ENTENTE_SERVICE_SERVER_H_
#define ENTENTE_SERVICE_SERVER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/server.h"
#include "service/admin_auth.h"
#include "service/call_log.h"
#include "service/entente_service.h"
#include "service/logger.h"
#include "service/metrics.h"
#include "service/metrics_http_server.h"
#include "service/rule_set_store.h"
#include "service/rules_directory.h"
#include "service/rules_watcher.h"
#include "service/worker_pool.h"

namespace entente {

// The server's configuration; docs/SERVICE.md lists every field with its
// flag. The limits of single calls are in `limits`.
struct ServerConfig {
  // gRPC listen address; port 0 picks a free port.
  std::string listen = "127.0.0.1:50051";
  std::string rules_directory = "rules";
  // What the rules directory may hold (entries, links that leave it).
  RulesDirectoryPolicy rules_policy;
  std::string default_rule_set = "default";
  // How often to look for changed rule files; zero disables polling.
  absl::Duration poll_interval = absl::Seconds(1);
  // Largest request message accepted (RESOURCE_EXHAUSTED above).
  int max_request_bytes = 4 << 20;
  // Limits of calls: batch size, stream windows, response and in-flight
  // bytes, explanations, validations.
  ServiceOptions limits;
  // HTTP/2 streams (calls) one connection may have open at once; more wait
  // in the client.
  int max_concurrent_streams_per_connection = 32;
  // Classification workers; 0 means one per core. One more worker serves
  // small requests only (see worker_pool.h).
  int threads = 0;
  // SIGTERM ends the process within this time: calls in progress run until
  // DrainCallsUntil() of it, then are cancelled.
  absl::Duration drain_deadline = absl::Seconds(10);
  // PEM files. A certificate and key turn TLS on; a client CA also
  // requires and verifies client certificates (mutual TLS).
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
  // Empty: admin calls allowed on loopback only (see admin_auth.h).
  std::string admin_token;
  // "host:port" for /metrics; empty disables it; an empty host is
  // loopback.
  std::string metrics_address;
  MetricsHttpOptions metrics_http;
  LogLevel log_level = LogLevel::kInfo;
};

// When, after SIGTERM at `signalled`, a drain of `drain_deadline` stops
// waiting for calls and cancels them: a second before the deadline (half
// of it for deadlines under 2 s), so that stopping fits in it.
absl::Time DrainCallsUntil(absl::Time signalled, absl::Duration drain_deadline);

// Start() and Shutdown() must be called from one thread (main's);
// TriggerReload() from any thread. Not copyable.
class EntenteServer {
 public:
  explicit EntenteServer(ServerConfig config);

  // Shuts down if still running.
  ~EntenteServer();

  EntenteServer(const EntenteServer&) = delete;
  EntenteServer& operator=(const EntenteServer&) = delete;

  // Loads the rule sets, then starts the metrics endpoint, the gRPC server
  // and the watcher. Returns InvalidArgument for a bad configuration (TLS
  // files that cannot be read, are not PEM, or that gRPC refuses),
  // NotFound when rule sets load but none is the default (a typo in
  // --default_rule_set), Unavailable when an address cannot be bound (in
  // use by another process: the listener is exclusive, no SO_REUSEPORT). A
  // rules directory that does not load is not an error (see above).
  // Routes the protobuf and gRPC libraries' log lines through logger().
  absl::Status Start();

  // The bound gRPC address ("127.0.0.1:41234"), after Start().
  const std::string& address() const { return address_; }
  // The bound metrics address, or empty.
  const std::string& metrics_address() const { return metrics_address_; }

  // Reloads the rules directory soon, on the watcher's thread (SIGHUP).
  void TriggerReload();

  // Drains and stops: health NOT_SERVING, new calls UNAVAILABLE, calls in
  // progress run until DrainCallsUntil(`signalled`, drain deadline), then
  // everything stops. A reload in progress is waited for: main.cc bounds
  // the whole by the drain deadline. Idempotent.
  void Shutdown(absl::Time signalled = absl::Now());

  Logger* logger() { return &logger_; }

  // What the server is doing, in words ("starting", "serving", "draining
  // calls", "stopping the rules watcher", ...): what a forced exit names.
  // Thread-safe.
  const char* stage() const { return stage_.load(); }

 private:
  void OnReload(const ReloadOutcome& outcome);
  void UpdateHealth() ABSL_EXCLUSIVE_LOCKS_REQUIRED(health_mu_);

  const ServerConfig config_;
  Logger logger_;
  Metrics metrics_;
  CallLog calls_;
  RuleSetStore store_;
  std::unique_ptr<AdminAuthorizer> admin_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<EntenteService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<RulesWatcher> watcher_;
  MetricsHttpServer metrics_http_;
  std::string address_;
  std::string metrics_address_;
  bool started_ = false;
  bool stopped_ = false;
  std::atomic<const char*> stage_{"not started"};

  absl::Mutex health_mu_;
  grpc::HealthCheckServiceInterface* health_ ABSL_GUARDED_BY(health_mu_) = nullptr;
  bool draining_ ABSL_GUARDED_BY(health_mu_) = false;
};

}  // namespace entente

#endif  // ENTENTE_SERVICE_SERVER_H_
