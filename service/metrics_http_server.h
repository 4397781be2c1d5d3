// File: service/metrics_http_server.h
//
// Serves Metrics over HTTP for Prometheus: GET /metrics returns the text
// exposition format. Runs cpp-httplib (Debian's libcpp-httplib) on its own
// threads, apart from gRPC. Port 0 picks a free port.
//
//   entente::MetricsHttpServer http(&metrics);
//   absl::StatusOr<std::string> bound = http.Start("127.0.0.1:0");  // "127.0.0.1:41234"
//   ...
//   http.Stop();

#ifndef ENTENTE_SERVICE_METRICS_HTTP_SERVER_H_
#define ENTENTE_SERVICE_METRICS_HTTP_SERVER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "service/metrics.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace entente {

// Start and Stop must be called from one thread; serving runs on the
// server's own threads. Does not own `metrics`, which must outlive it.
class MetricsHttpServer {
 public:
  explicit MetricsHttpServer(const Metrics* metrics);

  // Stops the server if it runs.
  ~MetricsHttpServer();

  MetricsHttpServer(const MetricsHttpServer&) = delete;
  MetricsHttpServer& operator=(const MetricsHttpServer&) = delete;

  // Binds `address` ("host:port", "[v6]:port"; port 0 picks one) and starts
  // serving. Returns the bound "host:port", or InvalidArgument for a
  // malformed address, Unavailable when the port cannot be bound.
  absl::StatusOr<std::string> Start(absl::string_view address);

  // Stops serving and joins the server thread. Idempotent.
  void Stop();

 private:
  const Metrics* const metrics_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace entente

#endif  // ENTENTE_SERVICE_METRICS_HTTP_SERVER_H_
