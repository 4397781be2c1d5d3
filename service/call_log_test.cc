#include "service/call_log.h"

#include <cstdio>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace entente {
namespace {

std::string Contents(std::FILE* file) {
  std::rewind(file);
  std::string out;
  char buffer[512];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0) out.append(buffer, n);
  return out;
}

TEST(CallLogTest, WritesOneAccessLineAndCountsTheCall) {
  std::FILE* out = std::tmpfile();
  Logger logger(LogLevel::kInfo, out);
  Metrics metrics;
  CallLog calls(&logger, &metrics);
  CallRecord record = calls.Start("ClassifyBatch", "ipv4:127.0.0.1:5000");
  EXPECT_EQ(calls.in_flight(), 1);
  record.items = 9;
  record.item_errors = 1;
  record.sentences = 30;
  record.rule_set = "default";
  record.version = "1+abcd0123";
  calls.ItemError(record, grpc::StatusCode::INVALID_ARGUMENT);
  calls.Finish(record, grpc::Status::OK);
  EXPECT_EQ(calls.in_flight(), 0);

  CallRecord failed = calls.Start("Classify", "ipv4:127.0.0.1:5001");
  calls.Finish(failed, grpc::Status(grpc::StatusCode::NOT_FOUND, "no rule set named \"x\""));

  const std::string log = Contents(out);
  std::fclose(out);
  EXPECT_TRUE(absl::StrContains(
      log,
      "INFO access method=ClassifyBatch code=OK items=9 item_errors=1 sentences=30 "
      "latency_ms="))
      << log;
  EXPECT_TRUE(
      absl::StrContains(log, "rule_set=default version=1+abcd0123 peer=ipv4:127.0.0.1:5000\n"))
      << log;
  EXPECT_TRUE(absl::StrContains(log, "code=NOT_FOUND items=0 item_errors=0 sentences=0")) << log;
  EXPECT_TRUE(absl::StrContains(log, "message=\"no rule set named \\\"x\\\"\"")) << log;

  const std::string page = metrics.RenderPrometheus();
  EXPECT_TRUE(absl::StrContains(page, "entente_items_total{method=\"ClassifyBatch\"} 9\n"));
  EXPECT_TRUE(absl::StrContains(
      page, "entente_requests_total{method=\"Classify\",code=\"NOT_FOUND\"} 1\n"));
  EXPECT_TRUE(absl::StrContains(
      page, "entente_item_errors_total{method=\"ClassifyBatch\",code=\"INVALID_ARGUMENT\"} 1\n"));
  EXPECT_TRUE(absl::StrContains(page, "entente_calls_in_flight 0\n"));
}

}  // namespace
}  // namespace entente
