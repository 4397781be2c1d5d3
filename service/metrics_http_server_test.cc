#include "service/metrics_http_server.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "httplib.h"

namespace entente {
namespace {

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

  server.Stop();
  server.Stop();  // idempotent
  EXPECT_FALSE(client.Get("/metrics"));
}

TEST(MetricsHttpServerTest, RefusesMalformedAddresses) {
  Metrics metrics;
  MetricsHttpServer server(&metrics);
  EXPECT_EQ(server.Start("no-port").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(server.Start("127.0.0.1:99999").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace entente
