#include "service/proto_convert.h"

#include "engine/rule_set_loader.h"
#include "gtest/gtest.h"

namespace entente {
namespace {

TEST(ProtoConvertTest, StatusesKeepCodeAndMessage) {
  grpc::Status status = ToGrpcStatus(absl::NotFoundError("no rule set named \"x\""));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "no rule set named \"x\"");
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_EQ(ToGrpcStatus(absl::ResourceExhaustedError("")).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::FAILED_PRECONDITION), "FAILED_PRECONDITION");
  EXPECT_EQ(StatusCodeName(grpc::StatusCode::OK), "OK");
}

TEST(ProtoConvertTest, DiagnosticsKeepTheirPosition) {
  Diagnostic d{Diagnostic::Severity::kError, {"rules/x.textproto", 12, 5}, "cf_call", "bad"};
  entente::v1::Diagnostic proto = ToProto(d);
  EXPECT_EQ(proto.severity(), entente::v1::Diagnostic::ERROR);
  EXPECT_EQ(proto.file(), "rules/x.textproto");
  EXPECT_EQ(proto.line(), 12);
  EXPECT_EQ(proto.column(), 5);
  EXPECT_EQ(proto.subject(), "cf_call");
  EXPECT_EQ(proto.text(), d.ToString());
}

TEST(ProtoConvertTest, ReloadReportsUseRelativePaths) {
  ReloadOutcome outcome;
  outcome.ok = false;
  outcome.finished_at = absl::FromUnixSeconds(1700000000);
  outcome.generation = 4;
  outcome.updated = {"default"};
  outcome.failures["stances/x.textproto"] = "syntax error";
  outcome.diagnostics.push_back(
      {Diagnostic::Severity::kError, {"/srv/rules/stances/x.textproto", 3, 1}, "", "syntax"});
  outcome.diagnostics.push_back(
      {Diagnostic::Severity::kWarning, {"/elsewhere/y.textproto", 1, 1}, "", "odd"});
  entente::v1::ReloadReport report = ToReloadReport(outcome, "/srv/rules");
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(report.generation(), 4);
  EXPECT_EQ(report.finished_at().seconds(), 1700000000);
  EXPECT_EQ(report.updated(0), "default");
  ASSERT_EQ(report.failures_size(), 1);
  EXPECT_EQ(report.failures(0).file(), "stances/x.textproto");
  ASSERT_EQ(report.diagnostics_size(), 2);
  EXPECT_EQ(report.diagnostics(0).file(), "stances/x.textproto");
  EXPECT_EQ(report.diagnostics(1).file(), "/elsewhere/y.textproto");
  EXPECT_EQ(report.diagnostics(1).severity(), entente::v1::Diagnostic::WARNING);
}

TEST(ProtoConvertTest, ReloadReportsAndSummariesNameNoServerPath) {
  ReloadOutcome outcome;
  outcome.failures["/srv/rules/mini.textproto"] =
      "/srv/rules/mini.textproto: not a valid entente.v1.RuleSet text proto";
  outcome.diagnostics.push_back(
      {Diagnostic::Severity::kError,
       {"/srv/rules/mini.textproto", 1, 1},
       "",
       "include \"../x\" resolves outside the rules directory /srv/rules"});
  outcome.directory_status = absl::NotFoundError("/srv/rules/: not a rules directory");
  entente::v1::ReloadReport report = ToReloadReport(outcome, "/srv/rules/");
  EXPECT_EQ(report.failures(0).file(), "mini.textproto");
  EXPECT_EQ(report.failures(0).message(),
            "mini.textproto: not a valid entente.v1.RuleSet text proto");
  EXPECT_EQ(report.diagnostics(0).message(),
            "include \"../x\" resolves outside the rules directory the rules directory");
  EXPECT_EQ(report.diagnostics(0).text().find("/srv"), std::string::npos)
      << report.diagnostics(0).text();
  EXPECT_EQ(report.error(), "the rules directory: not a rules directory");

  ServingRuleSet serving;
  std::vector<Diagnostic> diagnostics;
  auto loaded = LoadRuleSetFromText("name: \"x\"", "x", &diagnostics);
  ASSERT_TRUE(loaded.ok());
  auto compiled = CompiledRuleSet::Compile(*loaded, {}, &diagnostics);
  ASSERT_TRUE(compiled.ok());
  serving.rules = *compiled;
  serving.reload_error = "/srv/rules/x.textproto:3:1: bad";
  EXPECT_EQ(ToSummary(serving, "/srv/rules").reload_error(), "x.textproto:3:1: bad");
}

TEST(ProtoConvertTest, WithoutDirectoryMatchesWholePathComponentsOnly) {
  EXPECT_EQ(WithoutDirectory("rules/a.textproto and rules2/b and myrules/c", "rules"),
            "a.textproto and rules2/b and myrules/c");
  EXPECT_EQ(WithoutDirectory("cannot read /srv/rules", "/srv/rules"),
            "cannot read the rules directory");
  EXPECT_EQ(WithoutDirectory("/srv/rules-old/x", "/srv/rules"), "/srv/rules-old/x");
  EXPECT_EQ(WithoutDirectory("\"/srv/rules//x\"", "/srv/rules"), "\"x\"");
  EXPECT_EQ(WithoutDirectory("no rules here", "rules"), "no rules here");
}

}  // namespace
}  // namespace entente
