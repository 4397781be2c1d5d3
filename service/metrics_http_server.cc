#include "service/metrics_http_server.h"

#include <chrono>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "httplib.h"

namespace entente {

MetricsHttpServer::MetricsHttpServer(const Metrics* metrics) : metrics_(metrics) {}

MetricsHttpServer::~MetricsHttpServer() { Stop(); }

absl::StatusOr<std::string> MetricsHttpServer::Start(absl::string_view address) {
  const size_t colon = address.rfind(':');
  int port = -1;
  if (colon == absl::string_view::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics address \"", address, "\" is not host:port"));
  }
  absl::string_view host = address.substr(0, colon);
  const bool bracketed = absl::ConsumePrefix(&host, "[") && absl::ConsumeSuffix(&host, "]");
  if (host.empty()) host = "0.0.0.0";

  server_ = std::make_unique<httplib::Server>();
  const Metrics* metrics = metrics_;
  server_->Get("/metrics", [metrics](const httplib::Request&, httplib::Response& response) {
    response.set_content(metrics->RenderPrometheus(), "text/plain; version=0.0.4; charset=utf-8");
  });
  server_->Get("/", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("entente metrics: see /metrics\n", "text/plain");
  });
  const std::string host_string(host);
  if (port == 0) {
    port = server_->bind_to_any_port(host_string);
    if (port <= 0) {
      server_.reset();
      return absl::UnavailableError(absl::StrCat("cannot bind metrics address ", address));
    }
  } else if (!server_->bind_to_port(host_string, port)) {
    server_.reset();
    return absl::UnavailableError(absl::StrCat("cannot bind metrics address ", address));
  }
  httplib::Server* server = server_.get();
  thread_ = std::thread([server] { server->listen_after_bind(); });
  // Stop() before the loop starts would be lost: wait until it runs.
  for (int i = 0; i < 5000 && !server_->is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return absl::StrCat(bracketed ? "[" : "", host_string, bracketed ? "]" : "", ":", port);
}

void MetricsHttpServer::Stop() {
  if (server_ == nullptr) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

}  // namespace entente
