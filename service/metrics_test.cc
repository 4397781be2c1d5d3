#include "service/metrics.h"

#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace entente {
namespace {

TEST(MetricsTest, RendersCountersAndCumulativeHistograms) {
  Metrics metrics;
  metrics.RecordCall("Classify", "OK", absl::Microseconds(300), 1, 2);
  metrics.RecordCall("Classify", "OK", absl::Milliseconds(3), 1, 5);
  metrics.RecordCall("Classify", "INVALID_ARGUMENT", absl::Seconds(20), 0, 0);
  metrics.RecordItemError("ClassifyBatch", "INVALID_ARGUMENT");
  const std::string page = metrics.RenderPrometheus();
  EXPECT_TRUE(absl::StrContains(page, "# TYPE entente_requests_total counter\n"));
  EXPECT_TRUE(
      absl::StrContains(page, "entente_requests_total{method=\"Classify\",code=\"OK\"} 2\n"));
  EXPECT_TRUE(absl::StrContains(
      page, "entente_requests_total{method=\"Classify\",code=\"INVALID_ARGUMENT\"} 1\n"));
  EXPECT_TRUE(absl::StrContains(
      page, "entente_request_duration_seconds_bucket{method=\"Classify\",le=\"0.0005\"} 1\n"));
  EXPECT_TRUE(absl::StrContains(
      page, "entente_request_duration_seconds_bucket{method=\"Classify\",le=\"0.005\"} 2\n"));
  EXPECT_TRUE(absl::StrContains(
      page, "entente_request_duration_seconds_bucket{method=\"Classify\",le=\"10\"} 2\n"));
  EXPECT_TRUE(absl::StrContains(
      page, "entente_request_duration_seconds_bucket{method=\"Classify\",le=\"+Inf\"} 3\n"));
  EXPECT_TRUE(
      absl::StrContains(page, "entente_request_duration_seconds_count{method=\"Classify\"} 3\n"));
  EXPECT_TRUE(absl::StrContains(page, "entente_items_total{method=\"Classify\"} 2\n"));
  EXPECT_TRUE(absl::StrContains(page, "entente_sentences_classified_total 7\n"));
  EXPECT_TRUE(absl::StrContains(
      page, "entente_item_errors_total{method=\"ClassifyBatch\",code=\"INVALID_ARGUMENT\"} 1\n"));
}

TEST(MetricsTest, RendersReloadsAndServingRuleSets) {
  Metrics metrics;
  metrics.RecordReload(true, absl::FromUnixSeconds(1000), {{"default", "1+abc"}});
  metrics.RecordReload(false, absl::FromUnixSeconds(2000), {{"default", "1+abc"}, {"x\"y", "2"}});
  metrics.SetServing(true);
  metrics.AddInFlight(2);
  metrics.AddInFlight(-1);
  const std::string page = metrics.RenderPrometheus();
  EXPECT_TRUE(absl::StrContains(page, "entente_rule_set_reloads_total{outcome=\"ok\"} 1\n"));
  EXPECT_TRUE(absl::StrContains(page, "entente_rule_set_reloads_total{outcome=\"failed\"} 1\n"));
  EXPECT_TRUE(absl::StrContains(page, "entente_rule_set_last_reload_ok 0\n"));
  EXPECT_TRUE(absl::StrContains(page, "entente_rule_set_last_reload_timestamp_seconds 2000.000\n"));
  EXPECT_TRUE(
      absl::StrContains(page, "entente_rule_set_info{rule_set=\"default\",version=\"1+abc\"} 1\n"));
  EXPECT_TRUE(absl::StrContains(page, "entente_rule_set_info{rule_set=\"x\\\"y\",version=\"2\"}"));
  EXPECT_TRUE(absl::StrContains(page, "entente_serving 1\n"));
  EXPECT_TRUE(absl::StrContains(page, "entente_calls_in_flight 1\n"));
}

TEST(MetricsTest, RendersRefusalsTheDirectoryAndGauges) {
  Metrics metrics;
  int64_t used = 5;
  metrics.AddGauge("entente_test_bytes", "Bytes.", [&used] { return used; });
  metrics.RecordRefusal("max_streams");
  metrics.RecordRefusal("max_streams");
  metrics.SetRulesDirectoryOk(false);
  used = 7;
  const std::string page = metrics.RenderPrometheus();
  EXPECT_TRUE(absl::StrContains(page, "# TYPE entente_test_bytes gauge\nentente_test_bytes 7\n"));
  EXPECT_TRUE(absl::StrContains(page, "entente_limit_refusals_total{limit=\"max_streams\"} 2\n"));
  EXPECT_TRUE(absl::StrContains(page, "entente_rules_directory_ok 0\n"));
}

}  // namespace
}  // namespace entente
