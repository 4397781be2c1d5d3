// Soak test: the real entente_server under steady traffic while its rule
// file is rewritten every 100-300 ms, alternating good and broken versions,
// then SIGTERM in the middle of the traffic. Asserts:
//   (a) no call fails (before SIGTERM);
//   (b) every answer comes from one complete rule-set version: the version
//       it names is the version whose rules fired, and no other's;
//   (c) the server's resident memory does not grow once warmed up;
//   (d) SIGTERM drains: exit status 0; a long batch in flight finishes, and
//       other calls in flight end OK or UNAVAILABLE "shutting down".
// It prints calls, errors, versions seen, broken versions rejected and RSS.
//
// ENTENTE_SOAK_SECONDS sets the traffic's duration (default 20; 10 under a
// sanitizer, as tools/test.sh runs it with --config=asan). The long run
// recorded in BENCHMARKS.md ("Soak"), on one line:
//   bazel test //service:soak_test --test_env=ENTENTE_SOAK_SECONDS=600
//     --test_timeout=1200 --test_output=streamed

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "proto/service.grpc.pb.h"
#include "service/testing/server_process.h"

namespace entente {
namespace {

using entente::v1::ClassifyBatchRequest;
using entente::v1::ClassifyBatchResponse;
using entente::v1::ClassifyRequest;
using entente::v1::ClassifyResponse;
using entente::v1::ClassifyResult;
using entente::v1::ClassifyStreamResponse;

// Version N of the rule set fires stance "mark" on marker word N % 8 (rule
// "mark_vN") and stance "tag" on "soak" (rule "tag_vN"). Every request holds
// all eight marker words, so an answer mixing two versions' rules, or
// naming one version and carrying another's, shows a second marker, a
// wrong marker or a rule id of another version.
constexpr const char* kMarkers[] = {"alfa", "bravo",   "charlie", "delta",
                                    "echo", "foxtrot", "golf",    "hotel"};
constexpr int kMarkerCount = sizeof(kMarkers) / sizeof(kMarkers[0]);
constexpr char kText[] = "soak alfa bravo charlie delta echo foxtrot golf hotel.";
// Documents in the batch that is in progress when SIGTERM comes: a few
// hundred ms of work, in a request of a few MB that arrives in a few ms.
constexpr int kLongBatch = 60000;
// Client threads of the traffic; each has at most one call in flight.
constexpr int kClientThreads = 5;

std::string GoodRuleSet(int version) {
  const std::string marker = kMarkers[version % kMarkerCount];
  return absl::StrCat(
      "name: \"soak\"\nversion: \"", version, "\"\n",  //
      "stance { id: \"mark\" label: \"Marker\" }\n",   //
      "stance { id: \"tag\" label: \"Tag\" }\n",       //
      "rule { id: \"mark_v", version, "\" stance: \"mark\" polarity: SUPPORT weight: 0.9 ",
      "pattern: \"\\\\b", marker, "\\\\b\" }\n",  //
      "rule { id: \"tag_v", version, "\" stance: \"tag\" polarity: OPPOSE weight: 0.8 ",
      "pattern: \"\\\\bsoak\\\\b\" }\n");
}

// Broken in two ways by turns: a text proto cut short (a parse error) and a
// pattern that does not compile.
std::string BrokenRuleSet(int version, int kind) {
  if (kind % 2 == 0) {
    return absl::StrCat("name: \"soak\"\nversion: \"", version,
                        "-broken\"\nstance { id: \"mark\" }\nrule { id: \"mark_v");
  }
  return absl::StrCat(
      "name: \"soak\"\nversion: \"", version,
      "-broken\"\nstance { id: \"mark\" }\n"
      "rule { id: \"bad\" stance: \"mark\" polarity: SUPPORT pattern: \"(alfa\" }\n");
}

int EnvInt(const char* name, int fallback) {
  const char* value = std::getenv(name);
  int parsed = 0;
  return value != nullptr && absl::SimpleAtoi(value, &parsed) && parsed > 0 ? parsed : fallback;
}

std::unique_ptr<grpc::ClientContext> Context(absl::Duration timeout = absl::Seconds(60)) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout)));
  return context;
}

// The declared version N of a "N+digest" rule-set version, or -1.
int DeclaredVersion(const std::string& version) {
  std::vector<std::string> parts = absl::StrSplit(version, absl::MaxSplits('+', 1));
  int n = -1;
  return parts.size() == 2 && absl::SimpleAtoi(parts[0], &n) ? n : -1;
}

// The server's resident set size in kB (VmRSS), or -1.
int64_t RssKb(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view rest = line;
    if (!absl::ConsumePrefix(&rest, "VmRSS:")) continue;
    int64_t kb = -1;
    std::vector<absl::string_view> parts = absl::StrSplit(rest, ' ', absl::SkipWhitespace());
    if (!parts.empty() && absl::SimpleAtoi(parts[0], &kb)) return kb;
  }
  return -1;
}

// The value of one metric line ("name{labels} value"), or -1.
int64_t Metric(const std::string& page, const std::string& series) {
  for (absl::string_view line : absl::StrSplit(page, '\n')) {
    if (!absl::ConsumePrefix(&line, series) || !absl::ConsumePrefix(&line, " ")) continue;
    double value = -1;
    if (absl::SimpleAtod(line, &value)) return static_cast<int64_t>(value);
  }
  return -1;
}

// What the clients saw. Thread-safe.
class Tally {
 public:
  // Checks one classification result against the version it names (b).
  // Returns that version's number, or -1 if the result is inconsistent.
  int CheckResult(const ClassifyResult& result, int latest_written) {
    const std::string& version = result.rule_set_version();
    const std::string digest = version.substr(version.find('+') + 1);
    int n = DeclaredVersion(version);
    std::string why;
    if (result.rule_set() != "soak" || n < 0) {
      why = "not a good version of \"soak\"";
    } else if (n > latest_written) {
      why = absl::StrCat("version ", n, " was not written yet (latest ", latest_written, ")");
    } else {
      why = Mismatch(result, n);
    }
    absl::MutexLock lock(&mu_);
    if (n >= 0 && why.empty()) {
      auto [it, inserted] = digests_.emplace(n, digest);
      if (!inserted && it->second != digest) {
        why = absl::StrCat("version ", n, " came with digests ", it->second, " and ", digest);
      }
    }
    if (!why.empty()) {
      ++inconsistent_;
      if (examples_.size() < 10) {
        examples_.push_back(absl::StrCat("inconsistent: ", why, ": ", result.DebugString()));
      }
      return -1;
    }
    ++results_;
    return n;
  }

  // When a call started and ended, relative to SIGTERM.
  enum class Phase { kBefore, kInFlight, kAfter };

  // Records how a call ended (a, d). Before SIGTERM every call must succeed.
  // A call in flight when SIGTERM came must end OK or UNAVAILABLE "shutting
  // down" (refused while draining). A call started after SIGTERM may also
  // find the server gone (UNAVAILABLE, connection refused); any other code
  // is wrong.
  void RecordCall(const std::string& method, const grpc::Status& status, Phase phase) {
    absl::MutexLock lock(&mu_);
    ++calls_[method];
    if (phase == Phase::kInFlight) ++in_flight_at_sigterm_;
    if (status.ok()) {
      if (phase == Phase::kInFlight) ++in_flight_ok_;
      return;
    }
    const bool unavailable = status.error_code() == grpc::StatusCode::UNAVAILABLE;
    const bool draining = unavailable && absl::StrContains(status.error_message(), "shutting down");
    if (phase == Phase::kBefore) {
      ++failures_;
    } else if (draining) {
      ++refused_draining_;
      return;
    } else if (phase == Phase::kAfter && unavailable) {
      ++refused_gone_;
      return;
    } else {
      ++bad_after_sigterm_;
    }
    if (examples_.size() < 10) {
      examples_.push_back(
          absl::StrCat(method, ": ", status.error_code(), " ", status.error_message()));
    }
  }

  // Records an item of a stream or batch that failed or came back wrong.
  void RecordItemError(const std::string& message) {
    absl::MutexLock lock(&mu_);
    ++failures_;
    if (examples_.size() < 10) examples_.push_back(absl::StrCat("item: ", message));
  }

  // Records an answer that is wrong for a reason CheckResult cannot see.
  void RecordInconsistency(const std::string& why) {
    absl::MutexLock lock(&mu_);
    ++inconsistent_;
    if (examples_.size() < 10) examples_.push_back(absl::StrCat("inconsistent: ", why));
  }

  absl::Mutex mu_;
  std::map<std::string, int64_t> calls_ ABSL_GUARDED_BY(mu_);
  int64_t results_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t failures_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t inconsistent_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t in_flight_at_sigterm_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t in_flight_ok_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t refused_draining_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t refused_gone_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t bad_after_sigterm_ ABSL_GUARDED_BY(mu_) = 0;
  // Version number to digest, for every version an answer named.
  std::map<int, std::string> digests_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> examples_ ABSL_GUARDED_BY(mu_);

 private:
  // Why `result` is not what version `n` answers, or "".
  static std::string Mismatch(const ClassifyResult& result, int n) {
    const std::string mark_rule = absl::StrCat("mark_v", n);
    const std::string tag_rule = absl::StrCat("tag_v", n);
    if (result.annotations_size() != 2) {
      return absl::StrCat(result.annotations_size(), " annotations, want 2");
    }
    bool mark = false, tag = false;
    for (const auto& annotation : result.annotations()) {
      if (annotation.evidence_size() != 1) {
        return absl::StrCat(annotation.evidence_size(), " evidence items");
      }
      const auto& evidence = annotation.evidence(0);
      if (annotation.stance() == "mark" && evidence.rule_id() == mark_rule &&
          evidence.span().text() == kMarkers[n % kMarkerCount]) {
        mark = true;
      } else if (annotation.stance() == "tag" && evidence.rule_id() == tag_rule &&
                 evidence.span().text() == "soak") {
        tag = true;
      } else {
        return absl::StrCat("annotation ", annotation.stance(), " by ", evidence.rule_id(),
                            " on \"", evidence.span().text(), "\"");
      }
    }
    return mark && tag ? "" : "missing the mark or the tag annotation";
  }
};

class SoakTest : public ::testing::Test {
 protected:
  static Tally::Phase PhaseOf(bool started_after_sigterm, bool ended_after_sigterm) {
    if (started_after_sigterm) return Tally::Phase::kAfter;
    return ended_after_sigterm ? Tally::Phase::kInFlight : Tally::Phase::kBefore;
  }

  ClassifyRequest Request(const std::string& id) {
    ClassifyRequest request;
    request.set_id(id);
    request.set_text(kText);
    request.set_rule_set("soak");
    return request;
  }

  // Unary calls in a loop. Versions must never go back within one client.
  void UnaryClient(const std::string& address) {
    auto stub = entente::v1::Entente::NewStub(
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
    int last = -1;
    while (!stop_.load()) {
      const bool started_after = sigterm_sent_.load();
      ClassifyResponse response;
      grpc::Status status = stub->Classify(Context().get(), Request("u"), &response);
      const bool after_sigterm = sigterm_sent_.load();
      tally_.RecordCall("Classify", status, PhaseOf(started_after, after_sigterm));
      if (!status.ok()) {
        if (after_sigterm) return;
        continue;
      }
      const int n = tally_.CheckResult(response.result(), latest_written_.load());
      if (n >= 0 && n < last) {
        tally_.RecordInconsistency(absl::StrCat("version went back from ", last, " to ", n));
      }
      last = std::max(last, n);
    }
  }

  // Streams of kStreamItems requests, written while responses are read.
  void StreamClient(const std::string& address) {
    constexpr int kStreamItems = 100;
    auto stub = entente::v1::Entente::NewStub(
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
    while (!stop_.load()) {
      const bool started_after = sigterm_sent_.load();
      auto context = Context();
      auto stream = stub->ClassifyStream(context.get());
      std::thread writer([&] {
        for (int i = 0; i < kStreamItems; ++i) {
          if (!stream->Write(Request(absl::StrCat(i)))) break;
        }
        stream->WritesDone();
      });
      ClassifyStreamResponse response;
      int read = 0;
      while (stream->Read(&response)) {
        if (response.result().id() != absl::StrCat(read)) {
          tally_.RecordItemError(
              absl::StrCat("item ", read, " answered as ", response.result().id()));
        }
        if (response.has_error()) {
          tally_.RecordItemError(response.error().message());
        } else {
          tally_.CheckResult(response.result(), latest_written_.load());
        }
        ++read;
      }
      writer.join();
      grpc::Status status = stream->Finish();
      const bool after_sigterm = sigterm_sent_.load();
      tally_.RecordCall("ClassifyStream", status, PhaseOf(started_after, after_sigterm));
      stream_items_.fetch_add(read);
      if (status.ok() && read != kStreamItems) {
        tally_.RecordItemError(
            absl::StrCat("an OK stream answered ", read, " of ", kStreamItems, " items"));
      }
      if (!status.ok() && after_sigterm) return;
    }
  }

  // Batches: one version for all their documents.
  void BatchClient(const std::string& address) {
    constexpr int kDocuments = 16;
    auto stub = entente::v1::Entente::NewStub(
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
    ClassifyBatchRequest batch;
    batch.set_rule_set("soak");
    for (int i = 0; i < kDocuments; ++i) batch.add_documents()->set_text(kText);
    while (!stop_.load()) {
      const bool started_after = sigterm_sent_.load();
      ClassifyBatchResponse response;
      grpc::Status status = stub->ClassifyBatch(Context().get(), batch, &response);
      const bool after_sigterm = sigterm_sent_.load();
      tally_.RecordCall("ClassifyBatch", status, PhaseOf(started_after, after_sigterm));
      if (!status.ok()) {
        if (after_sigterm) return;
        continue;
      }
      for (const ClassifyResult& result : response.results()) {
        tally_.CheckResult(result, latest_written_.load());
        if (result.rule_set_version() != response.rule_set_version()) {
          tally_.RecordItemError(absl::StrCat("batch of ", response.rule_set_version(),
                                              " has a result of ", result.rule_set_version()));
        }
      }
      if (response.results_size() != kDocuments) {
        tally_.RecordItemError(absl::StrCat("batch answered ", response.results_size()));
      }
    }
  }

  std::atomic<bool> stop_{false};
  std::atomic<bool> sigterm_sent_{false};
  std::atomic<int> latest_written_{1};
  std::atomic<int64_t> stream_items_{0};
  Tally tally_;
};

TEST_F(SoakTest, ReloadsUnderTrafficThenDrains) {
  const bool sanitizer = std::getenv("ENTENTE_SANITIZER") != nullptr;
  const absl::Duration duration =
      absl::Seconds(EnvInt("ENTENTE_SOAK_SECONDS", sanitizer ? 10 : 20));
  const std::string rules = ServerProcess::TempDir("soak-rules");
  const std::string file = rules + "/soak.textproto";
  ASSERT_TRUE(WriteFileAtomically(file, GoodRuleSet(1)).ok());
  auto started = ServerProcess::Start(
      {"--listen=127.0.0.1:0", "--rules=" + rules, "--default_rule_set=soak",
       "--poll_interval_ms=50", "--threads=2", "--metrics_address=127.0.0.1:0",
       "--log_level=warning", "--drain_deadline_ms=30000",
       absl::StrCat("--max_batch_size=", kLongBatch), "--max_request_bytes=67108864"});
  ASSERT_TRUE(started.ok()) << started.status();
  std::unique_ptr<ServerProcess> server = std::move(*started);
  const std::string address = server->address();
  const pid_t pid = server->pid();

  // Memory, sampled every 200 ms.
  absl::Mutex rss_mu;
  std::vector<std::pair<absl::Duration, int64_t>> rss;  // since start, kB
  std::atomic<bool> stop_sampling{false};
  const absl::Time start = absl::Now();
  std::thread sampler([&] {
    while (!stop_sampling.load()) {
      const int64_t kb = RssKb(pid);
      if (kb > 0) {
        absl::MutexLock lock(&rss_mu);
        rss.emplace_back(absl::Now() - start, kb);
      }
      absl::SleepFor(absl::Milliseconds(200));
    }
  });

  // The writer: good version N, then a broken one, each after 100-300 ms.
  std::atomic<int> broken_written{0};
  std::atomic<bool> stop_writing{false};
  std::thread writer([&] {
    std::mt19937 random(20261128);
    std::uniform_int_distribution<int> pause_ms(100, 300);
    int version = 1;
    while (!stop_writing.load()) {
      absl::SleepFor(absl::Milliseconds(pause_ms(random)));
      const int broken = broken_written.fetch_add(1);
      EXPECT_TRUE(WriteFileAtomically(file, BrokenRuleSet(version, broken)).ok());
      absl::SleepFor(absl::Milliseconds(pause_ms(random)));
      ++version;
      latest_written_.store(version);  // before the file: answers may name it at once
      EXPECT_TRUE(WriteFileAtomically(file, GoodRuleSet(version)).ok());
    }
  });

  std::vector<std::thread> clients;
  for (int i = 0; i < 2; ++i) clients.emplace_back([&] { UnaryClient(address); });
  for (int i = 0; i < 2; ++i) clients.emplace_back([&] { StreamClient(address); });
  clients.emplace_back([&] { BatchClient(address); });
  EXPECT_EQ(clients.size(), kClientThreads);

  absl::SleepFor(duration);
  stop_writing.store(true);
  writer.join();
  const absl::Duration traffic_end = absl::Now() - start;
  // The last write, a good version, serves within a few polls. (No ASSERT
  // until the threads are joined.)
  auto admin = entente::v1::Entente::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  entente::v1::ListRuleSetsResponse list;
  grpc::Status list_status;
  const absl::Time settle_deadline = absl::Now() + absl::Seconds(30);
  do {
    absl::SleepFor(absl::Milliseconds(50));
    list.Clear();
    list_status = admin->ListRuleSets(Context().get(), {}, &list);
  } while (list_status.ok() &&
           (list.rule_sets_size() != 1 ||
            list.rule_sets(0).declared_version() != absl::StrCat(latest_written_.load())) &&
           absl::Now() < settle_deadline);
  httplib::Client metrics("http://" + server->metrics_address());
  auto page = metrics.Get("/metrics");
  const std::string metrics_page = page ? page->body : "";
  const int64_t reloads_ok = Metric(metrics_page, "entente_rule_set_reloads_total{outcome=\"ok\"}");
  const int64_t reloads_failed =
      Metric(metrics_page, "entente_rule_set_reloads_total{outcome=\"failed\"}");
  const int64_t serving = Metric(metrics_page, "entente_serving");

  // (d) SIGTERM while the clients still call (they stop at their first
  // refusal) and while a long batch runs: the drain must let it finish.
  ClassifyBatchRequest long_batch;
  long_batch.set_rule_set("soak");
  for (int i = 0; i < kLongBatch; ++i) long_batch.add_documents()->set_text(kText);
  // Small results (no annotations) keep both ends' memory down. (With full
  // results, tens of MB, this batch found that the drain used to cancel a
  // response still being sent: see HeldUnaryReactor in entente_service.cc.)
  long_batch.mutable_options()->set_min_score(1.0);
  long_batch.mutable_options()->set_omit_sentences(true);
  long_batch.mutable_options()->set_omit_aggregate(true);
  ClassifyBatchResponse long_response;
  grpc::Status long_status;
  std::atomic<bool> long_done{false};
  std::thread long_call([&] {
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(-1);
    long_status = entente::v1::Entente::NewStub(
                      grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args))
                      ->ClassifyBatch(Context().get(), long_batch, &long_response);
    long_done.store(true);
  });
  // SIGTERM once the batch's handler runs: from then until its response is
  // sent, the call holds its request's bytes of the server's in-flight
  // budget (entente_inflight_bytes), far more than the traffic's calls
  // hold. (A request still arriving is not drained: gRPC shows a unary call
  // to the server only once its whole message is in, and cancels it at
  // shutdown.)
  const int64_t long_batch_bytes = static_cast<int64_t>(long_batch.ByteSizeLong());
  const absl::Time batch_deadline = absl::Now() + absl::Seconds(60);
  bool batch_running = false;
  while (!batch_running && !long_done.load() && absl::Now() < batch_deadline) {
    absl::SleepFor(absl::Milliseconds(2));
    auto in_flight = metrics.Get("/metrics");
    batch_running =
        in_flight && Metric(in_flight->body, "entente_inflight_bytes") >= long_batch_bytes;
  }
  const bool long_batch_in_flight = batch_running && !long_done.load();
  sigterm_sent_.store(true);
  const absl::Time sigterm_at = absl::Now();
  server->Signal(SIGTERM);
  absl::StatusOr<int> exit_status = server->Wait(absl::Seconds(60));
  const absl::Duration drain = absl::Now() - sigterm_at;
  stop_.store(true);
  for (std::thread& client : clients) client.join();
  long_call.join();
  // One good version for the whole batch.
  int long_consistent = 0;
  const int long_version = DeclaredVersion(long_response.rule_set_version());
  if (long_version >= 1 && long_version <= latest_written_.load()) {
    for (const ClassifyResult& result : long_response.results()) {
      if (result.rule_set_version() == long_response.rule_set_version() &&
          result.annotations_size() == 0 && result.error().empty()) {
        ++long_consistent;
      }
    }
  }
  stop_sampling.store(true);
  sampler.join();

  // (c) Memory: the samples after a warm-up (the first quarter of the run,
  // at least 3 s: the worker pool, gRPC's per-connection buffers and
  // malloc's per-thread arenas fill up there) split in halves. A leak grows
  // without bound, so the second half's peak would pass the first half's
  // by its growth rate times half the run; allocator noise (arenas, freed
  // memory not returned to the kernel, rule sets compiled while an old one
  // still answers) is bounded and does not grow with time. The margin,
  // 8 MB or 10% of the first half's peak, is several times the noise seen
  // in runs of this test, and well under what a leak of one compiled rule
  // set per reload or a few hundred bytes per call would add over 10 min.
  std::vector<std::pair<absl::Duration, int64_t>> samples;
  {
    absl::MutexLock lock(&rss_mu);
    for (const auto& sample : rss) {
      if (sample.first < traffic_end) samples.push_back(sample);
    }
  }
  const absl::Duration warm_up = std::max(absl::Seconds(3), duration / 4);
  std::vector<int64_t> steady;
  for (const auto& [at, kb] : samples) {
    if (at >= warm_up) steady.push_back(kb);
  }
  if (!exit_status.ok() || *exit_status != 0) {
    std::cout << "server log:\n" << server->Log() << "\n";
  }
  ASSERT_GE(steady.size(), 4u) << "too few RSS samples";
  const size_t half = steady.size() / 2;
  const int64_t first_peak = *std::max_element(steady.begin(), steady.begin() + half);
  const int64_t second_peak = *std::max_element(steady.begin() + half, steady.end());
  const int64_t margin_kb = std::max<int64_t>(8 * 1024, first_peak / 10);

  int64_t unary, streams, batches, results, failures, inconsistent;
  int64_t in_flight, in_flight_ok, refused, gone, bad_after;
  std::set<int> versions_seen;
  std::vector<std::string> examples;
  {
    absl::MutexLock lock(&tally_.mu_);
    unary = tally_.calls_["Classify"];
    streams = tally_.calls_["ClassifyStream"];
    batches = tally_.calls_["ClassifyBatch"];
    results = tally_.results_;
    failures = tally_.failures_;
    inconsistent = tally_.inconsistent_;
    in_flight = tally_.in_flight_at_sigterm_;
    in_flight_ok = tally_.in_flight_ok_;
    refused = tally_.refused_draining_;
    gone = tally_.refused_gone_;
    bad_after = tally_.bad_after_sigterm_;
    for (const auto& [n, digest] : tally_.digests_) versions_seen.insert(n);
    examples = tally_.examples_;
  }
  const std::string log = server->Log();
  int64_t failed_in_log = 0;
  for (size_t at = 0; (at = log.find("WARNING reload outcome=failed", at)) != std::string::npos;
       ++at) {
    ++failed_in_log;
  }

  std::cout << "soak: " << absl::FormatDuration(duration) << " of traffic\n"
            << "  calls: " << unary << " Classify, " << streams << " ClassifyStream ("
            << stream_items_.load() << " items), " << batches << " ClassifyBatch; " << results
            << " results checked\n"
            << "  errors: " << failures << " failed, " << inconsistent << " inconsistent\n"
            << "  rule versions: " << latest_written_.load() << " good and "
            << broken_written.load() << " broken written; " << versions_seen.size()
            << " distinct good versions answered; reloads " << reloads_ok << " ok, "
            << reloads_failed << " failed (" << failed_in_log << " logged)\n"
            << "  RSS (kB): " << samples.front().second << " at start, " << first_peak
            << " first-half peak, " << second_peak << " second-half peak, " << samples.back().second
            << " at the end (" << samples.size() << " samples, warm-up "
            << absl::FormatDuration(warm_up) << ")\n"
            << "  SIGTERM: exit " << (exit_status.ok() ? absl::StrCat(*exit_status) : "none")
            << " after " << absl::FormatDuration(drain) << "; batch of " << kLongBatch
            << (long_batch_in_flight ? " in flight: " : " done before SIGTERM: ")
            << long_status.error_code() << ", " << long_consistent << " consistent results; "
            << in_flight << " client calls in flight (" << in_flight_ok
            << " OK); refused: " << refused << " shutting down, " << gone << " server gone; "
            << bad_after << " other endings\n";
  for (const std::string& example : examples) std::cout << "  " << example << "\n";

  // (a) and (b).
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(inconsistent, 0);
  EXPECT_GT(unary, 0);
  EXPECT_GT(streams, 0);
  EXPECT_GT(batches, 0);
  // Reloads did happen, many times, and every broken file was refused: the
  // serving version is good and the server serves.
  EXPECT_GE(static_cast<int>(versions_seen.size()), std::max(3, latest_written_.load() / 4));
  EXPECT_GE(reloads_failed, std::max(1, broken_written.load() / 4));
  EXPECT_EQ(failed_in_log, reloads_failed);
  EXPECT_EQ(serving, 1);
  ASSERT_TRUE(list_status.ok()) << list_status.error_code() << " " << list_status.error_message()
                                << "\n"
                                << log;
  ASSERT_EQ(list.rule_sets_size(), 1);
  EXPECT_EQ(list.rule_sets(0).declared_version(), absl::StrCat(latest_written_.load()));
  // (c), except under sanitizers, whose allocators keep freed memory.
  if (std::getenv("ENTENTE_SANITIZER") == nullptr) {
    EXPECT_LE(second_peak, first_peak + margin_kb)
        << "RSS grew from " << first_peak << " kB to " << second_peak << " kB";
  }
  // (d)
  ASSERT_TRUE(exit_status.ok()) << "the server did not exit after SIGTERM\n" << log;
  EXPECT_EQ(*exit_status, 0) << log;
  EXPECT_EQ(bad_after, 0);
  EXPECT_GT(refused, 0) << "no client saw the drain";
  EXPECT_TRUE(long_batch_in_flight) << "the long batch finished before SIGTERM";
  EXPECT_TRUE(long_status.ok()) << long_status.error_code() << " " << long_status.error_message();
  EXPECT_EQ(long_consistent, kLongBatch);
}

}  // namespace
}  // namespace entente
