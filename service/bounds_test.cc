// The server against hostile and careless clients and rules directories
// (issues 12 and 13): the real binary on loopback, one test per case, each
// checking what the client gets and, where it matters, what the server
// holds (by counting, or from /proc), never how long it took.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "google/protobuf/stubs/logging.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "proto/service.grpc.pb.h"
#include "service/testing/hostile_inputs.h"
#include "service/testing/process_stats.h"
#include "service/testing/server_process.h"

namespace entente {
namespace {

namespace fs = std::filesystem;
using entente::v1::ClassifyBatchRequest;
using entente::v1::ClassifyBatchResponse;
using entente::v1::ClassifyRequest;
using entente::v1::ClassifyResponse;
using entente::v1::ClassifyStreamResponse;

// How long tests wait for something that should happen soon. Generous:
// sanitizer builds on a busy 2-core machine are slow. Tests stop waiting as
// soon as it happens.
constexpr absl::Duration kPatience = absl::Seconds(90);

std::string MiniRuleSet(const std::string& version, const std::string& word) {
  return absl::StrCat("name: \"mini\"\nversion: \"", version,
                      "\"\nstance { id: \"fruit\" label: \"Fruit\" }\n"
                      "rule { id: \"fruit_word\" stance: \"fruit\" polarity: SUPPORT weight: 0.9 "
                      "pattern: \"\\\\b",
                      word, "s?\\\\b\" }\n");
}

// A rules directory holding "mini" as default.textproto... named "mini".
std::string MiniRules(const std::string& name, const std::string& word = "apple") {
  const std::string dir = absl::StrCat(ServerProcess::TempDir(name), "/rules");
  fs::create_directories(dir);
  EXPECT_TRUE(WriteFileAtomically(dir + "/mini.textproto", MiniRuleSet("1", word)).ok());
  return dir;
}

std::unique_ptr<entente::v1::Entente::Stub> Stub(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  args.SetMaxSendMessageSize(-1);
  return entente::v1::Entente::NewStub(
      grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
}

std::unique_ptr<grpc::ClientContext> Context(absl::Duration timeout = absl::Seconds(60)) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout)));
  return context;
}

ClassifyRequest Request(const std::string& text, const std::string& rule_set = "") {
  ClassifyRequest request;
  request.set_text(text);
  request.set_rule_set(rule_set);
  return request;
}

std::unique_ptr<ServerProcess> StartServer(const std::vector<std::string>& args) {
  std::vector<std::string> all = {"--listen=127.0.0.1:0"};
  all.insert(all.end(), args.begin(), args.end());
  auto server = ServerProcess::Start(all);
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? std::move(*server) : nullptr;
}

// The value of one metric line ("name{labels} value"), or -1.
double Metric(const std::string& page, const std::string& series) {
  for (absl::string_view line : absl::StrSplit(page, '\n')) {
    if (!absl::ConsumePrefix(&line, series) || !absl::ConsumePrefix(&line, " ")) continue;
    double value = -1;
    if (absl::SimpleAtod(line, &value)) return value;
  }
  return -1;
}

std::string MetricsPage(const ServerProcess& server) {
  httplib::Client client("http://" + server.metrics_address());
  auto page = client.Get("/metrics");
  return page && page->status == 200 ? page->body : "";
}

// Waits until `condition` holds; false if it does not within kPatience.
template <typename F>
bool Eventually(F condition) {
  const absl::Time deadline = absl::Now() + kPatience;
  while (!condition()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

entente::v1::ListRuleSetsResponse List(entente::v1::Entente::Stub* stub) {
  entente::v1::ListRuleSetsResponse list;
  grpc::Status status = stub->ListRuleSets(Context().get(), {}, &list);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return list;
}

// --- Listener and start ----------------------------------------------------

// gRPC sets SO_REUSEPORT by default: the second server used to "listen" too.
TEST(ListenerTest, ASecondServerOnAUsedAddressExitsNamingIt) {
  const std::string rules = MiniRules("listener");
  auto first = StartServer({"--rules=" + rules, "--default_rule_set=mini"});
  ASSERT_NE(first, nullptr);
  absl::StatusOr<ServerProcess::Exit> second = ServerProcess::RunToExit(
      {"--listen=" + first->address(), "--rules=" + rules, "--default_rule_set=mini"});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE(second->status, 0);
  EXPECT_TRUE(absl::StrContains(second->output, "cannot listen on " + first->address()))
      << second->output;
  EXPECT_FALSE(absl::StrContains(second->output, "listening on")) << second->output;
  // The first one still serves.
  ClassifyResponse response;
  EXPECT_TRUE(Stub(first->address())->Classify(Context().get(), Request("apple"), &response).ok());
}

TEST(StartTest, ADefaultRuleSetThatDoesNotExistStopsTheServer) {
  const std::string rules = MiniRules("typo");
  absl::StatusOr<ServerProcess::Exit> exit = ServerProcess::RunToExit(
      {"--listen=127.0.0.1:0", "--rules=" + rules, "--default_rule_set=nope"});
  ASSERT_TRUE(exit.ok()) << exit.status();
  EXPECT_EQ(exit->status, 2);
  EXPECT_TRUE(
      absl::StrContains(exit->output, "--default_rule_set=nope: no rule set named \"nope\""))
      << exit->output;
  EXPECT_TRUE(absl::StrContains(exit->output, "loaded: mini")) << exit->output;
  EXPECT_FALSE(absl::StrContains(exit->output, "listening on")) << exit->output;
}

// --- Logs ------------------------------------------------------------------

// Sends requests whose `speaker` is not UTF-8 (the protobuf library logs
// each one it fails to parse).
void SendBadStrings(const std::string& address, int count) {
  google::protobuf::LogSilencer quiet;  // this side's own complaint
  auto stub = Stub(address);
  for (int i = 0; i < count; ++i) {
    ClassifyRequest request = Request("apple");
    request.set_speaker("\xff\xfe");
    ClassifyResponse response;
    EXPECT_EQ(stub->Classify(Context().get(), request, &response).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
}

TEST(LogTest, LibraryLinesGoThroughTheServersLoggerAndLevel) {
  const std::string rules = MiniRules("logs");
  {
    auto quiet = StartServer({"--rules=" + rules, "--default_rule_set=mini", "--log_level=off"});
    ASSERT_NE(quiet, nullptr);
    SendBadStrings(quiet->address(), 50);
    quiet->Signal(SIGTERM);
    ASSERT_TRUE(quiet->Wait(kPatience).ok());
    EXPECT_EQ(quiet->Log(), "");  // not one line, from us or from a library
  }
  auto warning =
      StartServer({"--rules=" + rules, "--default_rule_set=mini", "--log_level=warning"});
  ASSERT_NE(warning, nullptr);
  SendBadStrings(warning->address(), 3);
  warning->Signal(SIGTERM);
  ASSERT_TRUE(warning->Wait(kPatience).ok());
  const std::string log = warning->Log();
  for (absl::string_view line : absl::StrSplit(log, '\n', absl::SkipEmpty())) {
    EXPECT_TRUE(absl::StrContains(line, " WARNING protobuf message=") ||
                absl::StrContains(line, " WARNING ") || absl::StrContains(line, " ERROR "))
        << line;
  }
  EXPECT_TRUE(absl::StrContains(log, "WARNING protobuf message=\"String field")) << log;
}

// --- Metrics endpoint ------------------------------------------------------

TEST(MetricsEndpointTest, BindsLoopbackUnlessToldOtherwiseAndWarnsThen) {
  const std::string rules = MiniRules("metrics-bind");
  auto loopback = StartServer({"--rules=" + rules, "--default_rule_set=mini",
                               "--metrics_address=:0", "--poll_interval_ms=0"});
  ASSERT_NE(loopback, nullptr);
  EXPECT_TRUE(absl::StartsWith(loopback->metrics_address(), "127.0.0.1:"))
      << loopback->metrics_address();
  EXPECT_FALSE(absl::StrContains(loopback->Log(), "insecure_metrics_listener"));

  auto wildcard = StartServer({"--rules=" + rules, "--default_rule_set=mini",
                               "--metrics_address=0.0.0.0:0", "--poll_interval_ms=0"});
  ASSERT_NE(wildcard, nullptr);
  EXPECT_TRUE(absl::StrContains(wildcard->Log(), "WARNING insecure_metrics_listener"))
      << wildcard->Log();
}

// A connected socket that sends nothing.
int IdleConnection(const std::string& address) {
  int port = 0;
  EXPECT_TRUE(absl::SimpleAtoi(address.substr(address.rfind(':') + 1), &port));
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in to = {};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)), 0);
  return fd;
}

// 200 half-open connections: the server holds at most its limit of them
// (counted in /proc), /metrics still answers, and shutdown is not held up.
TEST(MetricsEndpointTest, HalfOpenConnectionsAreBoundedAndTimedOut) {
  const std::string rules = MiniRules("metrics-flood");
  auto server = StartServer({"--rules=" + rules, "--default_rule_set=mini",
                             "--metrics_address=127.0.0.1:0", "--metrics_max_connections=8",
                             "--metrics_io_timeout_ms=1000", "--poll_interval_ms=0"});
  ASSERT_NE(server, nullptr);
  absl::StatusOr<ProcessStats> before = ReadProcessStats(server->pid());
  ASSERT_TRUE(before.ok());
  std::vector<int> idle;
  for (int i = 0; i < 200; ++i) idle.push_back(IdleConnection(server->metrics_address()));
  absl::StatusOr<ProcessStats> during = ReadProcessStats(server->pid());
  ASSERT_TRUE(during.ok());
  // 8 connections held at most, and the listener's backlog is drained: not
  // 200 sockets.
  EXPECT_LE(during->open_sockets, before->open_sockets + 8 + 2)
      << before->open_sockets << " sockets before";
  // The scraper gets its page (perhaps after a 503 or two while the idle
  // ones hold their places).
  std::string page;
  EXPECT_TRUE(Eventually([&] {
    page = MetricsPage(*server);
    return !page.empty();
  }));
  // Refused at once, not queued (how many depends on how many of the held
  // ones timed out meanwhile).
  EXPECT_GT(Metric(page, "entente_limit_refusals_total{limit=\"metrics_max_connections\"}"), 0);
  for (int fd : idle) close(fd);
  server->Signal(SIGTERM);
  absl::StatusOr<int> exit_status = server->Wait(kPatience);
  ASSERT_TRUE(exit_status.ok());
  EXPECT_EQ(*exit_status, 0) << server->Log();
}

// --- The rules directory ---------------------------------------------------

// mkdir x; ln -s . x/a; ln -s . x/b: the fingerprint walk used to follow
// the links forever, before the server ever listened.
TEST(RulesDirectoryTest, ALinkLoopMadeBeforeStartIsHarmless) {
  const std::string rules = MiniRules("loop-before");
  fs::create_directories(rules + "/x");
  fs::create_directory_symlink(".", rules + "/x/a");
  fs::create_directory_symlink(".", rules + "/x/b");
  auto server =
      StartServer({"--rules=" + rules, "--default_rule_set=mini", "--poll_interval_ms=50"});
  ASSERT_NE(server, nullptr);
  ClassifyResponse response;
  ASSERT_TRUE(Stub(server->address())->Classify(Context().get(), Request("apple"), &response).ok());
  EXPECT_EQ(response.result().annotations_size(), 1);
  server->Signal(SIGTERM);
  absl::StatusOr<int> exit_status = server->Wait(kPatience);
  ASSERT_TRUE(exit_status.ok()) << "SIGTERM did not end the server\n" << server->Log();
  EXPECT_EQ(*exit_status, 0);
}

// The same loop made while clients call: hot reload goes on, and SIGTERM
// still ends the server.
TEST(RulesDirectoryTest, ALinkLoopMadeDuringTrafficKeepsReloadAndShutdownWorking) {
  const std::string rules = MiniRules("loop-during");
  auto server =
      StartServer({"--rules=" + rules, "--default_rule_set=mini", "--poll_interval_ms=50"});
  ASSERT_NE(server, nullptr);
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::thread client([&] {
    auto stub = Stub(server->address());
    while (!stop.load()) {
      ClassifyResponse response;
      if (!stub->Classify(Context().get(), Request("apple banana"), &response).ok()) {
        failures.fetch_add(1);
      }
    }
  });
  fs::create_directories(rules + "/x");
  fs::create_directory_symlink(".", rules + "/x/a");
  fs::create_directory_symlink(".", rules + "/x/b");
  ASSERT_TRUE(WriteFileAtomically(rules + "/mini.textproto", MiniRuleSet("2", "banana")).ok());
  auto stub = Stub(server->address());
  EXPECT_TRUE(Eventually([&] {
    ClassifyResponse response;
    return stub->Classify(Context().get(), Request("banana"), &response).ok() &&
           absl::StartsWith(response.result().rule_set_version(), "2+");
  })) << server->Log();
  stop.store(true);
  client.join();
  EXPECT_EQ(failures.load(), 0);
  server->Signal(SIGTERM);
  absl::StatusOr<int> exit_status = server->Wait(kPatience);
  ASSERT_TRUE(exit_status.ok()) << "SIGTERM did not end the server\n" << server->Log();
  EXPECT_EQ(*exit_status, 0);
}

// True if any answer of `server` so far mentions `text`.
bool AnswersMention(entente::v1::Entente::Stub* stub, const std::string& text) {
  const std::string list = List(stub).DebugString();
  entente::v1::GetRuleSetRequest get;
  entente::v1::GetRuleSetResponse got;
  stub->GetRuleSet(Context().get(), get, &got);
  return absl::StrContains(list, text) || absl::StrContains(got.DebugString(), text);
}

// A rule file, or a directory of includes, that is a link to elsewhere:
// never read, never served, never quoted.
TEST(RulesDirectoryTest, LinksThatLeaveTheDirectoryAreRefused) {
  const std::string rules = MiniRules("link-out");
  const std::string outside = ServerProcess::TempDir("outside");
  ASSERT_TRUE(WriteFileAtomically(outside + "/stolen.textproto",
                                  "name: \"stolen\"\nstance { id: \"stolen_stance\" }\n")
                  .ok());
  ASSERT_TRUE(WriteFileAtomically(outside + "/secret.txt", "SECRET-FIRST-TOKEN and more\n").ok());
  auto server =
      StartServer({"--rules=" + rules, "--default_rule_set=mini", "--poll_interval_ms=50"});
  ASSERT_NE(server, nullptr);
  auto stub = Stub(server->address());
  fs::create_symlink(outside + "/stolen.textproto", rules + "/stolen.textproto");
  fs::create_symlink(outside + "/secret.txt", rules + "/secret.textproto");

  entente::v1::ListRuleSetsResponse list;
  ASSERT_TRUE(Eventually([&] {
    list = List(stub.get());
    return !list.last_reload().ok();
  })) << server->Log();
  EXPECT_TRUE(absl::StrContains(list.last_reload().error(),
                                ".textproto is a symbolic link that "
                                "leads out of the rules directory"))
      << list.last_reload().error();
  entente::v1::GetRuleSetRequest get;
  get.set_name("stolen");
  entente::v1::GetRuleSetResponse got;
  EXPECT_EQ(stub->GetRuleSet(Context().get(), get, &got).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_FALSE(AnswersMention(stub.get(), "SECRET"));
  EXPECT_FALSE(AnswersMention(stub.get(), "stolen_stance"));
  EXPECT_FALSE(AnswersMention(stub.get(), outside));
  EXPECT_FALSE(AnswersMention(stub.get(), rules));
  // The last good version serves.
  ClassifyResponse response;
  ASSERT_TRUE(stub->Classify(Context().get(), Request("apple"), &response).ok());
  EXPECT_EQ(response.result().annotations_size(), 1);

  // Includes reach outside through a directory link just the same.
  fs::remove(rules + "/stolen.textproto");
  fs::remove(rules + "/secret.textproto");
  fs::create_directory_symlink(outside, rules + "/fragments");
  ASSERT_TRUE(WriteFileAtomically(rules + "/mini.textproto",
                                  MiniRuleSet("2", "pear") + "include: \"fragments/secret.txt\"\n")
                  .ok());
  (*server).Signal(SIGHUP);
  EXPECT_TRUE(Eventually([&] {
    list = List(stub.get());
    return absl::StrContains(list.last_reload().error(), "fragments is a symbolic link");
  })) << list.DebugString();
  EXPECT_FALSE(AnswersMention(stub.get(), "SECRET"));
}

// A rules directory that disappears, or becomes unreadable, under a running
// server: the last good rule sets keep serving, and ListRuleSets, the log
// and the metrics say so, without naming the server's paths.
TEST(RulesDirectoryTest, ADirectoryThatDisappearsKeepsTheLastGoodVersionAndSaysSo) {
  const std::string rules = MiniRules("vanish");
  auto server = StartServer({"--rules=" + rules, "--default_rule_set=mini", "--poll_interval_ms=50",
                             "--metrics_address=127.0.0.1:0"});
  ASSERT_NE(server, nullptr);
  auto stub = Stub(server->address());
  EXPECT_EQ(Metric(MetricsPage(*server), "entente_rules_directory_ok"), 1);
  const std::string moved = rules + ".moved";
  fs::rename(rules, moved);

  entente::v1::ListRuleSetsResponse list;
  ASSERT_TRUE(Eventually([&] {
    list = List(stub.get());
    return !list.last_reload().ok();
  })) << server->Log();
  EXPECT_TRUE(absl::StrContains(list.last_reload().error(), "missing")) << list.DebugString();
  ASSERT_EQ(list.rule_sets_size(), 1);
  EXPECT_FALSE(list.rule_sets(0).reload_error().empty());
  EXPECT_FALSE(absl::StrContains(list.DebugString(), rules)) << list.DebugString();
  ClassifyResponse response;
  ASSERT_TRUE(stub->Classify(Context().get(), Request("apple"), &response).ok());
  EXPECT_EQ(response.result().annotations_size(), 1);
  EXPECT_EQ(Metric(MetricsPage(*server), "entente_rules_directory_ok"), 0);
  EXPECT_EQ(Metric(MetricsPage(*server), "entente_rule_set_last_reload_ok"), 0);
  EXPECT_TRUE(server->WaitForLog("WARNING reload outcome=failed", kPatience)) << server->Log();
  EXPECT_TRUE(absl::StrContains(server->Log(), "kept_last_good=mini")) << server->Log();

  fs::rename(moved, rules);
  EXPECT_TRUE(Eventually([&] { return List(stub.get()).last_reload().ok(); }));
  EXPECT_EQ(Metric(MetricsPage(*server), "entente_rules_directory_ok"), 1);

  if (geteuid() != 0) {  // root reads every directory
    fs::permissions(rules, fs::perms::none);
    EXPECT_TRUE(Eventually([&] { return !List(stub.get()).last_reload().ok(); }));
    EXPECT_TRUE(stub->Classify(Context().get(), Request("apple"), &response).ok());
    fs::permissions(rules, fs::perms::owner_all);
  }
}

// Reload reports name files relative to the rules directory.
TEST(RulesDirectoryTest, AnswersCarryNoServerPaths) {
  const std::string rules = MiniRules("paths");
  auto server =
      StartServer({"--rules=" + rules, "--default_rule_set=mini", "--poll_interval_ms=50"});
  ASSERT_NE(server, nullptr);
  auto stub = Stub(server->address());
  fs::create_directories(rules + "/fragments");
  ASSERT_TRUE(WriteFileAtomically(rules + "/fragments/bad.textproto", "rule { id: ").ok());
  ASSERT_TRUE(
      WriteFileAtomically(rules + "/mini.textproto", MiniRuleSet("2", "pear") +
                                                         "include: \"fragments/bad.textproto\"\n"
                                                         "include: \"../../elsewhere.textproto\"\n")
          .ok());
  entente::v1::ListRuleSetsResponse list;
  ASSERT_TRUE(Eventually([&] {
    list = List(stub.get());
    return !list.last_reload().ok();
  }));
  const std::string answer = list.DebugString();
  EXPECT_TRUE(absl::StrContains(answer, "fragments/bad.textproto")) << answer;
  EXPECT_FALSE(absl::StrContains(answer, rules)) << answer;
  EXPECT_FALSE(absl::StrContains(answer, fs::absolute(rules).string())) << answer;
  EXPECT_FALSE(absl::StrContains(answer, fs::canonical(rules).string())) << answer;
}

// --- Shutdown --------------------------------------------------------------

// A rule set that takes many seconds to compile (patterns up to the compile
// budget), then SIGTERM while the watcher compiles it: the process ends at
// the drain deadline, not when the compile is done.
TEST(ShutdownTest, SigtermEndsTheProcessAtTheDrainDeadlineWhateverTheWatcherDoes) {
  const std::string rules = MiniRules("slow-reload");
  auto server = StartServer({"--rules=" + rules, "--default_rule_set=mini", "--poll_interval_ms=50",
                             "--drain_deadline_ms=2000"});
  ASSERT_NE(server, nullptr);
  absl::StatusOr<ProcessStats> before = ReadProcessStats(server->pid());
  ASSERT_TRUE(before.ok());
  // About 12 MB of pattern: tens of seconds of RE2 compilation here.
  ASSERT_TRUE(WriteFileAtomically(rules + "/slow.textproto", LargeRuleSet(12 << 20)).ok());
  // The reload is under way once the server has used a second of CPU.
  ASSERT_TRUE(Eventually([&] {
    absl::StatusOr<ProcessStats> now = ReadProcessStats(server->pid());
    return now.ok() && now->cpu_seconds >= before->cpu_seconds + 1;
  }));
  server->Signal(SIGTERM);
  absl::StatusOr<int> exit_status = server->Wait(kPatience);
  ASSERT_TRUE(exit_status.ok()) << "SIGTERM did not end the server\n" << server->Log();
  const std::string log = server->Log();
  // Ended by the watchdog at the deadline, with the reload still running.
  EXPECT_EQ(*exit_status, 1) << log;
  EXPECT_TRUE(absl::StrContains(log, "ERROR forced_exit stage=\"stopping the rules watcher"))
      << log;
  // The reload of the slow file ("large") never finished.
  EXPECT_FALSE(absl::StrContains(log, "large@")) << log;
}

// --- Per-call limits -------------------------------------------------------

class LimitsTest : public ::testing::Test {
 protected:
  // The bundled rule sets ("default" explains at length) and "mini".
  static void SetUpTestSuite() {
    rules_ = new std::string(MiniRules("limits"));
    EXPECT_TRUE(ServerProcess::CopyTree(ServerProcess::BundledRules(), *rules_ + "/bundled").ok());
    for (const auto& entry : fs::directory_iterator(*rules_ + "/bundled")) {
      fs::rename(entry.path(), *rules_ + "/" + entry.path().filename().string());
    }
    server_ = StartServer({"--rules=" + *rules_, "--default_rule_set=mini", "--poll_interval_ms=0",
                           "--metrics_address=127.0.0.1:0", "--max_request_bytes=8388608",
                           "--max_response_bytes=2000000", "--max_inflight_bytes=6000000",
                           "--max_explanation_bytes=20000", "--max_streams=2",
                           "--stream_window_bytes=1000000", "--stream_window=1000",
                           "--max_validate_bytes=200000", "--max_validate_time_ms=1"})
                  .release();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete rules_;
  }
  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    stub_ = Stub(server_->address());
  }

  static std::string* rules_;
  static ServerProcess* server_;
  std::unique_ptr<entente::v1::Entente::Stub> stub_;
};

std::string* LimitsTest::rules_ = nullptr;
ServerProcess* LimitsTest::server_ = nullptr;

// "I like apples. " repeated: one sentence and one annotation of "mini"
// per 15 bytes.
std::string Apples(size_t bytes) {
  std::string text;
  while (text.size() + 15 <= bytes) text += "I like apples. ";
  return text;
}

TEST_F(LimitsTest, AResponseOverTheLimitIsResourceExhausted) {
  ClassifyResponse response;
  grpc::Status status = stub_->Classify(Context().get(), Request(Apples(300000)), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "--max_response_bytes"))
      << status.error_message();
  // Leaving out the sentences and annotations brings it under.
  ClassifyRequest smaller = Request(Apples(300000));
  smaller.mutable_options()->set_omit_sentences(true);
  smaller.mutable_options()->set_min_score(1.0);
  EXPECT_TRUE(stub_->Classify(Context().get(), smaller, &response).ok());

  ClassifyBatchRequest batch;
  for (int i = 0; i < 50; ++i) batch.add_documents()->set_text(Apples(10000));
  ClassifyBatchResponse batch_response;
  status = stub_->ClassifyBatch(Context().get(), batch, &batch_response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "--max_response_bytes"))
      << status.error_message();
}

TEST_F(LimitsTest, ExplanationsAreCutAndSaySo) {
  ClassifyRequest request = Request(Apples(20000));
  request.mutable_options()->set_explain(true);
  request.mutable_options()->set_omit_sentences(true);
  request.mutable_options()->set_min_score(1.0);
  ClassifyResponse response;
  grpc::Status status = stub_->Classify(Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const entente::v1::Explanation& explanation = response.result().explanation();
  ASSERT_TRUE(explanation.has_truncated());
  EXPECT_GT(explanation.truncated().sentences_omitted(), 0);
  EXPECT_LE(explanation.ByteSizeLong(), 20000u + 200u);

  // A batch's documents share the budget.
  ClassifyBatchRequest batch;
  *batch.mutable_options() = request.options();
  for (int i = 0; i < 20; ++i) batch.add_documents()->set_text(Apples(3000));
  ClassifyBatchResponse batch_response;
  ASSERT_TRUE(stub_->ClassifyBatch(Context().get(), batch, &batch_response).ok());
  size_t explained = 0;
  for (const auto& result : batch_response.results()) {
    explained += result.explanation().ByteSizeLong();
  }
  EXPECT_LE(explained, 2 * 20000u + 20 * 200u);  // two workers may each take what is left
  EXPECT_TRUE(batch_response.results(19).explanation().has_truncated());
}

TEST_F(LimitsTest, ARequestOverTheInflightBudgetIsResourceExhausted) {
  ClassifyResponse response;
  ClassifyRequest request = Request(Apples(6500000));
  request.mutable_options()->set_omit_sentences(true);
  grpc::Status status = stub_->Classify(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "--max_inflight_bytes"))
      << status.error_message();
}

TEST_F(LimitsTest, StreamsAreLimitedInNumber) {
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReaderWriter<ClassifyRequest, ClassifyStreamResponse>>>
      streams;
  for (int i = 0; i < 2; ++i) {
    contexts.push_back(Context());
    streams.push_back(stub_->ClassifyStream(contexts.back().get()));
    ASSERT_TRUE(streams.back()->Write(Request("apple")));
    ClassifyStreamResponse response;
    ASSERT_TRUE(streams.back()->Read(&response));  // it is open on the server
  }
  auto context = Context();
  auto third = stub_->ClassifyStream(context.get());
  third->WritesDone();
  grpc::Status status = third->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "--max_streams")) << status.error_message();
  for (auto& stream : streams) {
    stream->WritesDone();
    EXPECT_TRUE(stream->Finish().ok());
  }
}

// A stream that writes and never reads: the server stops reading once its
// window, in bytes, is full; what it holds stays within the window.
TEST_F(LimitsTest, AStreamThatNeverReadsHoldsNoMoreThanItsWindow) {
  auto context = Context(kPatience);
  auto stream = stub_->ClassifyStream(context.get());
  std::atomic<int> written{0};
  constexpr int kItems = 1000;
  // Items of 100 kB whose responses are about 900 kB: the client's
  // transport soon stops taking them, and the server's writes wait.
  std::thread writer([&] {
    ClassifyRequest item = Request(Apples(100000));
    // More items than the transports' buffers take (HTTP/2 windows grow
    // to several MB with BDP probing): 100 MB if nothing held the client.
    for (int i = 0; i < kItems; ++i) {
      if (!stream->Write(item)) return;
      written.fetch_add(1);
    }
  });
  // Written items stop increasing once flow control holds the client.
  int last = -1;
  ASSERT_TRUE(Eventually([&] {
    const int now = written.load();
    absl::SleepFor(absl::Milliseconds(500));
    const bool stalled = now == written.load() && now == last;
    last = now;
    return stalled;
  }));
  const double held = Metric(MetricsPage(*server_), "entente_inflight_bytes");
  ASSERT_GE(held, 0);  // the gauge exists
  // Reading stopped once the window (1 MB) held requests or responses; the
  // responses of the items read by then are held (counted twice), within
  // the in-flight budget (6 MB) that caps every call. Nothing like all
  // the items and their responses.
  EXPECT_GT(held, 0);
  EXPECT_LE(held, 6000000) << written.load() << " written";
  EXPECT_LT(written.load(), kItems);
  context->TryCancel();
  writer.join();
  stream->Finish();
  EXPECT_TRUE(
      Eventually([&] { return Metric(MetricsPage(*server_), "entente_inflight_bytes") == 0; }));
}

// A call abandoned by its deadline stops on the server within a sentence:
// once the call has ended, the server's CPU is idle.
TEST_F(LimitsTest, WorkStopsWhenTheDeadlinePasses) {
  ClassifyRequest request = Request(NewsLikeText(5000000), "default");
  request.mutable_options()->set_explain(true);
  request.mutable_options()->set_omit_sentences(true);
  request.mutable_options()->set_min_score(1.0);
  ClassifyResponse response;
  grpc::Status status = stub_->Classify(Context(absl::Milliseconds(300)).get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  ASSERT_TRUE(
      Eventually([&] { return Metric(MetricsPage(*server_), "entente_calls_in_flight") == 0; }));
  absl::StatusOr<ProcessStats> before = ReadProcessStats(server_->pid());
  absl::SleepFor(absl::Seconds(2));
  absl::StatusOr<ProcessStats> after = ReadProcessStats(server_->pid());
  ASSERT_TRUE(before.ok() && after.ok());
  // Idle: a few scrapes and polls. (Before the fix: two CPU-seconds here.)
  EXPECT_LT(after->cpu_seconds - before->cpu_seconds, 0.5);
}

// (The limit on validations at once is in validate_flood_test.)
TEST_F(LimitsTest, ValidationsAreBoundedInSizeAndTime) {
  entente::v1::ValidateRuleSetRequest big;
  big.set_text(LargeRuleSet(300000));
  entente::v1::ValidateRuleSetResponse verdict;
  grpc::Status status = stub_->ValidateRuleSet(Context().get(), big, &verdict);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "--max_validate_bytes"))
      << status.error_message();

  // Longer than --max_validate_time_ms (1 ms here) whatever the client's
  // deadline: stopped at the next check.
  entente::v1::ValidateRuleSetRequest slow;
  slow.set_text(LargeRuleSet(190000));
  slow.set_run_examples(true);
  status = stub_->ValidateRuleSet(Context().get(), slow, &verdict);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "--max_validate_time_ms"))
      << status.error_message();
  EXPECT_TRUE(Eventually(
      [&] { return Metric(MetricsPage(*server_), "entente_validations_running") == 0; }));
}

}  // namespace
}  // namespace entente
