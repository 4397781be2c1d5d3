// File: service/metrics_http_server.h
//
// Serves Metrics over HTTP for Prometheus: GET /metrics returns the text
// exposition format. A small HTTP/1.1 server of its own, on one thread,
// apart from gRPC, so that its limits are exact:
//   - at most `max_connections` connections at once; one more is answered
//     "503 Service Unavailable" and closed at once (and counted in
//     entente_limit_refusals_total{limit="metrics_max_connections"}), so a
//     flood of idle connections never queues the scraper behind it;
//   - a connection has `io_timeout` to send its request and again to take
//     the response, then it is closed (a client that connects and sends
//     nothing holds its place for that long, no more);
//   - one request per connection (Connection: close), of at most 8 KiB.
// An empty host binds loopback (127.0.0.1); port 0 picks a free port.
//
//   entente::MetricsHttpServer http(&metrics, {});
//   absl::StatusOr<std::string> bound = http.Start("127.0.0.1:0");  // "127.0.0.1:41234"
//   ...
//   http.Stop();

#ifndef ENTENTE_SERVICE_METRICS_HTTP_SERVER_H_
#define ENTENTE_SERVICE_METRICS_HTTP_SERVER_H_

#include <atomic>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/metrics.h"

namespace entente {

struct MetricsHttpOptions {
  // Connections open at once.
  int max_connections = 16;
  // How long a connection may take to send its request, and to read the
  // response.
  absl::Duration io_timeout = absl::Seconds(5);
};

// Start and Stop must be called from one thread; serving runs on the
// server's own thread. Does not own `metrics`, which must outlive it.
class MetricsHttpServer {
 public:
  MetricsHttpServer(Metrics* metrics, MetricsHttpOptions options = {});

  // Stops the server if it runs.
  ~MetricsHttpServer();

  MetricsHttpServer(const MetricsHttpServer&) = delete;
  MetricsHttpServer& operator=(const MetricsHttpServer&) = delete;

  // Binds `address` ("host:port", "[v6]:port", ":port" for loopback; port 0
  // picks one) and starts serving. Returns the bound "host:port", or
  // InvalidArgument for a malformed address, Unavailable when it cannot be
  // bound. Call at most once.
  absl::StatusOr<std::string> Start(absl::string_view address);

  // Closes every connection and joins the server thread. Idempotent.
  void Stop();

 private:
  void Serve();

  Metrics* const metrics_;
  const MetricsHttpOptions options_;
  int listen_fd_ = -1;
  // Writing to wake_[1] stops Serve().
  int wake_[2] = {-1, -1};
  std::thread thread_;
};

}  // namespace entente

#endif  // ENTENTE_SERVICE_METRICS_HTTP_SERVER_H_
