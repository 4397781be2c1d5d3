// Integration tests: the real entente_server binary, started on port 0 and
// called over loopback with the generated C++ client.

#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "google/protobuf/unknown_field_set.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "proto/service.grpc.pb.h"
#include "service/testing/health.grpc.pb.h"
#include "service/testing/server_process.h"

namespace entente {
namespace {

using entente::v1::ClassifyBatchRequest;
using entente::v1::ClassifyBatchResponse;
using entente::v1::ClassifyRequest;
using entente::v1::ClassifyResponse;
using entente::v1::ClassifyStreamResponse;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

// A one-rule rule set whose answers a test can change: "fruit" SUPPORT when
// the text names `word`.
std::string MiniRuleSet(const std::string& version, const std::string& word) {
  return absl::StrCat("name: \"mini\"\nversion: \"", version,
                      "\"\nstance { id: \"fruit\" label: \"Fruit\" }\n"
                      "rule { id: \"fruit_word\" stance: \"fruit\" polarity: SUPPORT weight: 0.9 "
                      "pattern: \"\\\\b",
                      word, "s?\\\\b\" }\n");
}

std::unique_ptr<entente::v1::Entente::Stub> Stub(const std::string& address) {
  return entente::v1::Entente::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
}

// A context with a deadline, so that no test hangs on a broken server.
std::unique_ptr<grpc::ClientContext> Context(absl::Duration timeout = absl::Seconds(30)) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout)));
  return context;
}

ClassifyRequest Request(const std::string& text, const std::string& rule_set = "",
                        const std::string& id = "") {
  ClassifyRequest request;
  request.set_id(id);
  request.set_text(text);
  request.set_rule_set(rule_set);
  return request;
}

// A rules directory with the bundled rules and the "mini" rule set.
std::string RulesWithMini(const std::string& name, const std::string& version,
                          const std::string& word) {
  const std::string dir = absl::StrCat(ServerProcess::TempDir(name), "/rules");
  EXPECT_TRUE(ServerProcess::CopyTree(ServerProcess::BundledRules(), dir).ok());
  EXPECT_TRUE(WriteFileAtomically(dir + "/mini.textproto", MiniRuleSet(version, word)).ok());
  return dir;
}

const entente::v1::RuleSetSummary* FindSummary(const entente::v1::ListRuleSetsResponse& list,
                                               const std::string& name) {
  for (const auto& summary : list.rule_sets()) {
    if (summary.name() == name) return &summary;
  }
  return nullptr;
}

HealthCheckResponse::ServingStatus Health(const std::string& address, const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  HealthCheckRequest request;
  request.set_service(service);
  HealthCheckResponse response;
  grpc::Status status = stub->Check(Context().get(), request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response.status();
}

// A batch that keeps one worker busy for a while (about a second per 1000
// documents here) with small responses: every sentence takes a stance, but
// min_score 1 leaves the annotations out.
ClassifyBatchRequest SlowBatch(int documents) {
  ClassifyBatchRequest batch;
  std::string text;
  for (int i = 0; i < 40; ++i) {
    absl::StrAppend(&text, "China and Iran called for an immediate ceasefire in Gaza. ",
                    "The two sides will support each other on core interests. ");
  }
  for (int i = 0; i < documents; ++i) batch.add_documents()->set_text(text);
  batch.mutable_options()->set_min_score(1.0);
  batch.mutable_options()->set_omit_sentences(true);
  batch.mutable_options()->set_omit_aggregate(true);
  return batch;
}

// How long tests wait for a reload to show: generous, because sanitizer
// builds on a busy machine compile the bundled rules slowly. Tests stop
// waiting as soon as it shows.
constexpr absl::Duration kReloadPatience = absl::Seconds(90);

// One server with the bundled rules and "mini", shared by the tests that do
// not change its configuration or its rules.
class SharedServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rules_ = new std::string(RulesWithMini("shared", "1", "apple"));
    auto server = ServerProcess::Start({"--listen=127.0.0.1:0", "--rules=" + *rules_,
                                        "--metrics_address=127.0.0.1:0", "--max_batch_size=50",
                                        "--max_request_bytes=65536", "--poll_interval_ms=0"});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = server->release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    delete rules_;
  }
  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    stub_ = Stub(server_->address());
  }

  static ServerProcess* server_;
  static std::string* rules_;
  std::unique_ptr<entente::v1::Entente::Stub> stub_;
};

ServerProcess* SharedServerTest::server_ = nullptr;
std::string* SharedServerTest::rules_ = nullptr;

TEST_F(SharedServerTest, ClassifiesWithTheBundledRulesAndNamesTheVersion) {
  ClassifyResponse response;
  auto context = Context();
  grpc::Status status = stub_->Classify(
      context.get(), Request("China and Iran called for an immediate ceasefire in Gaza.", "", "a1"),
      &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const entente::v1::ClassifyResult& result = response.result();
  EXPECT_EQ(result.id(), "a1");
  EXPECT_EQ(result.rule_set(), "default");
  EXPECT_TRUE(absl::StrContains(result.rule_set_version(), "+")) << result.rule_set_version();
  ASSERT_GE(result.annotations_size(), 1);
  const entente::v1::Annotation& annotation = result.annotations(0);
  EXPECT_EQ(annotation.stance(), "ceasefire");
  EXPECT_EQ(annotation.polarity(), entente::v1::SUPPORT);
  std::vector<std::string> holders;
  for (const auto& holder : annotation.holders()) holders.push_back(holder.actor());
  EXPECT_EQ(holders, (std::vector<std::string>{"CHN", "IRN"}));
  EXPECT_FALSE(annotation.evidence().empty());
  EXPECT_EQ(result.sentences_size(), 1);
  EXPECT_FALSE(result.aggregate().edges().empty());
  // The version also travels in trailing metadata, for generic clients.
  const auto& trailers = context->GetServerTrailingMetadata();
  auto it = trailers.find("entente-rule-set-version");
  ASSERT_NE(it, trailers.end());
  EXPECT_EQ(std::string(it->second.data(), it->second.size()), result.rule_set_version());
}

TEST_F(SharedServerTest, ChoosesTheRuleSetPerRequestAndAppliesOptions) {
  ClassifyRequest request = Request("I like apples. Nothing else.", "mini");
  request.mutable_options()->set_omit_sentences(true);
  request.mutable_options()->set_explain(true);
  ClassifyResponse response;
  ASSERT_TRUE(stub_->Classify(Context().get(), request, &response).ok());
  EXPECT_EQ(response.result().rule_set(), "mini");
  EXPECT_TRUE(absl::StartsWith(response.result().rule_set_version(), "1+"));
  ASSERT_EQ(response.result().annotations_size(), 1);
  EXPECT_EQ(response.result().annotations(0).stance(), "fruit");
  EXPECT_EQ(response.result().sentences_size(), 0);
  EXPECT_FALSE(response.result().explanation().sentences().empty());

  request.mutable_options()->set_min_score(0.95);  // the rule weighs 0.9
  ASSERT_TRUE(stub_->Classify(Context().get(), request, &response).ok());
  EXPECT_EQ(response.result().annotations_size(), 0);
}

TEST_F(SharedServerTest, BatchKeepsOrderAndReportsABadItemWithoutFailing) {
  ClassifyBatchRequest request;
  request.set_rule_set("mini");
  const std::vector<std::string> texts = {"apple pie", "", "no fruit here", "\xC3\x28 apple",
                                          "apples again"};
  for (size_t i = 0; i < texts.size(); ++i) {
    entente::v1::Document* document = request.add_documents();
    document->set_id(absl::StrCat("d", i));
    document->set_text(texts[i]);
  }
  ClassifyBatchResponse response;
  grpc::Status status = stub_->ClassifyBatch(Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.results_size(), 5);
  EXPECT_EQ(response.rule_set(), "mini");
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(response.results(i).id(), absl::StrCat("d", i));
    EXPECT_EQ(response.results(i).rule_set_version(), response.rule_set_version());
  }
  EXPECT_EQ(response.results(0).annotations_size(), 1);
  EXPECT_EQ(response.results(2).annotations_size(), 0);
  EXPECT_EQ(response.results(4).annotations_size(), 1);
  ASSERT_EQ(response.errors_size(), 2);
  EXPECT_EQ(response.errors(0).index(), 1);
  EXPECT_EQ(response.errors(0).code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_TRUE(absl::StrContains(response.errors(0).message(), "documents[1].text is empty"));
  EXPECT_EQ(response.errors(1).index(), 3);
  EXPECT_TRUE(absl::StrContains(response.errors(1).message(), "not valid UTF-8"));
  EXPECT_FALSE(response.results(3).error().empty());
}

TEST_F(SharedServerTest, StreamAnswersInOrderWithPerItemErrors) {
  auto context = Context();
  auto stream = stub_->ClassifyStream(context.get());
  constexpr int kItems = 300;
  std::thread writer([&] {
    for (int i = 0; i < kItems; ++i) {
      ClassifyRequest request =
          Request(i == 17 ? "" : (i % 2 == 0 ? "apple" : "pear"), "mini", absl::StrCat("s", i));
      if (!stream->Write(request)) break;
    }
    stream->WritesDone();
  });
  ClassifyStreamResponse response;
  int count = 0;
  while (stream->Read(&response)) {
    EXPECT_EQ(response.result().id(), absl::StrCat("s", count));
    EXPECT_EQ(response.result().rule_set(), "mini");
    EXPECT_FALSE(response.result().rule_set_version().empty());
    if (count == 17) {
      EXPECT_TRUE(response.has_error());
      EXPECT_EQ(response.error().index(), 17);
      EXPECT_EQ(response.error().code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
    } else {
      EXPECT_FALSE(response.has_error());
      EXPECT_EQ(response.result().annotations_size(), count % 2 == 0 ? 1 : 0) << count;
    }
    ++count;
  }
  writer.join();
  grpc::Status status = stream->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(count, kItems);
}

TEST_F(SharedServerTest, StreamWithASlowReaderStillDeliversEverything) {
  auto context = Context(absl::Seconds(60));
  auto stream = stub_->ClassifyStream(context.get());
  constexpr int kItems = 2000;
  std::atomic<int> written{0};
  std::thread writer([&] {
    const std::string text(400, 'a');  // one long word: a sentence, no stance
    for (int i = 0; i < kItems; ++i) {
      if (!stream->Write(Request(text + " apple", "mini", absl::StrCat(i)))) break;
      written.fetch_add(1);
    }
    stream->WritesDone();
  });
  absl::SleepFor(absl::Milliseconds(500));  // read nothing for a while
  ClassifyStreamResponse response;
  int count = 0;
  while (stream->Read(&response)) {
    ASSERT_EQ(response.result().id(), absl::StrCat(count));
    ++count;
  }
  writer.join();
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_EQ(count, kItems);
}

TEST_F(SharedServerTest, StatusCodesSayWhatWasWrong) {
  ClassifyResponse response;
  auto expect = [&](const ClassifyRequest& request, grpc::StatusCode code,
                    absl::string_view message_part) {
    grpc::Status status = stub_->Classify(Context().get(), request, &response);
    EXPECT_EQ(status.error_code(), code) << status.error_message();
    EXPECT_TRUE(absl::StrContains(status.error_message(), message_part)) << status.error_message();
  };
  expect(Request(""), grpc::StatusCode::INVALID_ARGUMENT, "empty");
  expect(Request("ok \xED\xA0\x80 surrogate"), grpc::StatusCode::INVALID_ARGUMENT,
         "not valid UTF-8 (first bad byte at offset 3)");
  ClassifyRequest unknown_option = Request("apple");
  unknown_option.mutable_options()
      ->GetReflection()
      ->MutableUnknownFields(unknown_option.mutable_options())
      ->AddVarint(99, 1);
  expect(unknown_option, grpc::StatusCode::INVALID_ARGUMENT, "unknown option field(s) 99");
  ClassifyRequest bad_score = Request("apple");
  bad_score.mutable_options()->set_min_score(1.5);
  expect(bad_score, grpc::StatusCode::INVALID_ARGUMENT, "min_score");
  expect(Request("apple", "nope"), grpc::StatusCode::NOT_FOUND, "no rule set named \"nope\"");
  // A string field with invalid UTF-8 fails to parse before any handler runs.
  ClassifyRequest bad_speaker = Request("apple");
  bad_speaker.set_speaker("\xff");
  expect(bad_speaker, grpc::StatusCode::INVALID_ARGUMENT, "must hold valid UTF-8");
  expect(Request(std::string(70000, 'a')), grpc::StatusCode::RESOURCE_EXHAUSTED, "");

  ClassifyBatchRequest batch;
  for (int i = 0; i < 51; ++i) batch.add_documents()->set_text("apple");
  ClassifyBatchResponse batch_response;
  grpc::Status status = stub_->ClassifyBatch(Context().get(), batch, &batch_response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "over the limit of 50"));

  entente::v1::GetRuleSetResponse rule_set;
  entente::v1::GetRuleSetRequest get;
  get.set_name("nope");
  EXPECT_EQ(stub_->GetRuleSet(Context().get(), get, &rule_set).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(SharedServerTest, LongBatchHonoursTheDeadline) {
  ClassifyBatchRequest batch;
  batch.set_rule_set("default");
  std::string text;
  for (int i = 0; i < 10; ++i) {
    absl::StrAppend(&text, "China and Iran called for an immediate ceasefire in Gaza. ");
  }
  for (int i = 0; i < 50; ++i) batch.add_documents()->set_text(text);
  ClassifyBatchResponse response;
  grpc::Status status =
      stub_->ClassifyBatch(Context(absl::Milliseconds(1)).get(), batch, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  // The server is fine afterwards.
  ASSERT_TRUE(stub_->ClassifyBatch(Context().get(), batch, &response).ok());
  EXPECT_EQ(response.results_size(), 50);
}

TEST_F(SharedServerTest, ListsGetsAndValidatesRuleSets) {
  entente::v1::ListRuleSetsResponse list;
  ASSERT_TRUE(stub_->ListRuleSets(Context().get(), {}, &list).ok());
  EXPECT_EQ(list.default_rule_set(), "default");
  // The bundled rule sets, and "mini", by name.
  const entente::v1::RuleSetSummary* mini = FindSummary(list, "mini");
  ASSERT_NE(mini, nullptr);
  ASSERT_NE(FindSummary(list, "default"), nullptr);
  EXPECT_EQ(mini->file(), "mini.textproto");
  EXPECT_EQ(mini->declared_version(), "1");
  EXPECT_EQ(mini->stances(0), "fruit");
  EXPECT_EQ(mini->rules(), 1);
  EXPECT_TRUE(list.last_reload().ok());

  entente::v1::GetRuleSetRequest get;
  get.set_name("mini");
  entente::v1::GetRuleSetResponse rule_set;
  ASSERT_TRUE(stub_->GetRuleSet(Context().get(), get, &rule_set).ok());
  EXPECT_EQ(rule_set.rule_set().version(), mini->version());
  EXPECT_TRUE(absl::StrContains(rule_set.text(), "fruit_word")) << rule_set.text();

  entente::v1::ValidateRuleSetRequest validate;
  validate.set_text(
      "name: \"x\"\nstance { id: \"s\" }\nrule { id: \"r\" stance: \"s\" polarity: SUPPORT "
      "pattern: \"(\" }\n");
  validate.set_file_name("mine.textproto");
  entente::v1::ValidateRuleSetResponse verdict;
  ASSERT_TRUE(stub_->ValidateRuleSet(Context().get(), validate, &verdict).ok());
  EXPECT_FALSE(verdict.valid());
  ASSERT_FALSE(verdict.diagnostics().empty());
  EXPECT_EQ(verdict.diagnostics(0).file(), "mine.textproto");
  EXPECT_EQ(verdict.diagnostics(0).line(), 3);
  EXPECT_GT(verdict.diagnostics(0).column(), 0);

  validate.set_text(MiniRuleSet("7", "plum"));
  ASSERT_TRUE(stub_->ValidateRuleSet(Context().get(), validate, &verdict).ok());
  EXPECT_TRUE(verdict.valid());
  EXPECT_EQ(verdict.name(), "mini");
  EXPECT_EQ(verdict.rules(), 1);
  // Nothing was loaded.
  ASSERT_TRUE(stub_->ListRuleSets(Context().get(), {}, &list).ok());
  ASSERT_NE(FindSummary(list, "mini"), nullptr);
  EXPECT_EQ(FindSummary(list, "mini")->declared_version(), "1");
}

TEST_F(SharedServerTest, HealthIsServing) {
  EXPECT_EQ(Health(server_->address(), ""), HealthCheckResponse::SERVING);
  EXPECT_EQ(Health(server_->address(), "entente.v1.Entente"), HealthCheckResponse::SERVING);
}

TEST_F(SharedServerTest, AdminReloadIsAllowedOnLoopbackWithoutAToken) {
  entente::v1::ReloadRuleSetsResponse response;
  grpc::Status status = stub_->ReloadRuleSets(Context().get(), {}, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(response.report().ok());
  bool has_mini = false;
  for (const auto& summary : response.rule_sets()) has_mini |= summary.name() == "mini";
  EXPECT_TRUE(has_mini);
}

TEST_F(SharedServerTest, MetricsCountCallsByMethodAndCode) {
  ClassifyResponse response;
  ASSERT_TRUE(stub_->Classify(Context().get(), Request("apple", "mini"), &response).ok());
  ASSERT_FALSE(server_->metrics_address().empty());
  httplib::Client client("http://" + server_->metrics_address());
  auto page = client.Get("/metrics");
  ASSERT_TRUE(page) << "no answer from " << server_->metrics_address();
  EXPECT_EQ(page->status, 200);
  EXPECT_TRUE(
      absl::StrContains(page->body, "entente_requests_total{method=\"Classify\",code=\"OK\"}"));
  EXPECT_TRUE(absl::StrContains(page->body, "entente_request_duration_seconds_bucket{method="));
  EXPECT_TRUE(absl::StrContains(page->body, "entente_rule_set_info{rule_set=\"mini\""));
  EXPECT_TRUE(absl::StrContains(page->body, "entente_serving 1"));
}

TEST_F(SharedServerTest, AccessLogHasOneLinePerCall) {
  ClassifyResponse response;
  ASSERT_TRUE(
      stub_->Classify(Context().get(), Request("apple", "mini", "access-log-probe"), &response)
          .ok());
  absl::SleepFor(absl::Milliseconds(100));
  const std::string log = server_->Log();
  EXPECT_TRUE(absl::StrContains(log, "INFO access method=Classify code=OK items=1")) << log;
  EXPECT_TRUE(absl::StrContains(log, "rule_set=mini")) << log;
}

// Edits "mini" while clients call it: answers change within the poll
// interval, no call fails, and every answer matches the version it names.
TEST(HotReloadTest, ChangedRuleFileServesWithoutAFailedCall) {
  const std::string rules = RulesWithMini("hot", "1", "apple");
  auto server =
      ServerProcess::Start({"--listen=127.0.0.1:0", "--rules=" + rules, "--poll_interval_ms=100"});
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = Stub((*server)->address());

  std::atomic<bool> stop{false};
  std::atomic<int> calls{0}, failures{0}, mixed{0};
  absl::Mutex mu;
  std::set<std::string> versions;
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&] {
      auto client = Stub((*server)->address());
      while (!stop.load()) {
        ClassifyResponse response;
        grpc::Status status =
            client->Classify(Context().get(), Request("apple and banana", "mini"), &response);
        calls.fetch_add(1);
        if (!status.ok()) {
          failures.fetch_add(1);
          continue;
        }
        const std::string& version = response.result().rule_set_version();
        // Version 1 matches "apple", version 2 "banana": one annotation
        // either way, with the evidence of that version's rule text.
        const std::string expected = absl::StartsWith(version, "1+") ? "apple" : "banana";
        if (response.result().annotations_size() != 1 ||
            response.result().annotations(0).evidence(0).span().text() != expected) {
          mixed.fetch_add(1);
        }
        absl::MutexLock lock(&mu);
        versions.insert(version);
      }
    });
  }
  absl::SleepFor(absl::Milliseconds(300));
  ASSERT_TRUE(WriteFileAtomically(rules + "/mini.textproto", MiniRuleSet("2", "banana")).ok());
  const absl::Time deadline = absl::Now() + kReloadPatience;
  bool switched = false;
  while (absl::Now() < deadline && !switched) {
    ClassifyResponse response;
    ASSERT_TRUE(stub->Classify(Context().get(), Request("banana", "mini"), &response).ok());
    switched = absl::StartsWith(response.result().rule_set_version(), "2+");
    absl::SleepFor(absl::Milliseconds(20));
  }
  absl::SleepFor(absl::Milliseconds(200));
  stop.store(true);
  for (std::thread& t : clients) t.join();
  EXPECT_TRUE(switched) << (*server)->Log();
  EXPECT_GT(calls.load(), 0);
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(mixed.load(), 0);
  EXPECT_EQ(versions.size(), 2u);
  EXPECT_TRUE(absl::StrContains((*server)->Log(), "reload outcome=ok")) << (*server)->Log();
}

TEST(HotReloadTest, BrokenRuleFileKeepsTheLastGoodVersionAndSaysWhy) {
  const std::string rules = RulesWithMini("broken", "1", "apple");
  auto server =
      ServerProcess::Start({"--listen=127.0.0.1:0", "--rules=" + rules, "--poll_interval_ms=100"});
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = Stub((*server)->address());
  ClassifyResponse before;
  ASSERT_TRUE(stub->Classify(Context().get(), Request("apple", "mini"), &before).ok());

  ASSERT_TRUE(WriteFileAtomically(rules + "/mini.textproto",
                                  "name: \"mini\"\nversion: \"2\"\nrule { id: \"r\" pattern: ")
                  .ok());
  entente::v1::ListRuleSetsResponse list;
  const absl::Time deadline = absl::Now() + kReloadPatience;
  do {
    absl::SleepFor(absl::Milliseconds(50));
    list.Clear();
    ASSERT_TRUE(stub->ListRuleSets(Context().get(), {}, &list).ok());
  } while (list.last_reload().ok() && absl::Now() < deadline);
  ASSERT_FALSE(list.last_reload().ok()) << (*server)->Log();
  ASSERT_EQ(list.last_reload().failures_size(), 1);
  EXPECT_EQ(list.last_reload().failures(0).file(), "mini.textproto");
  EXPECT_FALSE(list.last_reload().diagnostics().empty());
  bool found = false;
  for (const auto& summary : list.rule_sets()) {
    if (summary.name() != "mini") continue;
    found = true;
    EXPECT_EQ(summary.version(), before.result().rule_set_version());
    EXPECT_FALSE(summary.reload_error().empty());
  }
  EXPECT_TRUE(found);

  ClassifyResponse after;
  ASSERT_TRUE(stub->Classify(Context().get(), Request("apple", "mini"), &after).ok());
  EXPECT_EQ(after.result().rule_set_version(), before.result().rule_set_version());
  EXPECT_EQ(after.result().annotations_size(), 1);
  EXPECT_EQ(Health((*server)->address(), ""), HealthCheckResponse::SERVING);
  EXPECT_TRUE(absl::StrContains((*server)->Log(), "WARNING reload outcome=failed"))
      << (*server)->Log();

  // SIGHUP reloads at once; fixing the file serves the new version.
  ASSERT_TRUE(WriteFileAtomically(rules + "/mini.textproto", MiniRuleSet("3", "cherry")).ok());
  (*server)->Signal(SIGHUP);
  ClassifyResponse fixed;
  const absl::Time fixed_deadline = absl::Now() + kReloadPatience;
  do {
    absl::SleepFor(absl::Milliseconds(50));
    ASSERT_TRUE(stub->Classify(Context().get(), Request("cherry", "mini"), &fixed).ok());
  } while (!absl::StartsWith(fixed.result().rule_set_version(), "3+") &&
           absl::Now() < fixed_deadline);
  EXPECT_EQ(fixed.result().annotations_size(), 1);
}

TEST(NoRulesTest, ServesNotServingAndFailedPreconditionUntilRulesLoad) {
  const std::string rules = ServerProcess::TempDir("empty-rules");
  auto server =
      ServerProcess::Start({"--listen=127.0.0.1:0", "--rules=" + rules, "--poll_interval_ms=100"});
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = Stub((*server)->address());
  ClassifyResponse response;
  grpc::Status status = stub->Classify(Context().get(), Request("apple"), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  EXPECT_EQ(Health((*server)->address(), ""), HealthCheckResponse::NOT_SERVING);
  // Validation works without any rule set.
  entente::v1::ValidateRuleSetRequest validate;
  validate.set_text(MiniRuleSet("1", "apple"));
  entente::v1::ValidateRuleSetResponse verdict;
  ASSERT_TRUE(stub->ValidateRuleSet(Context().get(), validate, &verdict).ok());
  EXPECT_TRUE(verdict.valid());

  ASSERT_TRUE(WriteFileAtomically(rules + "/mini.textproto", MiniRuleSet("1", "apple")).ok());
  const absl::Time deadline = absl::Now() + kReloadPatience;
  while (Health((*server)->address(), "") != HealthCheckResponse::SERVING &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_EQ(Health((*server)->address(), ""), HealthCheckResponse::SERVING);
  status = stub->Classify(Context().get(), Request("apple", "mini"), &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  status = stub->Classify(Context().get(), Request("apple"), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();
}

TEST(AdminTest, TokenIsRequiredAndChecked) {
  const std::string token_dir = ServerProcess::TempDir("token");
  ASSERT_TRUE(WriteFileAtomically(token_dir + "/token", "s3cret-token\n").ok());
  auto server = ServerProcess::Start({"--listen=127.0.0.1:0", "--poll_interval_ms=0",
                                      "--admin_token_file=" + token_dir + "/token"});
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = Stub((*server)->address());
  entente::v1::ReloadRuleSetsResponse response;

  grpc::Status status = stub->ReloadRuleSets(Context().get(), {}, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();

  auto wrong = Context();
  wrong->AddMetadata("authorization", "Bearer s3cret-tokem");
  status = stub->ReloadRuleSets(wrong.get(), {}, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();

  auto right = Context();
  right->AddMetadata("authorization", "Bearer s3cret-token");
  status = stub->ReloadRuleSets(right.get(), {}, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(response.report().ok());
}

TEST(AdminTest, NeverAllowedOnANonLoopbackListenerWithoutTls) {
  auto server = ServerProcess::Start(
      {"--listen=0.0.0.0:0", "--poll_interval_ms=0", "--admin_token=s3cret-token"});
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = Stub((*server)->address());
  auto context = Context();
  context->AddMetadata("authorization", "Bearer s3cret-token");
  entente::v1::ReloadRuleSetsResponse response;
  grpc::Status status = stub->ReloadRuleSets(context.get(), {}, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "without TLS")) << status.error_message();
  // Classification is not affected.
  ClassifyResponse classified;
  EXPECT_TRUE(
      stub->Classify(Context().get(), Request("We call for a ceasefire."), &classified).ok());
}

TEST(TlsTest, ServesOverTls) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/openssl"))
      << "no openssl to make a cert (tools/setup.sh)";
  const std::string dir = ServerProcess::TempDir("tls");
  const std::string command = absl::StrCat(
      "/usr/bin/openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost "
      "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout ",
      dir, "/key.pem -out ", dir, "/cert.pem 2>/dev/null");
  ASSERT_EQ(std::system(command.c_str()), 0);
  auto server =
      ServerProcess::Start({"--listen=127.0.0.1:0", "--poll_interval_ms=0",
                            "--tls_cert=" + dir + "/cert.pem", "--tls_key=" + dir + "/key.pem"});
  ASSERT_TRUE(server.ok()) << server.status();
  std::ifstream in(dir + "/cert.pem");
  std::stringstream cert;
  cert << in.rdbuf();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = cert.str();
  auto stub = entente::v1::Entente::NewStub(
      grpc::CreateChannel((*server)->address(), grpc::SslCredentials(options)));
  ClassifyResponse response;
  grpc::Status status =
      stub->Classify(Context().get(), Request("We call for a ceasefire."), &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  // Plain text is refused.
  auto plain = Stub((*server)->address());
  status = plain->Classify(Context(absl::Seconds(3)).get(), Request("x"), &response);
  EXPECT_FALSE(status.ok());
}

// True once `server`'s calls hold at least `bytes` of its in-flight budget:
// a call whose request is that large is being handled (not still arriving).
// Waits up to a minute.
bool WaitUntilHandled(const ServerProcess& server, int64_t bytes) {
  httplib::Client metrics("http://" + server.metrics_address());
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline) {
    auto page = metrics.Get("/metrics");
    if (page) {
      for (absl::string_view line : absl::StrSplit(page->body, '\n')) {
        double held = 0;
        if (absl::ConsumePrefix(&line, "entente_inflight_bytes ") &&
            absl::SimpleAtod(line, &held) && held >= bytes) {
          return true;
        }
      }
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  return false;
}

// Sanitizer builds classify several times slower.
bool UnderSanitizer() { return std::getenv("ENTENTE_SANITIZER") != nullptr; }

TEST(ShutdownTest, SigtermDrainsCallsInProgressAndExitsZero) {
  auto server = ServerProcess::Start({"--listen=127.0.0.1:0", "--poll_interval_ms=0", "--threads=1",
                                      "--drain_deadline_ms=20000", "--max_request_bytes=33554432",
                                      "--metrics_address=127.0.0.1:0"});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string address = (*server)->address();

  // A health watcher sees NOT_SERVING when the drain starts.
  auto health = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  auto watch_context = Context();
  HealthCheckRequest watch_request;
  auto watch = health->Watch(watch_context.get(), watch_request);
  HealthCheckResponse health_status;
  ASSERT_TRUE(watch->Read(&health_status));
  EXPECT_EQ(health_status.status(), HealthCheckResponse::SERVING);

  // A batch long enough to be in progress when SIGTERM arrives (about two
  // seconds: 12,000 sentences at about 0.15 ms each with the bundled rules
  // of 2026-12), and short enough to finish within the drain deadline.
  const int documents = UnderSanitizer() ? 20 : 150;
  ClassifyBatchRequest batch = SlowBatch(documents);
  auto stub = Stub(address);
  grpc::Status batch_status;
  ClassifyBatchResponse batch_response;
  std::atomic<bool> batch_done{false};
  std::thread call([&] {
    batch_status = stub->ClassifyBatch(Context(absl::Seconds(60)).get(), batch, &batch_response);
    batch_done.store(true);
  });
  ASSERT_TRUE(WaitUntilHandled(**server, batch.ByteSizeLong()));
  ASSERT_FALSE(batch_done.load()) << "the batch finished too fast to test draining";
  (*server)->Signal(SIGTERM);

  ASSERT_TRUE(watch->Read(&health_status));
  EXPECT_EQ(health_status.status(), HealthCheckResponse::NOT_SERVING);
  // While the batch drains, new calls are refused with a reason.
  ClassifyResponse refused_response;
  grpc::Status refused_while_draining =
      Stub(address)->Classify(Context().get(), Request("apple"), &refused_response);
  EXPECT_EQ(refused_while_draining.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(absl::StrContains(refused_while_draining.error_message(), "shutting down"))
      << refused_while_draining.error_message();
  EXPECT_FALSE(batch_done.load()) << "the batch finished too fast to test draining";

  call.join();
  const absl::Time batch_finished = absl::Now();
  EXPECT_TRUE(batch_status.ok()) << batch_status.error_message();
  EXPECT_EQ(batch_response.results_size(), documents);
  absl::StatusOr<int> exit_status = (*server)->Wait(absl::Seconds(30));
  ASSERT_TRUE(exit_status.ok());
  EXPECT_EQ(*exit_status, 0) << (*server)->Log();
  // The open health watch does not hold the drain until its deadline.
  EXPECT_LT(absl::Now() - batch_finished, absl::Seconds(5));
  const std::string log = (*server)->Log();
  EXPECT_TRUE(absl::StrContains(log, "signal signal=SIGTERM")) << log;
  EXPECT_TRUE(absl::StrContains(log, "INFO stopped")) << log;

  // New calls are refused once it is gone.
  ClassifyResponse response;
  grpc::Status refused =
      Stub(address)->Classify(Context(absl::Seconds(2)).get(), Request("apple"), &response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE);
}

// Calls still running a second before the drain deadline are cancelled;
// they stop within a sentence, and the server exits 0 within the deadline.
TEST(ShutdownTest, DrainDeadlineCancelsWhatIsStillRunning) {
  auto server = ServerProcess::Start({"--listen=127.0.0.1:0", "--poll_interval_ms=0", "--threads=1",
                                      "--drain_deadline_ms=2000", "--max_request_bytes=33554432",
                                      "--max_batch_size=5000", "--metrics_address=127.0.0.1:0"});
  ASSERT_TRUE(server.ok()) << server.status();
  ClassifyBatchRequest batch = SlowBatch(5000);  // about 5 s of work
  auto stub = Stub((*server)->address());
  grpc::Status batch_status;
  ClassifyBatchResponse batch_response;
  std::thread call([&] {
    batch_status = stub->ClassifyBatch(Context(absl::Seconds(60)).get(), batch, &batch_response);
  });
  ASSERT_TRUE(WaitUntilHandled(**server, batch.ByteSizeLong()));
  const absl::Time signalled = absl::Now();
  (*server)->Signal(SIGINT);
  absl::StatusOr<int> exit_status = (*server)->Wait(absl::Seconds(30));
  call.join();
  ASSERT_TRUE(exit_status.ok());
  EXPECT_EQ(*exit_status, 0) << (*server)->Log();
  EXPECT_LT(absl::Now() - signalled, absl::Seconds(10));
  EXPECT_FALSE(batch_status.ok());
  EXPECT_FALSE(absl::StrContains((*server)->Log(), "forced_exit")) << (*server)->Log();
}

}  // namespace
}  // namespace entente
