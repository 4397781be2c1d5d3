// ValidateRuleSet under a flood (issue 12): four clients send rule sets of
// about 1 MB with run_examples, back to back, while a well-behaved client
// calls Classify with a 2 s deadline; at least 95% of those calls must be
// answered in time. The server compiles at most --max_concurrent_validations
// (1) rule sets at once, on threads of their own, with a compile budget and
// a time limit; the rest of the flood gets RESOURCE_EXHAUSTED at once.
//
// ENTENTE_FLOOD_SECONDS sets the flood's length (default 10; the issue's
// 25 s run is in docs/SERVICE.md, "Measured bounds"):
// (on one line)
//   bazel test //service:validate_flood_test --test_env=ENTENTE_FLOOD_SECONDS=25
//     --test_output=streamed

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "proto/service.grpc.pb.h"
#include "service/testing/hostile_inputs.h"
#include "service/testing/process_stats.h"
#include "service/testing/server_process.h"

namespace entente {
namespace {

int EnvSeconds(const char* name, int fallback) {
  const char* value = std::getenv(name);
  int parsed = 0;
  return value != nullptr && absl::SimpleAtoi(value, &parsed) && parsed > 0 ? parsed : fallback;
}

std::unique_ptr<grpc::ClientContext> Context(absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout)));
  return context;
}

TEST(ValidateFloodTest, ClassifyKeepsAnsweringWhileValidationsFlood) {
  const absl::Duration flood = absl::Seconds(EnvSeconds("ENTENTE_FLOOD_SECONDS", 10));
  // The Classify deadline: 2 s as the issue asks; sanitizer builds run
  // everything several times slower, the server and the flood alike.
  const absl::Duration classify_deadline =
      std::getenv("ENTENTE_SANITIZER") != nullptr ? absl::Seconds(10) : absl::Seconds(2);
  auto started = ServerProcess::Start(
      {"--listen=127.0.0.1:0", "--poll_interval_ms=0", "--log_level=warning",
       // Under a sanitizer a 1 MB validation may take
       // longer than the 10 s allowed by default.
       std::getenv("ENTENTE_SANITIZER") != nullptr ? "--max_validate_time_ms=120000"
                                                   : "--max_validate_time_ms=10000"});
  ASSERT_TRUE(started.ok()) << started.status();
  std::unique_ptr<ServerProcess> server = std::move(*started);
  const std::string address = server->address();

  entente::v1::ValidateRuleSetRequest validate;
  validate.set_text(LargeRuleSet(1000000));
  validate.set_run_examples(true);
  validate.set_file_name("flood.textproto");

  std::atomic<bool> stop{false};
  absl::Mutex mu;
  std::map<std::string, int> validation_outcomes;  // code, or "valid"
  std::vector<std::string> unexpected;
  std::vector<std::thread> flood_clients;
  for (int c = 0; c < 4; ++c) {
    flood_clients.emplace_back([&] {
      auto stub = entente::v1::Entente::NewStub(
          grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
      while (!stop.load()) {
        entente::v1::ValidateRuleSetResponse verdict;
        grpc::Status status =
            stub->ValidateRuleSet(Context(absl::Seconds(60)).get(), validate, &verdict);
        absl::MutexLock lock(&mu);
        if (status.ok()) {
          ++validation_outcomes[verdict.valid() ? "valid" : "invalid"];
          if (!verdict.valid() || verdict.examples_run() == 0) {
            unexpected.push_back(verdict.DebugString().substr(0, 500));
          }
        } else {
          ++validation_outcomes[absl::StrCat("code ", status.error_code())];
          if (status.error_code() != grpc::StatusCode::RESOURCE_EXHAUSTED ||
              !absl::StrContains(status.error_message(), "--max_concurrent_validations")) {
            unexpected.push_back(status.error_message());
          }
        }
      }
    });
  }

  // The well-behaved client: one Classify every 50 ms.
  int calls = 0, answered_in_time = 0;
  std::vector<double> latencies_ms;
  auto stub = entente::v1::Entente::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  entente::v1::ClassifyRequest request;
  request.set_text("China and Iran called for an immediate ceasefire in Gaza.");
  const absl::Time end = absl::Now() + flood;
  while (absl::Now() < end) {
    entente::v1::ClassifyResponse response;
    const absl::Time start = absl::Now();
    grpc::Status status = stub->Classify(Context(classify_deadline).get(), request, &response);
    latencies_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
    ++calls;
    if (status.ok() && response.result().annotations_size() > 0) ++answered_in_time;
    absl::SleepFor(absl::Milliseconds(50));
  }
  stop.store(true);
  for (std::thread& t : flood_clients) t.join();
  absl::StatusOr<ProcessStats> stats = ReadProcessStats(server->pid());
  server->Signal(SIGTERM);
  absl::StatusOr<int> exit_status = server->Wait(absl::Seconds(120));

  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto percentile = [&](double p) {
    return latencies_ms.empty() ? 0
                                : latencies_ms[static_cast<size_t>(p * (latencies_ms.size() - 1))];
  };
  std::cout << "flood: " << absl::FormatDuration(flood) << ", 4 clients, rule sets of "
            << validate.text().size() << " bytes with run_examples\n  validations:";
  {
    absl::MutexLock lock(&mu);
    for (const auto& [outcome, count] : validation_outcomes) {
      std::cout << " " << outcome << "=" << count;
    }
  }
  std::cout << "\n  Classify: " << answered_in_time << " of " << calls << " answered within "
            << absl::FormatDuration(classify_deadline) << "; latency ms p50 " << percentile(0.5)
            << ", p95 " << percentile(0.95) << ", p99 " << percentile(0.99) << ", max "
            << percentile(1.0) << "\n";
  if (stats.ok()) {
    std::cout << "  server: " << stats->cpu_seconds << " CPU-s, peak RSS "
              << stats->peak_rss_kb / 1024 << " MB\n";
  }

  ASSERT_GT(calls, 0);
  EXPECT_GE(answered_in_time * 100, calls * 95)
      << answered_in_time << " of " << calls << " Classify calls answered in time";
  absl::MutexLock lock(&mu);
  EXPECT_GT(validation_outcomes["valid"], 0) << "no validation completed";
  EXPECT_GT(validation_outcomes[absl::StrCat("code ", grpc::StatusCode::RESOURCE_EXHAUSTED)], 0)
      << "the flood never reached the limit";
  for (const std::string& what : unexpected) ADD_FAILURE() << "unexpected: " << what;
  ASSERT_TRUE(exit_status.ok());
  EXPECT_EQ(*exit_status, 0) << server->Log();
}

}  // namespace
}  // namespace entente
