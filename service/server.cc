#include "service/server.h"

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
    options.client_certificate_request =
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

RuleSetStore::Options StoreOptions(const ServerConfig& config) {
  RuleSetStore::Options options;
  options.default_rule_set = config.default_rule_set;
  return options;
}

bool UsesTls(const ServerConfig& config) { return !config.tls_cert_file.empty(); }

}  // namespace

EntenteServer::EntenteServer(ServerConfig config)
    : config_(std::move(config)),
      logger_(config_.log_level),
      calls_(&logger_, &metrics_),
      store_(config_.rules_directory, StoreOptions(config_)),
      metrics_http_(&metrics_) {}

EntenteServer::~EntenteServer() { Shutdown(); }

void EntenteServer::OnReload(const ReloadOutcome& outcome) {
  std::vector<std::pair<std::string, std::string>> serving;
  std::vector<std::string> described;
  for (const auto& rule_set : store_.List()) {
    serving.emplace_back(rule_set->name, rule_set->version);
    described.push_back(absl::StrCat(rule_set->name, "@", rule_set->version));
  }
  metrics_.RecordReload(outcome.ok, outcome.finished_at, serving);
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
  if (config_.max_request_bytes <= 0 || config_.max_batch_size <= 0) {
    return absl::InvalidArgumentError("--max_request_bytes and --max_batch_size must be positive");
  }

  const bool loopback = IsLoopbackListenAddress(config_.listen);
  admin_ = std::make_unique<AdminAuthorizer>(config_.admin_token, loopback, UsesTls(config_));
  if (!loopback && !UsesTls(config_)) {
    logger_.Log(LogLevel::kWarning, "insecure_listener",
                {{"listen", config_.listen},
                 {"note", "non-loopback listener without TLS: admin calls are refused"}});
  }

  store_.SetReloadListener([this](const ReloadOutcome& outcome) { OnReload(outcome); });
  store_.Reload();

  pool_ = std::make_unique<WorkerPool>(WorkerCount(config_.threads));
  ServiceOptions service_options;
  service_options.max_batch_size = config_.max_batch_size;
  service_options.stream_window = config_.stream_window;
  service_ = std::make_unique<EntenteService>(&store_, pool_.get(), &calls_, admin_.get(),
                                              service_options, [this] { return store_.Reload(); });

  if (!config_.metrics_address.empty()) {
    absl::StatusOr<std::string> bound = metrics_http_.Start(config_.metrics_address);
    if (!bound.ok()) return bound.status();
    metrics_address_ = *bound;
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(config_.listen, *credentials, &port);
  builder.RegisterService(service_.get());
  builder.SetMaxReceiveMessageSize(config_.max_request_bytes);
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
    return absl::UnavailableError(absl::StrCat("cannot listen on ", config_.listen));
  }
  address_ = BoundAddress(config_.listen, port);
  started_ = true;
  {
    absl::MutexLock lock(&health_mu_);
    health_ = server_->GetHealthCheckService();
    UpdateHealth();
  }

  watcher_ = std::make_unique<RulesWatcher>(config_.rules_directory, config_.poll_interval,
                                            [this] { store_.Reload(); });
  watcher_->Start();

  std::vector<std::string> described;
  for (const auto& rule_set : store_.List()) {
    described.push_back(absl::StrCat(rule_set->name, "@", rule_set->version));
  }
  logger_.Log(LogLevel::kInfo, "start",
              {{"address", address_},
               {"rules", config_.rules_directory},
               {"rule_sets", absl::StrJoin(described, ",")},
               {"threads", absl::StrCat(pool_->size())},
               {"tls", UsesTls(config_) ? (config_.tls_client_ca_file.empty() ? "on" : "mutual")
                                        : "off"},
               {"admin", admin_->AdminDisabled() ? "disabled"
                         : config_.admin_token.empty() ? "loopback" : "token"},
               {"poll_interval_ms",
                absl::StrCat(absl::ToInt64Milliseconds(config_.poll_interval))},
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

void EntenteServer::Shutdown() {
  if (stopped_) return;
  stopped_ = true;
  if (!started_) {
    metrics_http_.Stop();
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
  watcher_->Stop();
  // Wait for entente calls only: health Watch streams (load balancers keep
  // them open) would otherwise hold every drain for the whole deadline.
  // While waiting, the port stays open so that health checks see
  // NOT_SERVING and new calls get UNAVAILABLE rather than a refused
  // connection.
  const absl::Time start = absl::Now();
  const absl::Time deadline = start + config_.drain_deadline;
  while (calls_.in_flight() > 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  const int64_t cancelled = calls_.in_flight();
  // Cancels what is left (watches, calls past the deadline) and waits for
  // their handlers to finish.
  server_->Shutdown(absl::ToChronoTime(absl::Now()));
  server_->Wait();
  {
    absl::MutexLock lock(&health_mu_);
    health_ = nullptr;
  }
  pool_.reset();  // runs what is left (nothing: every call has finished)
  metrics_http_.Stop();
  logger_.Log(LogLevel::kInfo, "stopped",
              {{"drain_ms", absl::StrCat(absl::ToInt64Milliseconds(absl::Now() - start))},
               {"cancelled_calls", absl::StrCat(cancelled)}});
}

}  // namespace entente
