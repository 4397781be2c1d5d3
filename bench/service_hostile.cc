// service_hostile: one hostile call pattern of issue 13 against a running
// entente_server, with what the client got and what the server's /proc says
// (peak RSS, CPU) before and after. For the numbers in docs/SERVICE.md,
// "Measured bounds"; service/hostile_mix_test holds the server to them.
//
//   bazel-bin/service/entente_server --listen=127.0.0.1:50051 &
//   bazel run //bench:service_hostile -- --target=127.0.0.1:50051 --server_pid=$! \
//       --case=explain --mib=4
//
// Cases: explain (one Classify of --mib MiB with explain), batch (--docs
// documents of --doc_kib KiB with explain), stream_noread (--streams streams
// writing 1 MiB explain items and never reading, for --seconds), abandoned
// (a --mib MiB explain Classify with a --deadline_ms deadline, then the
// server's CPU over --idle_seconds).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "proto/service.grpc.pb.h"
#include "service/testing/hostile_inputs.h"
#include "service/testing/process_stats.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051", "Server address.");
ABSL_FLAG(int, server_pid, 0, "The server's pid, for /proc readings (0: none).");
ABSL_FLAG(std::string, case, "explain", "explain, batch, stream_noread or abandoned.");
ABSL_FLAG(double, mib, 4, "Text size of explain and abandoned, in MiB.");
ABSL_FLAG(int, docs, 1000, "Documents of the batch.");
ABSL_FLAG(int, doc_kib, 4, "KiB per batch document.");
ABSL_FLAG(int, streams, 16, "Streams of stream_noread.");
ABSL_FLAG(int, seconds, 10, "How long stream_noread holds its streams.");
ABSL_FLAG(int, deadline_ms, 1000, "Deadline of the abandoned call.");
ABSL_FLAG(int, idle_seconds, 5, "How long to watch the server's CPU after the abandoned call.");

namespace {

using entente::v1::ClassifyRequest;

std::unique_ptr<grpc::ClientContext> Context(absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout)));
  return context;
}

void PrintServer(const char* when) {
  const int pid = absl::GetFlag(FLAGS_server_pid);
  if (pid <= 0) return;
  absl::StatusOr<entente::ProcessStats> stats = entente::ReadProcessStats(pid);
  if (!stats.ok()) return;
  std::cout << absl::StrFormat("server %s: RSS %d MB, peak RSS %d MB, CPU %.2f s\n", when,
                               stats->rss_kb / 1024, stats->peak_rss_kb / 1024, stats->cpu_seconds);
}

void Report(const char* what, const grpc::Status& status, absl::Duration took,
            const google::protobuf::Message& response) {
  std::cout << absl::StrFormat("%s: %s%s%s in %.2f s, response %.1f MB (%.1f MB in memory)\n", what,
                               status.ok() ? "OK" : std::to_string(status.error_code()),
                               status.ok() ? "" : " ", status.error_message(),
                               absl::ToDoubleSeconds(took), response.ByteSizeLong() / 1e6,
                               response.SpaceUsedLong() / 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  args.SetMaxSendMessageSize(-1);
  auto stub = entente::v1::Entente::NewStub(grpc::CreateCustomChannel(
      absl::GetFlag(FLAGS_target), grpc::InsecureChannelCredentials(), args));
  const std::string which = absl::GetFlag(FLAGS_case);
  const size_t bytes = static_cast<size_t>(absl::GetFlag(FLAGS_mib) * (1 << 20)) - 1024;
  PrintServer("before");

  if (which == "explain" || which == "abandoned") {
    ClassifyRequest request;
    request.set_text(entente::NewsLikeText(bytes));
    request.mutable_options()->set_explain(true);
    const absl::Duration deadline = which == "explain"
                                        ? absl::Minutes(10)
                                        : absl::Milliseconds(absl::GetFlag(FLAGS_deadline_ms));
    entente::v1::ClassifyResponse response;
    const absl::Time start = absl::Now();
    grpc::Status status = stub->Classify(Context(deadline).get(), request, &response);
    Report("Classify with explain", status, absl::Now() - start, response);
    if (status.ok() && response.result().explanation().has_truncated()) {
      std::cout << "  explanation " << response.result().explanation().ByteSizeLong()
                << " bytes, truncated: "
                << response.result().explanation().truncated().ShortDebugString() << "\n";
    }
    if (which == "abandoned") {
      const int pid = absl::GetFlag(FLAGS_server_pid);
      absl::StatusOr<entente::ProcessStats> before = entente::ReadProcessStats(pid);
      absl::SleepFor(absl::Seconds(absl::GetFlag(FLAGS_idle_seconds)));
      absl::StatusOr<entente::ProcessStats> after = entente::ReadProcessStats(pid);
      if (before.ok() && after.ok()) {
        std::cout << absl::StrFormat("server CPU in the %d s after the deadline: %.2f s\n",
                                     absl::GetFlag(FLAGS_idle_seconds),
                                     after->cpu_seconds - before->cpu_seconds);
      }
    }
  } else if (which == "batch") {
    entente::v1::ClassifyBatchRequest batch;
    const std::string text = entente::NewsLikeText(absl::GetFlag(FLAGS_doc_kib) * 1024);
    for (int i = 0; i < absl::GetFlag(FLAGS_docs); ++i) batch.add_documents()->set_text(text);
    batch.mutable_options()->set_explain(true);
    entente::v1::ClassifyBatchResponse response;
    const absl::Time start = absl::Now();
    grpc::Status status = stub->ClassifyBatch(Context(absl::Minutes(10)).get(), batch, &response);
    Report("ClassifyBatch with explain", status, absl::Now() - start, response);
  } else if (which == "stream_noread") {
    ClassifyRequest item;
    item.set_text(entente::NewsLikeText((1 << 20) - 1024));
    item.mutable_options()->set_explain(true);
    std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
    std::vector<std::thread> writers;
    std::atomic<int> written{0};
    for (int s = 0; s < absl::GetFlag(FLAGS_streams); ++s) {
      contexts.push_back(Context(absl::Minutes(10)));
      grpc::ClientContext* context = contexts.back().get();
      writers.emplace_back([&, context] {
        auto stream = stub->ClassifyStream(context);
        for (int i = 0; i < 16 && stream->Write(item); ++i) written.fetch_add(1);
        stream->Finish();
      });
    }
    absl::SleepFor(absl::Seconds(absl::GetFlag(FLAGS_seconds)));
    std::cout << absl::GetFlag(FLAGS_streams) << " streams wrote " << written.load()
              << " items of 1 MiB and read nothing\n";
    PrintServer("while they wait");
    for (auto& context : contexts) context->TryCancel();
    for (std::thread& t : writers) t.join();
  } else {
    std::cerr << "unknown --case " << which << "\n";
    return 2;
  }
  PrintServer("after");
  return 0;
}
