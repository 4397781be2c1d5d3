#include "service/metrics_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "httplib.h"

namespace entente {
namespace {

// A connected TCP socket to "127.0.0.1:port" that sends nothing (a
// half-open client), with a receive timeout as a safety net for the test.
int IdleConnection(const std::string& address) {
  int port = 0;
  EXPECT_TRUE(absl::SimpleAtoi(address.substr(address.rfind(':') + 1), &port));
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in to = {};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)), 0);
  timeval patience = {60, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof(patience));
  return fd;
}

// What the server sends on `fd` until it closes it ("" if it never does
// within the socket's patience).
std::string ReadUntilClosed(int fd) {
  std::string out;
  char buffer[1024];
  while (true) {
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n == 0) return out.empty() ? "<closed>" : out;
    if (n < 0) return "";
    out.append(buffer, n);
  }
}

TEST(MetricsHttpServerTest, ServesMetricsOnAPickedPort) {
  Metrics metrics;
  metrics.SetServing(true);
  MetricsHttpServer server(&metrics);
  absl::StatusOr<std::string> bound = server.Start("127.0.0.1:0");
  ASSERT_TRUE(bound.ok()) << bound.status();
  EXPECT_TRUE(absl::StartsWith(*bound, "127.0.0.1:"));
  EXPECT_NE(*bound, "127.0.0.1:0");

  httplib::Client client("http://" + *bound);
  auto page = client.Get("/metrics");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_TRUE(absl::StrContains(page->get_header_value("Content-Type"), "text/plain"));
  EXPECT_TRUE(absl::StrContains(page->body, "entente_serving 1\n"));
  auto missing = client.Get("/nothing");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  auto post = client.Post("/metrics", "x", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);

  server.Stop();
  server.Stop();  // idempotent
  EXPECT_FALSE(client.Get("/metrics"));
}

TEST(MetricsHttpServerTest, AnEmptyHostIsLoopback) {
  Metrics metrics;
  MetricsHttpServer server(&metrics);
  absl::StatusOr<std::string> bound = server.Start(":0");
  ASSERT_TRUE(bound.ok()) << bound.status();
  EXPECT_TRUE(absl::StartsWith(*bound, "127.0.0.1:")) << *bound;
}

TEST(MetricsHttpServerTest, RefusesMalformedAddresses) {
  Metrics metrics;
  MetricsHttpServer server(&metrics);
  EXPECT_EQ(server.Start("no-port").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(server.Start("127.0.0.1:99999").status().code(), absl::StatusCode::kInvalidArgument);
}

// Idle connections past the limit are answered 503 and closed at once; the
// ones within it are closed after the I/O timeout; then /metrics answers,
// and counts the refusals.
TEST(MetricsHttpServerTest, IdleConnectionsAreLimitedAndTimedOut) {
  Metrics metrics;
  MetricsHttpOptions options;
  options.max_connections = 4;
  options.io_timeout = absl::Seconds(2);
  MetricsHttpServer server(&metrics, options);
  absl::StatusOr<std::string> bound = server.Start("127.0.0.1:0");
  ASSERT_TRUE(bound.ok()) << bound.status();
  constexpr int kIdle = 50;
  std::vector<int> idle;
  for (int i = 0; i < kIdle; ++i) idle.push_back(IdleConnection(*bound));
  int refused = 0, timed_out = 0;
  for (int fd : idle) {
    const std::string answer = ReadUntilClosed(fd);
    if (absl::StartsWith(answer, "HTTP/1.1 503")) ++refused;
    if (answer == "<closed>") ++timed_out;
    close(fd);
  }
  EXPECT_EQ(timed_out, 4);
  EXPECT_EQ(refused, kIdle - 4);
  httplib::Client client("http://" + *bound);
  auto page = client.Get("/metrics");
  ASSERT_TRUE(page);
  EXPECT_TRUE(absl::StrContains(
      page->body, absl::StrCat("entente_limit_refusals_total{limit=\"metrics_max_connections\"} ",
                               kIdle - 4, "\n")))
      << page->body;
}

// Stop() closes idle connections instead of waiting for them.
TEST(MetricsHttpServerTest, StopClosesIdleConnections) {
  Metrics metrics;
  MetricsHttpOptions options;
  options.io_timeout = absl::Hours(1);
  MetricsHttpServer server(&metrics, options);
  absl::StatusOr<std::string> bound = server.Start("127.0.0.1:0");
  ASSERT_TRUE(bound.ok());
  const int fd = IdleConnection(*bound);
  // Let the server accept it: a request on another connection is answered
  // after the accept loop ran.
  ASSERT_TRUE(httplib::Client("http://" + *bound).Get("/"));
  server.Stop();
  EXPECT_EQ(ReadUntilClosed(fd), "<closed>");
  close(fd);
}

}  // namespace
}  // namespace entente
