#include "service/request_validation.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace entente {
namespace {

TEST(CheckTextTest, AcceptsUtf8AndRefusesEmptyOrMalformedText) {
  EXPECT_TRUE(CheckText("We call for a ceasefire.", "text").ok());
  EXPECT_TRUE(CheckText("Пекин, 北京, بكين 🕊", "text").ok());
  EXPECT_TRUE(CheckText("   ", "text").ok());  // classified: no stance
  absl::Status empty = CheckText("", "documents[2].text");
  EXPECT_EQ(empty.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(empty.message(), "documents[2].text is empty"));
  for (const char* bad : {"\xff", "ab\xC3", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80"}) {
    absl::Status status = CheckText(bad, "text");
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_TRUE(absl::StrContains(status.message(), "not valid UTF-8")) << status;
  }
  EXPECT_TRUE(absl::StrContains(CheckText("ab\xC3", "text").message(), "offset 2"));
}

TEST(EngineOptionsTest, MapsTheRequestOptions) {
  entente::v1::ClassifyOptions options;
  options.set_min_score(0.5);
  options.set_explain(true);
  options.set_omit_sentences(true);
  absl::StatusOr<ClassifyOptions> engine = EngineOptions(options, "id-1", "CHN");
  ASSERT_TRUE(engine.ok());
  EXPECT_EQ(engine->id, "id-1");
  EXPECT_EQ(engine->speaker, "CHN");
  EXPECT_EQ(engine->min_score, 0.5);
  EXPECT_TRUE(engine->explain);
  EXPECT_FALSE(engine->include_sentences);
  EXPECT_TRUE(engine->aggregate);
}

TEST(EngineOptionsTest, RefusesUnknownFieldsAndOutOfRangeScores) {
  entente::v1::ClassifyOptions unknown;
  unknown.GetReflection()->MutableUnknownFields(&unknown)->AddVarint(42, 1);
  absl::Status status = EngineOptions(unknown, "", "").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(status.message(), "unknown option field(s) 42")) << status;

  for (double score : {-0.1, 1.01, std::numeric_limits<double>::quiet_NaN()}) {
    entente::v1::ClassifyOptions options;
    options.set_min_score(score);
    EXPECT_EQ(EngineOptions(options, "", "").status().code(), absl::StatusCode::kInvalidArgument)
        << score;
  }
}

}  // namespace
}  // namespace entente
