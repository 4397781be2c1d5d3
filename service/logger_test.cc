#include "service/logger.h"

#include <cstdio>
#include <string>

#include "gtest/gtest.h"

namespace entente {
namespace {

TEST(LoggerTest, FormatsLogfmtAndQuotesWhatNeedsIt) {
  EXPECT_EQ(Logger::Format(LogLevel::kInfo, "access", {{"method", "Classify"}, {"code", "OK"}}),
            "INFO access method=Classify code=OK");
  EXPECT_EQ(Logger::Format(LogLevel::kWarning, "reload",
                           {{"why", "bad \"rule\" here"}, {"empty", ""}, {"nl", "a\nb"}}),
            "WARNING reload why=\"bad \\\"rule\\\" here\" empty=\"\" nl=\"a\\nb\"");
}

TEST(LoggerTest, ParsesLevels) {
  EXPECT_EQ(*ParseLogLevel("DEBUG"), LogLevel::kDebug);
  EXPECT_EQ(*ParseLogLevel("info"), LogLevel::kInfo);
  EXPECT_EQ(*ParseLogLevel("warning"), LogLevel::kWarning);
  EXPECT_EQ(*ParseLogLevel("error"), LogLevel::kError);
  EXPECT_EQ(*ParseLogLevel("off"), LogLevel::kOff);
  EXPECT_EQ(ParseLogLevel("loud").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(LoggerTest, WritesOnlyAtOrAboveTheThreshold) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  Logger logger(LogLevel::kWarning, out);
  EXPECT_FALSE(logger.Enabled(LogLevel::kInfo));
  logger.Log(LogLevel::kInfo, "quiet");
  logger.Log(LogLevel::kError, "loud", {{"k", "v"}});
  std::rewind(out);
  char buffer[256] = {};
  std::string contents(buffer, std::fread(buffer, 1, sizeof(buffer) - 1, out));
  std::fclose(out);
  EXPECT_EQ(contents.find("quiet"), std::string::npos);
  EXPECT_NE(contents.find("ERROR loud k=v\n"), std::string::npos) << contents;
  EXPECT_EQ(contents[4], '-');  // starts with an ISO 8601 timestamp
}

}  // namespace
}  // namespace entente
