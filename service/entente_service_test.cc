// In-process tests of the service: a grpc::Server with EntenteService on an
// in-process channel, with a rule set written to a temporary directory.

#include "service/entente_service.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"

namespace entente {
namespace {

using entente::v1::ClassifyRequest;

std::string RulesDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/service-", name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/default.textproto")
      << "name: \"default\"\nversion: \"5\"\nstance { id: \"fruit\" }\n"
         "rule { id: \"r\" stance: \"fruit\" polarity: SUPPORT pattern: \"\\\\bapples?\\\\b\" }\n";
  return dir;
}

class EntenteServiceTest : public ::testing::Test {
 protected:
  void Start(const std::string& token = "", int stream_window = 32) {
    log_ = std::tmpfile();
    logger_ = std::make_unique<Logger>(LogLevel::kInfo, log_);
    calls_ = std::make_unique<CallLog>(logger_.get(), &metrics_);
    store_ = std::make_unique<RuleSetStore>(RulesDir(token.empty() ? "plain" : "token"),
                                            RuleSetStore::Options());
    store_->Reload();
    pool_ = std::make_unique<WorkerPool>(4);
    admin_ = std::make_unique<AdminAuthorizer>(token, /*loopback_listener=*/true, false);
    ServiceOptions options;
    options.max_batch_size = 500;
    options.stream_window = stream_window;
    service_ =
        std::make_unique<EntenteService>(store_.get(), pool_.get(), calls_.get(), admin_.get(),
                                         options, [this] { return store_->Reload(); });
    grpc::ServerBuilder builder;
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = entente::v1::Entente::NewStub(server_->InProcessChannel(grpc::ChannelArguments()));
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
    pool_.reset();
    if (calls_ != nullptr) {
      EXPECT_EQ(calls_->in_flight(), 0);
    }
    if (log_ != nullptr) std::fclose(log_);
  }

  std::FILE* log_ = nullptr;
  Metrics metrics_;
  std::unique_ptr<Logger> logger_;
  std::unique_ptr<CallLog> calls_;
  std::unique_ptr<RuleSetStore> store_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<AdminAuthorizer> admin_;
  std::unique_ptr<EntenteService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<entente::v1::Entente::Stub> stub_;
};

TEST_F(EntenteServiceTest, ClassifiesAndNamesTheVersion) {
  Start();
  ClassifyRequest request;
  request.set_text("I like apples.");
  request.set_id("x");
  entente::v1::ClassifyResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->Classify(&context, request, &response).ok());
  EXPECT_EQ(response.result().id(), "x");
  EXPECT_EQ(response.result().rule_set(), "default");
  EXPECT_EQ(response.result().rule_set_version(), (*store_->Find(""))->version);
  EXPECT_EQ(response.result().annotations_size(), 1);
}

TEST_F(EntenteServiceTest, LargeBatchIsSharedOutAndKeepsOrder) {
  Start();
  entente::v1::ClassifyBatchRequest request;
  for (int i = 0; i < 400; ++i) {
    entente::v1::Document* document = request.add_documents();
    document->set_id(absl::StrCat(i));
    document->set_text(i % 3 == 0 ? "apple" : "pear");
  }
  entente::v1::ClassifyBatchResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->ClassifyBatch(&context, request, &response).ok());
  ASSERT_EQ(response.results_size(), 400);
  for (int i = 0; i < 400; ++i) {
    EXPECT_EQ(response.results(i).id(), absl::StrCat(i));
    EXPECT_EQ(response.results(i).annotations_size(), i % 3 == 0 ? 1 : 0);
  }
  EXPECT_EQ(response.errors_size(), 0);
}

TEST_F(EntenteServiceTest, EmptyBatchIsAnEmptyAnswer) {
  Start();
  entente::v1::ClassifyBatchResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->ClassifyBatch(&context, {}, &response).ok());
  EXPECT_EQ(response.results_size(), 0);
  EXPECT_EQ(response.rule_set(), "default");
}

TEST_F(EntenteServiceTest, StreamWithAWindowOfOneKeepsOrder) {
  Start("", /*stream_window=*/1);
  grpc::ClientContext context;
  auto stream = stub_->ClassifyStream(&context);
  // The in-process transport does not buffer: write and read at once.
  std::thread writer([&] {
    for (int i = 0; i < 50; ++i) {
      ClassifyRequest request;
      request.set_id(absl::StrCat(i));
      request.set_text("apple");
      if (!stream->Write(request)) break;
    }
    stream->WritesDone();
  });
  entente::v1::ClassifyStreamResponse response;
  int count = 0;
  while (stream->Read(&response)) EXPECT_EQ(response.result().id(), absl::StrCat(count++));
  writer.join();
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_EQ(count, 50);
}

TEST_F(EntenteServiceTest, StreamSurvivesAClientThatCancels) {
  Start();
  for (int round = 0; round < 20; ++round) {
    grpc::ClientContext context;
    auto stream = stub_->ClassifyStream(&context);
    std::thread writer([&] {
      for (int i = 0; i < 20; ++i) {
        ClassifyRequest request;
        request.set_text("apple");
        if (!stream->Write(request)) break;
      }
    });
    entente::v1::ClassifyStreamResponse response;
    stream->Read(&response);
    context.TryCancel();
    writer.join();
    EXPECT_FALSE(stream->Finish().ok());
  }
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (calls_->in_flight() > 0 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(5));
  EXPECT_EQ(calls_->in_flight(), 0);
}

TEST_F(EntenteServiceTest, DrainingRefusesNewCalls) {
  Start();
  service_->StartDraining();
  ClassifyRequest request;
  request.set_text("apple");
  entente::v1::ClassifyResponse response;
  grpc::ClientContext unary;
  EXPECT_EQ(stub_->Classify(&unary, request, &response).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  grpc::ClientContext batch_context;
  entente::v1::ClassifyBatchResponse batch;
  EXPECT_EQ(stub_->ClassifyBatch(&batch_context, {}, &batch).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  grpc::ClientContext stream_context;
  auto stream = stub_->ClassifyStream(&stream_context);
  stream->WritesDone();
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(EntenteServiceTest, ReloadNeedsTheToken) {
  Start("tok");
  entente::v1::ReloadRuleSetsResponse response;
  grpc::ClientContext anonymous;
  EXPECT_EQ(stub_->ReloadRuleSets(&anonymous, {}, &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  grpc::ClientContext authorized;
  authorized.AddMetadata("authorization", "Bearer tok");
  ASSERT_TRUE(stub_->ReloadRuleSets(&authorized, {}, &response).ok());
  EXPECT_TRUE(response.report().ok());
  ASSERT_EQ(response.rule_sets_size(), 1);
  EXPECT_EQ(response.rule_sets(0).declared_version(), "5");
}

TEST_F(EntenteServiceTest, ValidateRunsExamplesWhenAsked) {
  Start();
  entente::v1::ValidateRuleSetRequest request;
  request.set_text(
      "name: \"t\"\nstance { id: \"fruit\" }\n"
      "rule { id: \"r\" stance: \"fruit\" polarity: SUPPORT pattern: \"\\\\bapple\\\\b\"\n"
      "  example { text: \"an apple\" }\n  example { text: \"a pear\" } }\n");
  request.set_run_examples(true);
  entente::v1::ValidateRuleSetResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->ValidateRuleSet(&context, request, &response).ok());
  EXPECT_EQ(response.examples_run(), 2);
  EXPECT_EQ(response.examples_failed(), 1);
  EXPECT_FALSE(response.valid());
  ASSERT_FALSE(response.diagnostics().empty());
  EXPECT_EQ(response.diagnostics(0).subject(), "r");

  entente::v1::ValidateRuleSetRequest empty;
  grpc::ClientContext empty_context;
  EXPECT_EQ(stub_->ValidateRuleSet(&empty_context, empty, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace entente
