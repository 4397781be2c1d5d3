// entente_server: serves entente.v1.Entente over gRPC. See docs/SERVICE.md.
//
// Prints "listening on HOST:PORT" on stdout once it serves (after "metrics on
// HOST:PORT" when --metrics_address is set). SIGHUP reloads the rules
// directory; SIGTERM and SIGINT drain and stop it within --drain_deadline_ms,
// with exit status 0 (1 if something did not stop in time and the process
// had to end anyway). A configuration it cannot serve, or an address in
// use, stops it at start with status 2 and a message.

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "engine/rule_set_directory.h"
#include "service/server.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "gRPC listen address, host:port. Port 0 picks a free port (printed on stdout). "
          "Use 0.0.0.0:PORT or [::]:PORT to accept remote clients.");
ABSL_FLAG(std::string, rules, "",
          "Rules directory: one rule set per top-level *.textproto. Default: the bundled rules/.");
ABSL_FLAG(std::string, default_rule_set, "default", "Rule set used by requests that name none.");
ABSL_FLAG(int, poll_interval_ms, 1000,
          "How often to look for changed rule files, in ms; 0 disables polling (SIGHUP and "
          "ReloadRuleSets still reload).");
ABSL_FLAG(int, max_request_bytes, 4 << 20,
          "Largest request message accepted, in bytes; larger ones get RESOURCE_EXHAUSTED.");
ABSL_FLAG(int, max_batch_size, 1000,
          "Most documents in one ClassifyBatch; more get RESOURCE_EXHAUSTED.");
ABSL_FLAG(int, stream_window, 32,
          "Requests a ClassifyStream may have read ahead and not yet answered.");
ABSL_FLAG(int64_t, stream_window_bytes, 8 << 20,
          "Bytes a ClassifyStream may hold: requests read ahead and responses not yet written "
          "(one item may pass it).");
ABSL_FLAG(int, max_streams, 64, "ClassifyStream calls open at once; more get RESOURCE_EXHAUSTED.");
ABSL_FLAG(int, max_concurrent_streams_per_connection, 32,
          "Calls (HTTP/2 streams) one connection may have open at once; more wait in the client.");
ABSL_FLAG(int64_t, max_response_bytes, 32 << 20,
          "Largest response (a batch: all its results); a larger one is replaced by "
          "RESOURCE_EXHAUSTED.");
ABSL_FLAG(int64_t, max_inflight_bytes, 256 << 20,
          "Bytes of requests and responses all calls in progress may hold; a call that would "
          "pass it gets RESOURCE_EXHAUSTED.");
ABSL_FLAG(int64_t, max_explanation_bytes, 1 << 20,
          "Bytes of explanation one call may return (a batch's documents share them); the rest "
          "is left out and explanation.truncated says so.");
ABSL_FLAG(int64_t, max_validate_bytes, 1 << 20,
          "Largest rule set ValidateRuleSet accepts, in bytes.");
ABSL_FLAG(int, max_concurrent_validations, 1,
          "ValidateRuleSet calls running at once; more get RESOURCE_EXHAUSTED.");
ABSL_FLAG(int, max_validate_time_ms, 10000,
          "Time one ValidateRuleSet may take, whatever its deadline; then RESOURCE_EXHAUSTED.");
ABSL_FLAG(int64_t, validate_max_pattern_bytes, 1 << 20,
          "Compile budget of one ValidateRuleSet: RE2 pattern bytes the rule set may expand to.");
ABSL_FLAG(int64_t, rules_max_entries, 10000,
          "Entries (files, directories, links) the rules directory may hold; more and it is not "
          "read.");
ABSL_FLAG(bool, trust_rules_links, false,
          "Follow symbolic links that lead out of the rules directory (on for the bundled "
          "rules, which Bazel makes of links); off, such a link stops the directory loading.");
ABSL_FLAG(int, threads, 0, "Classification worker threads; 0 means one per core.");
ABSL_FLAG(int, drain_deadline_ms, 10000,
          "On SIGTERM/SIGINT the process exits within this time: calls in progress run until a "
          "second before it (half of it under 2 s), then are cancelled.");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM server certificate (chain); with --tls_key, turns TLS on.");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert.");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA bundle: require and verify client certificates (mutual TLS).");
ABSL_FLAG(std::string, admin_token, "",
          "Token admin calls (ReloadRuleSets) must send as \"authorization: Bearer <token>\". "
          "Visible in ps: prefer --admin_token_file.");
ABSL_FLAG(std::string, admin_token_file, "", "File holding the admin token (one line).");
ABSL_FLAG(std::string, metrics_address, "",
          "host:port to serve Prometheus metrics on (/metrics); empty disables. An empty host "
          "is loopback; port 0 picks one.");
ABSL_FLAG(int, metrics_max_connections, 16,
          "Connections the metrics endpoint serves at once; more get 503 at once.");
ABSL_FLAG(int, metrics_io_timeout_ms, 5000,
          "Time a metrics connection has to send its request, and to read the answer.");
ABSL_FLAG(std::string, log_level, "info",
          "Lowest level logged on stderr: debug, info (access log and reloads), warning, error, "
          "off.");

namespace {

int Fail(const std::string& message) {
  std::cerr << "entente_server: " << message << "\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  // Signals are taken by sigwait() below, never by a handler: block them
  // before any thread starts so every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A client that goes away must not kill the metrics endpoint's writes.
  signal(SIGPIPE, SIG_IGN);

  // Abseil's lock-order graph (on in Debian's build) costs a few percent of
  // every call; the tests keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  absl::SetProgramUsageMessage(
      "Serves entente.v1.Entente over gRPC.\n  entente_server --listen=127.0.0.1:50051 "
      "--rules=rules");
  absl::ParseCommandLine(argc, argv);

  entente::ServerConfig config;
  config.listen = absl::GetFlag(FLAGS_listen);
  config.rules_directory = absl::GetFlag(FLAGS_rules);
  config.rules_policy.links_may_leave = absl::GetFlag(FLAGS_trust_rules_links);
  if (config.rules_directory.empty()) {
    config.rules_directory = entente::DefaultRulesDirectory(argv[0]);
    // The bundled rules come with the binary; in Bazel's runfiles they are
    // links to the source tree.
    config.rules_policy.links_may_leave = true;
  }
  config.default_rule_set = absl::GetFlag(FLAGS_default_rule_set);
  config.poll_interval = absl::Milliseconds(absl::GetFlag(FLAGS_poll_interval_ms));
  config.max_request_bytes = absl::GetFlag(FLAGS_max_request_bytes);
  entente::ServiceOptions& limits = config.limits;
  limits.max_batch_size = absl::GetFlag(FLAGS_max_batch_size);
  limits.stream_window = absl::GetFlag(FLAGS_stream_window);
  limits.stream_window_bytes = absl::GetFlag(FLAGS_stream_window_bytes);
  limits.max_streams = absl::GetFlag(FLAGS_max_streams);
  limits.max_response_bytes = absl::GetFlag(FLAGS_max_response_bytes);
  limits.max_inflight_bytes = absl::GetFlag(FLAGS_max_inflight_bytes);
  limits.explain_limits.max_bytes = absl::GetFlag(FLAGS_max_explanation_bytes);
  limits.max_validate_bytes = absl::GetFlag(FLAGS_max_validate_bytes);
  limits.max_concurrent_validations = absl::GetFlag(FLAGS_max_concurrent_validations);
  limits.max_validate_time = absl::Milliseconds(absl::GetFlag(FLAGS_max_validate_time_ms));
  limits.compile.max_pattern_bytes = absl::GetFlag(FLAGS_validate_max_pattern_bytes);
  config.max_concurrent_streams_per_connection =
      absl::GetFlag(FLAGS_max_concurrent_streams_per_connection);
  config.rules_policy.max_entries = absl::GetFlag(FLAGS_rules_max_entries);
  config.threads = absl::GetFlag(FLAGS_threads);
  config.drain_deadline = absl::Milliseconds(absl::GetFlag(FLAGS_drain_deadline_ms));
  config.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
  config.tls_key_file = absl::GetFlag(FLAGS_tls_key);
  config.tls_client_ca_file = absl::GetFlag(FLAGS_tls_client_ca);
  config.admin_token = absl::GetFlag(FLAGS_admin_token);
  if (const std::string path = absl::GetFlag(FLAGS_admin_token_file); !path.empty()) {
    if (!config.admin_token.empty()) {
      return Fail("give --admin_token or --admin_token_file, not both");
    }
    std::ifstream in(path);
    if (!in) return Fail(absl::StrCat("cannot read --admin_token_file ", path));
    std::stringstream contents;
    contents << in.rdbuf();
    config.admin_token = std::string(absl::StripAsciiWhitespace(contents.str()));
    if (config.admin_token.empty()) return Fail(absl::StrCat(path, " holds no token"));
  }
  config.metrics_address = absl::GetFlag(FLAGS_metrics_address);
  config.metrics_http.max_connections = absl::GetFlag(FLAGS_metrics_max_connections);
  config.metrics_http.io_timeout = absl::Milliseconds(absl::GetFlag(FLAGS_metrics_io_timeout_ms));
  absl::StatusOr<entente::LogLevel> level = entente::ParseLogLevel(absl::GetFlag(FLAGS_log_level));
  if (!level.ok()) return Fail(std::string(level.status().message()));
  config.log_level = *level;

  // Never destroyed, like what the signal thread shares with main: the
  // thread may use them until the process ends. (Static, so that leak
  // checkers see them reachable.)
  static entente::EntenteServer* const server = new entente::EntenteServer(config);
  struct Shared {
    sigset_t signals;
    absl::Duration drain_deadline;
    std::atomic<bool> serving{false};
    absl::Notification stop_requested;
    absl::Notification stopped;
    absl::Time signalled;  // written before stop_requested is notified
  };
  static Shared* const shared = new Shared;
  shared->signals = signals;
  shared->drain_deadline = config.drain_deadline;

  // SIGHUP reloads; SIGTERM and SIGINT ask main to drain, and start the
  // watchdog that ends the process at the drain deadline whatever the
  // server is doing then (still starting, a reload that does not finish, a
  // call that does not stop).
  std::thread([] {
    while (true) {
      int signal_number = 0;
      if (sigwait(&shared->signals, &signal_number) != 0) continue;
      if (signal_number == SIGHUP) {
        server->logger()->Log(entente::LogLevel::kInfo, "signal", {{"signal", "SIGHUP"}});
        if (shared->serving.load()) server->TriggerReload();
        continue;
      }
      server->logger()->Log(entente::LogLevel::kInfo, "signal",
                            {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
      if (shared->stop_requested.HasBeenNotified()) continue;
      shared->signalled = absl::Now();
      shared->stop_requested.Notify();
      if (!shared->stopped.WaitForNotificationWithTimeout(shared->drain_deadline)) {
        server->logger()->Log(
            entente::LogLevel::kError, "forced_exit",
            {{"stage", server->stage()},
             {"note", "the drain deadline passed before the server stopped; exiting anyway"}});
        std::fflush(stdout);
        std::_Exit(1);
      }
      return;
    }
  }).detach();

  absl::Status started = server->Start();
  if (!started.ok()) {
    server->Shutdown();
    shared->stopped.Notify();
    return Fail(std::string(started.message()));
  }
  if (!server->metrics_address().empty()) {
    std::cout << "metrics on " << server->metrics_address() << "\n";
  }
  std::cout << "listening on " << server->address() << std::endl;
  shared->serving.store(true);

  shared->stop_requested.WaitForNotification();
  server->Shutdown(shared->signalled);
  shared->stopped.Notify();
  return 0;
}
