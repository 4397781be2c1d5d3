// entente_server: serves entente.v1.Entente over gRPC. See docs/SERVICE.md.
//
// Prints "listening on HOST:PORT" on stdout once it serves (after "metrics on
// HOST:PORT" when --metrics_address is set). SIGHUP reloads the rules
// directory; SIGTERM and SIGINT drain and stop it, with exit status 0.

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "engine/rule_set_directory.h"
#include "service/server.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "gRPC listen address, host:port. Port 0 picks a free port (printed on stdout). "
          "Use 0.0.0.0:PORT or [::]:PORT to accept remote clients.");
ABSL_FLAG(std::string, rules, "",
          "Rules directory: one rule set per top-level *.textproto. Default: the bundled rules/.");
ABSL_FLAG(std::string, default_rule_set, "default",
          "Rule set used by requests that name none.");
ABSL_FLAG(int, poll_interval_ms, 1000,
          "How often to look for changed rule files, in ms; 0 disables polling (SIGHUP and "
          "ReloadRuleSets still reload).");
ABSL_FLAG(int, max_request_bytes, 4 << 20,
          "Largest request message accepted, in bytes; larger ones get RESOURCE_EXHAUSTED.");
ABSL_FLAG(int, max_batch_size, 1000,
          "Most documents in one ClassifyBatch; more get RESOURCE_EXHAUSTED.");
ABSL_FLAG(int, stream_window, 32,
          "Requests a ClassifyStream may have read ahead and not yet answered.");
ABSL_FLAG(int, threads, 0, "Classification worker threads; 0 means one per core.");
ABSL_FLAG(int, drain_deadline_ms, 10000,
          "On SIGTERM/SIGINT, how long calls in progress may run before they are cancelled.");
ABSL_FLAG(std::string, tls_cert, "", "PEM server certificate (chain); with --tls_key, turns TLS on.");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert.");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA bundle: require and verify client certificates (mutual TLS).");
ABSL_FLAG(std::string, admin_token, "",
          "Token admin calls (ReloadRuleSets) must send as \"authorization: Bearer <token>\". "
          "Visible in ps: prefer --admin_token_file.");
ABSL_FLAG(std::string, admin_token_file, "", "File holding the admin token (one line).");
ABSL_FLAG(std::string, metrics_address, "",
          "host:port to serve Prometheus metrics on (/metrics); empty disables. Port 0 picks one.");
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
  if (config.rules_directory.empty()) {
    config.rules_directory = entente::DefaultRulesDirectory(argv[0]);
  }
  config.default_rule_set = absl::GetFlag(FLAGS_default_rule_set);
  config.poll_interval = absl::Milliseconds(absl::GetFlag(FLAGS_poll_interval_ms));
  config.max_request_bytes = absl::GetFlag(FLAGS_max_request_bytes);
  config.max_batch_size = absl::GetFlag(FLAGS_max_batch_size);
  config.stream_window = absl::GetFlag(FLAGS_stream_window);
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
  absl::StatusOr<entente::LogLevel> level = entente::ParseLogLevel(absl::GetFlag(FLAGS_log_level));
  if (!level.ok()) return Fail(std::string(level.status().message()));
  config.log_level = *level;

  entente::EntenteServer server(config);
  absl::Status started = server.Start();
  if (!started.ok()) return Fail(std::string(started.message()));
  if (!server.metrics_address().empty()) {
    std::cout << "metrics on " << server.metrics_address() << "\n";
  }
  std::cout << "listening on " << server.address() << std::endl;

  while (true) {
    int signal_number = 0;
    if (sigwait(&signals, &signal_number) != 0) continue;
    if (signal_number == SIGHUP) {
      server.logger()->Log(entente::LogLevel::kInfo, "signal", {{"signal", "SIGHUP"}});
      server.TriggerReload();
      continue;
    }
    server.logger()->Log(entente::LogLevel::kInfo, "signal",
                         {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
    break;
  }
  server.Shutdown();
  return 0;
}
