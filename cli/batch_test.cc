#include "cli/batch.h"

#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "engine/rule_set_directory.h"
#include "gtest/gtest.h"
#include "tests/test_paths.h"

namespace entente {
namespace {

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

class BatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<Diagnostic> diagnostics;
    auto rules = LoadRuleSetFromPath(testing::RunfilesPath("rules"), "default", &diagnostics);
    ASSERT_TRUE(rules.ok()) << rules.status();
    rules_ = *rules;
    dir_ = testing::MakeTempDir(::testing::UnitTest::GetInstance()->current_test_info()->name());
  }

  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  std::shared_ptr<const CompiledRuleSet> rules_;
  std::string dir_;
};

TEST_F(BatchTest, OneOutputLinePerInputLineInOrderWithErrorRecords) {
  std::string input;
  for (int i = 0; i < 500; ++i) {
    if (i == 7) {
      input += "{not json\n";
    } else if (i == 8) {
      input += "{\"id\": \"missing-text\"}\n";
    } else if (i == 9) {
      input += "{\"id\": \"bad-utf8\", \"text\": \"\xff\xfe\"}\n";
    } else {
      input += "{\"id\": \"d" + std::to_string(i) +
               "\", \"text\": \"We call for an immediate ceasefire.\", \"speaker\": \"FRA\"}\n";
    }
  }
  BatchOptions options;
  options.threads = 3;
  options.output = dir_ + "/out.jsonl";
  options.progress = "never";
  BatchSummary summary;
  ASSERT_TRUE(RunBatch(*rules_, {Write("in.jsonl", input)}, options, &summary).ok());
  std::vector<std::string> out = Lines(options.output);
  ASSERT_EQ(out.size(), 500u);
  EXPECT_EQ(summary.errors, 3);
  EXPECT_EQ(summary.documents, 497);
  EXPECT_NE(out[0].find("\"id\":\"d0\""), std::string::npos);
  EXPECT_NE(out[499].find("\"id\":\"d499\""), std::string::npos);
  EXPECT_NE(out[7].find("\"error\""), std::string::npos);
  EXPECT_NE(out[7].find("\"line\":8"), std::string::npos);
  EXPECT_NE(out[8].find("missing string field \\\"text\\\""), std::string::npos) << out[8];
  EXPECT_NE(out[9].find("not valid UTF-8"), std::string::npos);
  EXPECT_NE(out[10].find("\"stance\":\"ceasefire\""), std::string::npos);
  EXPECT_NE(out[10].find("\"actor\":\"FRA\""), std::string::npos);
  EXPECT_EQ(summary.annotations["ceasefire/SUPPORT"], 497);
}

TEST_F(BatchTest, ReadsGzipTextFormatAndCustomFields) {
  std::string path = dir_ + "/in.jsonl.gz";
  gzFile gz = gzopen(path.c_str(), "wb");
  std::string body =
      "{\"doc\": \"a\", \"body\": \"We reject multilateralism.\", \"country\": \"USA\"}\n"
      "{\"doc\": \"b\", \"body\": \"Nothing to see.\", \"country\": \"FRA\"}\n";
  gzwrite(gz, body.data(), body.size());
  gzclose(gz);
  BatchOptions options;
  options.id_field = "doc";
  options.text_field = "body";
  options.speaker_field = "country";
  options.output = dir_ + "/out.jsonl";
  options.progress = "never";
  BatchSummary summary;
  ASSERT_TRUE(RunBatch(*rules_, {path}, options, &summary).ok());
  std::vector<std::string> out = Lines(options.output);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_NE(out[0].find("\"OPPOSE\""), std::string::npos) << out[0];
  EXPECT_NE(out[1].find("\"annotations\":[]"), std::string::npos) << out[1];

  options.format = "text";
  options.output = dir_ + "/out.txt.jsonl";
  ASSERT_TRUE(RunBatch(*rules_, {Write("in.txt", "We demand a ceasefire.\n\nPlain line.\n")},
                       options, &summary)
                  .ok());
  out = Lines(options.output);
  ASSERT_EQ(out.size(), 2u);  // blank lines are skipped
  EXPECT_NE(out[0].find("\"id\":\"1\""), std::string::npos);
  EXPECT_NE(out[1].find("\"id\":\"3\""), std::string::npos);
}

TEST_F(BatchTest, ShardsPartitionTheInput) {
  std::string input;
  for (int i = 0; i < 10; ++i) input += "{\"id\": \"" + std::to_string(i) + "\", \"text\": \"x\"}\n";
  std::string in = Write("in.jsonl", input);
  std::vector<std::string> all;
  for (int shard = 0; shard < 3; ++shard) {
    BatchOptions options;
    options.shard_index = shard;
    options.shard_count = 3;
    options.output = dir_ + "/shard" + std::to_string(shard);
    options.progress = "never";
    BatchSummary summary;
    ASSERT_TRUE(RunBatch(*rules_, {in}, options, &summary).ok());
    std::vector<std::string> out = Lines(options.output);
    EXPECT_EQ(static_cast<int64_t>(out.size()), summary.documents);
    all.insert(all.end(), out.begin(), out.end());
  }
  EXPECT_EQ(all.size(), 10u);
  BatchOptions bad;
  bad.shard_index = 3;
  bad.shard_count = 3;
  BatchSummary summary;
  EXPECT_FALSE(RunBatch(*rules_, {in}, bad, &summary).ok());
}

TEST_F(BatchTest, ResumeSkipsCompleteLinesAndDropsAPartialOne) {
  std::string input;
  for (int i = 0; i < 20; ++i) {
    input += "{\"id\": \"" + std::to_string(i) + "\", \"text\": \"We call for a truce.\"}\n";
  }
  std::string in = Write("in.jsonl", input);
  BatchOptions options;
  options.output = dir_ + "/out.jsonl";
  options.progress = "never";
  BatchSummary full;
  ASSERT_TRUE(RunBatch(*rules_, {in}, options, &full).ok());
  std::vector<std::string> expected = Lines(options.output);

  // Simulate a crash: keep 7 complete lines and half of the 8th.
  std::string kept;
  for (int i = 0; i < 7; ++i) kept += expected[i] + "\n";
  kept += expected[7].substr(0, expected[7].size() / 2);
  std::ofstream(options.output, std::ios::trunc) << kept;

  options.resume = true;
  BatchSummary resumed;
  ASSERT_TRUE(RunBatch(*rules_, {in}, options, &resumed).ok());
  EXPECT_EQ(resumed.resumed, 7);
  EXPECT_EQ(resumed.documents, 13);
  EXPECT_EQ(Lines(options.output), expected);
}

TEST_F(BatchTest, MissingInputIsAnError) {
  BatchOptions options;
  options.output = dir_ + "/out.jsonl";
  BatchSummary summary;
  EXPECT_EQ(RunBatch(*rules_, {dir_ + "/nope.jsonl"}, options, &summary).code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace entente
