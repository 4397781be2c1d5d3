#include "service/server.h"

#include <algorithm>
#include <climits>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "service/library_logs.h"
#include "service/parse_failure_interceptor.h"

namespace entente {
namespace {

constexpr char kServiceName[] = "entente.v1.Entente";
// Diagnostics of a failed reload written to the log, at most.
constexpr int kMaxLoggedDiagnostics = 20;

absl::StatusOr<std::string> ReadFile(const std::string& path, absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read ", what, " ", path));
  std::ostringstream contents;
  // A directory opens but fails to read: the stream, not the open, says so.
  if (!(contents << in.rdbuf()) || in.bad()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read ", what, " ", path));
  }
  return contents.str();
}

// Reads a PEM file that must hold a block whose label contains `label`
// ("CERTIFICATE", "PRIVATE KEY"). gRPC only says "cannot listen" about
// files it cannot parse; this names the file.
absl::StatusOr<std::string> ReadPemFile(const std::string& path, absl::string_view what,
                                        absl::string_view label) {
  absl::StatusOr<std::string> contents = ReadFile(path, what);
  if (!contents.ok()) return contents.status();
  const std::string marker = "-----BEGIN ";
  const size_t begin = contents->find(marker);
  const size_t end = begin == std::string::npos ? std::string::npos
                                                : contents->find("-----", begin + marker.size());
  if (end == std::string::npos || !absl::StrContains(contents->substr(begin, end - begin), label)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", path, " is not PEM (no \"-----BEGIN ...", label, "-----\" line)"));
  }
  return contents;
}

// The listen address with its port replaced by the bound one.
std::string BoundAddress(const std::string& listen, int port) {
  if (absl::StartsWith(listen, "unix")) return listen;
  const size_t colon = listen.rfind(':');
  const std::string host = colon == std::string::npos ? listen : listen.substr(0, colon);
  return absl::StrCat(host, ":", port);
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(const ServerConfig& config) {
  if (config.tls_cert_file.empty() && config.tls_key_file.empty()) {
    if (!config.tls_client_ca_file.empty()) {
      return absl::InvalidArgumentError("--tls_client_ca needs --tls_cert and --tls_key");
    }
    return grpc::InsecureServerCredentials();
  }
  if (config.tls_cert_file.empty() || config.tls_key_file.empty()) {
    return absl::InvalidArgumentError("TLS needs both --tls_cert and --tls_key");
  }
  absl::StatusOr<std::string> cert =
      ReadPemFile(config.tls_cert_file, "TLS certificate", "CERTIFICATE");
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadPemFile(config.tls_key_file, "TLS key", "PRIVATE KEY");
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions options;
  options.pem_key_cert_pairs.push_back({*key, *cert});
  if (!config.tls_client_ca_file.empty()) {
    absl::StatusOr<std::string> ca =
        ReadPemFile(config.tls_client_ca_file, "client CA", "CERTIFICATE");
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *ca;
    options.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

RuleSetStore::Options StoreOptions(const ServerConfig& config) {
  RuleSetStore::Options options;
  options.default_rule_set = config.default_rule_set;
  options.directory = config.rules_policy;
  return options;
}

// Why `config`'s limits cannot work, or OK.
absl::Status CheckLimits(const ServerConfig& config) {
  const ServiceOptions& l = config.limits;
  const std::pair<const char*, int64_t> positive[] = {
      {"--max_request_bytes", config.max_request_bytes},
      {"--max_batch_size", l.max_batch_size},
      {"--stream_window", l.stream_window},
      {"--stream_window_bytes", l.stream_window_bytes},
      {"--max_streams", l.max_streams},
      {"--max_concurrent_streams_per_connection", config.max_concurrent_streams_per_connection},
      {"--max_response_bytes", l.max_response_bytes},
      {"--max_inflight_bytes", l.max_inflight_bytes},
      {"--max_validate_bytes", l.max_validate_bytes},
      {"--max_concurrent_validations", l.max_concurrent_validations},
      {"--validate_max_pattern_bytes", l.compile.max_pattern_bytes},
      {"--rules_max_entries", config.rules_policy.max_entries},
      {"--metrics_max_connections", config.metrics_http.max_connections},
  };
  for (const auto& [flag, value] : positive) {
    if (value <= 0) return absl::InvalidArgumentError(absl::StrCat(flag, " must be positive"));
  }
  if (l.max_response_bytes > INT_MAX) {
    return absl::InvalidArgumentError(
        absl::StrCat("--max_response_bytes must be at most ", INT_MAX, " (gRPC's limit)"));
  }
  if (l.explain_limits.max_bytes < 0) {
    return absl::InvalidArgumentError("--max_explanation_bytes must not be negative");
  }
  if (l.max_validate_time <= absl::ZeroDuration() ||
      config.metrics_http.io_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--max_validate_time_ms and --metrics_io_timeout_ms must be positive");
  }
  return absl::OkStatus();
}

bool UsesTls(const ServerConfig& config) { return !config.tls_cert_file.empty(); }

}  // namespace

EntenteServer::EntenteServer(ServerConfig config)
    : config_(std::move(config)),
      logger_(config_.log_level),
      calls_(&logger_, &metrics_),
      store_(config_.rules_directory, StoreOptions(config_)),
      metrics_http_(&metrics_, config_.metrics_http) {}

absl::Time DrainCallsUntil(absl::Time signalled, absl::Duration drain_deadline) {
  const absl::Duration margin = std::min(absl::Seconds(1), drain_deadline / 2);
  return signalled + drain_deadline - margin;
}

EntenteServer::~EntenteServer() { Shutdown(); }

void EntenteServer::OnReload(const ReloadOutcome& outcome) {
  std::vector<std::pair<std::string, std::string>> serving;
  std::vector<std::string> described;
  for (const auto& rule_set : store_.List()) {
    serving.emplace_back(rule_set->name, rule_set->version);
    described.push_back(absl::StrCat(rule_set->name, "@", rule_set->version));
  }
  metrics_.RecordReload(outcome.ok, outcome.finished_at, serving);
  metrics_.SetRulesDirectoryOk(outcome.directory_status.ok());
  Logger::Fields fields = {
      {"outcome", outcome.ok ? "ok" : "failed"},
      {"generation", absl::StrCat(outcome.generation)},
      {"serving", absl::StrJoin(described, ",")},
  };
  if (!outcome.added.empty()) fields.emplace_back("added", absl::StrJoin(outcome.added, ","));
  if (!outcome.updated.empty()) {
    fields.emplace_back("updated", absl::StrJoin(outcome.updated, ","));
  }
  if (!outcome.removed.empty()) {
    fields.emplace_back("removed", absl::StrJoin(outcome.removed, ","));
  }
  if (!outcome.kept.empty()) {
    fields.emplace_back("kept_last_good", absl::StrJoin(outcome.kept, ","));
  }
  if (!outcome.directory_status.ok()) {
    fields.emplace_back("error", std::string(outcome.directory_status.message()));
  }
  for (const auto& [file, message] : outcome.failures) {
    fields.emplace_back("failed_file", file);
    fields.emplace_back("why", message);
  }
  logger_.Log(outcome.ok ? LogLevel::kInfo : LogLevel::kWarning, "reload", fields);
  int logged = 0;
  for (const Diagnostic& d : outcome.diagnostics) {
    if (d.severity != Diagnostic::Severity::kError) continue;
    if (++logged > kMaxLoggedDiagnostics) break;
    logger_.Log(LogLevel::kWarning, "rule_error", {{"diagnostic", d.ToString()}});
  }
  absl::MutexLock lock(&health_mu_);
  UpdateHealth();
}

void EntenteServer::UpdateHealth() {
  const bool serving = !draining_ && store_.HasRuleSets();
  metrics_.SetServing(serving);
  if (health_ == nullptr) return;
  health_->SetServingStatus(serving);
  health_->SetServingStatus(kServiceName, serving);
}

absl::Status EntenteServer::Start() {
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials = Credentials(config_);
  if (!credentials.ok()) return credentials.status();
  if (absl::Status limits = CheckLimits(config_); !limits.ok()) return limits;
  stage_.store("starting");
  RouteLibraryLogs(&logger_);

  const bool loopback = IsLoopbackListenAddress(config_.listen);
  admin_ = std::make_unique<AdminAuthorizer>(config_.admin_token, loopback, UsesTls(config_));
  if (!loopback && !UsesTls(config_)) {
    logger_.Log(LogLevel::kWarning, "insecure_listener",
                {{"listen", config_.listen},
                 {"note", "non-loopback listener without TLS: admin calls are refused"}});
  }

  store_.SetReloadListener([this](const ReloadOutcome& outcome) { OnReload(outcome); });
  store_.Reload();
  if (store_.HasRuleSets()) {
    absl::StatusOr<std::shared_ptr<const ServingRuleSet>> default_rules = store_.Find("");
    if (!default_rules.ok()) {
      if (store_.LastReload().failures.empty()) {
        // Every file loaded, and none is the default: a typo, which would
        // otherwise look healthy and answer NOT_FOUND to every request.
        return absl::NotFoundError(absl::StrCat("--default_rule_set=", config_.default_rule_set,
                                                ": ", default_rules.status().message()));
      }
      logger_.Log(LogLevel::kError, "default_rule_set_missing",
                  {{"default_rule_set", config_.default_rule_set},
                   {"note",
                    "not loaded; a rule file failed (see the reload line): requests "
                    "that name no rule set get NOT_FOUND until it loads"}});
    }
  }

  pool_ = std::make_unique<WorkerPool>(WorkerCount(config_.threads), /*small_lane_threads=*/1);
  service_ = std::make_unique<EntenteService>(&store_, pool_.get(), &calls_, admin_.get(),
                                              config_.limits, [this] { return store_.Reload(); });
  EntenteService* service = service_.get();
  WorkerPool* pool = pool_.get();
  metrics_.AddGauge("entente_inflight_bytes",
                    "Bytes of requests and responses held by calls in progress "
                    "(--max_inflight_bytes bounds it).",
                    [service] { return service->inflight_bytes().used(); });
  metrics_.AddGauge("entente_streams_open", "ClassifyStream calls open (--max_streams).",
                    [service] { return service->open_streams().used(); });
  metrics_.AddGauge("entente_validations_running",
                    "ValidateRuleSet calls running (--max_concurrent_validations).",
                    [service] { return service->running_validations().used(); });
  metrics_.AddGauge("entente_worker_queue_length", "Tasks waiting for a worker.",
                    [pool] { return static_cast<double>(pool->QueueLength()); });

  if (!config_.metrics_address.empty()) {
    absl::StatusOr<std::string> bound = metrics_http_.Start(config_.metrics_address);
    if (!bound.ok()) return bound.status();
    metrics_address_ = *bound;
    if (!IsLoopbackListenAddress(metrics_address_)) {
      logger_.Log(LogLevel::kWarning, "insecure_metrics_listener",
                  {{"metrics", metrics_address_},
                   {"note",
                    "non-loopback metrics address: anyone who can reach it reads the "
                    "metrics (rule sets, versions, traffic)"}});
    }
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(config_.listen, *credentials, &port);
  builder.RegisterService(service_.get());
  builder.SetMaxReceiveMessageSize(config_.max_request_bytes);
  // The service checks response sizes itself, with a better message; this
  // is the backstop for anything else it sends.
  builder.SetMaxSendMessageSize(static_cast<int>(config_.limits.max_response_bytes));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                             config_.max_concurrent_streams_per_connection);
  // gRPC sets SO_REUSEPORT by default: a second server on the same address
  // would also "listen", and the kernel would split connections between
  // the two. The address must be ours alone.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<ParseFailureInterceptorFactory>(&calls_));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port == 0) {
    server_.reset();
    if (UsesTls(config_)) {
      // The files are PEM (checked above), so gRPC most likely refused
      // their contents; its own log line above says why.
      return absl::InvalidArgumentError(absl::StrCat(
          "cannot listen on ", config_.listen,
          " with TLS: gRPC refused --tls_cert, --tls_key or --tls_client_ca (a key that does "
          "not match the certificate, or a PEM block it cannot parse), or the address is "
          "taken"));
    }
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", config_.listen,
                     ": the address is in use (another server?) or cannot be bound here"));
  }
  address_ = BoundAddress(config_.listen, port);
  started_ = true;
  {
    absl::MutexLock lock(&health_mu_);
    health_ = server_->GetHealthCheckService();
    UpdateHealth();
  }

  watcher_ = std::make_unique<RulesWatcher>(config_.rules_directory, config_.rules_policy,
                                            config_.poll_interval, [this] { store_.Reload(); });
  watcher_->Start();
  stage_.store("serving");

  std::vector<std::string> described;
  for (const auto& rule_set : store_.List()) {
    described.push_back(absl::StrCat(rule_set->name, "@", rule_set->version));
  }
  logger_.Log(
      LogLevel::kInfo, "start",
      {{"address", address_},
       {"rules", config_.rules_directory},
       {"rules_links", config_.rules_policy.links_may_leave ? "trusted" : "inside_only"},
       {"rule_sets", absl::StrJoin(described, ",")},
       {"threads", absl::StrCat(pool_->size())},
       {"tls", UsesTls(config_) ? (config_.tls_client_ca_file.empty() ? "on" : "mutual") : "off"},
       {"admin", admin_->AdminDisabled()       ? "disabled"
                 : config_.admin_token.empty() ? "loopback"
                                               : "token"},
       {"poll_interval_ms", absl::StrCat(absl::ToInt64Milliseconds(config_.poll_interval))},
       {"metrics", metrics_address_}});
  if (!store_.HasRuleSets()) {
    logger_.Log(LogLevel::kError, "no_rule_sets",
                {{"rules", config_.rules_directory},
                 {"note", "serving NOT_SERVING until a rule set loads"}});
  }
  return absl::OkStatus();
}

void EntenteServer::TriggerReload() {
  if (watcher_ != nullptr) watcher_->Trigger();
}

void EntenteServer::Shutdown(absl::Time signalled) {
  if (stopped_) return;
  stopped_ = true;
  if (!started_) {
    metrics_http_.Stop();
    RouteLibraryLogs(nullptr);
    return;
  }
  logger_.Log(LogLevel::kInfo, "drain",
              {{"deadline_ms", absl::StrCat(absl::ToInt64Milliseconds(config_.drain_deadline))}});
  {
    absl::MutexLock lock(&health_mu_);
    draining_ = true;
    UpdateHealth();
  }
  service_->StartDraining();
  watcher_->RequestStop();
  stage_.store("draining calls");
  // Wait for entente calls only: health Watch streams (load balancers keep
  // them open) would otherwise hold every drain for the whole deadline.
  // While waiting, the port stays open so that health checks see
  // NOT_SERVING and new calls get UNAVAILABLE rather than a refused
  // connection.
  const absl::Time start = absl::Now();
  const absl::Time deadline = DrainCallsUntil(signalled, config_.drain_deadline);
  while (calls_.in_flight() > 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  const int64_t cancelled = calls_.in_flight();
  // Cancels what is left (watches, calls past the deadline) and waits for
  // their handlers to finish.
  stage_.store("cancelling the calls left");
  server_->Shutdown(absl::ToChronoTime(absl::Now()));
  server_->Wait();
  stage_.store("stopping the rules watcher (a reload in progress)");
  watcher_->Stop();
  stage_.store("stopping");
  {
    absl::MutexLock lock(&health_mu_);
    health_ = nullptr;
  }
  pool_.reset();  // runs what is left (nothing: every call has finished)
  metrics_http_.Stop();
  logger_.Log(LogLevel::kInfo, "stopped",
              {{"drain_ms", absl::StrCat(absl::ToInt64Milliseconds(absl::Now() - start))},
               {"cancelled_calls", absl::StrCat(cancelled)}});
  RouteLibraryLogs(nullptr);
  stage_.store("stopped");
}

}  // namespace entente
