#include "cli/json_line.h"

#include "gtest/gtest.h"

namespace entente {
namespace {

TEST(JsonLine, ExtractsFieldsAndSkipsTheRest) {
  JsonFields f({"id", "text", "speaker"});
  ASSERT_TRUE(ParseJsonObject(
                  R"({"id": 42, "nested": {"a": [1, 2, {"b": null}]}, "text": "We \"call\"\n",)"
                  R"( "speaker": null, "x": true})",
                  &f)
                  .ok());
  EXPECT_TRUE(f.found(0));
  EXPECT_EQ(f.value(0), "42");
  EXPECT_FALSE(f.is_string(0));
  EXPECT_EQ(f.value(1), "We \"call\"\n");
  EXPECT_TRUE(f.is_string(1));
  EXPECT_FALSE(f.found(2));  // null counts as absent
}

TEST(JsonLine, DecodesUnicodeEscapesAndSurrogatePairs) {
  JsonFields f({"text"});
  ASSERT_TRUE(ParseJsonObject(R"({"text": "C\u00f4te \ud83d\ude00 \u4e2d"})", &f).ok());
  EXPECT_EQ(f.value(0), "Côte 😀 中");
  EXPECT_FALSE(ParseJsonObject(R"({"text": "\ud83d alone"})", &f).ok());
  EXPECT_FALSE(ParseJsonObject(R"({"text": "\u12"})", &f).ok());
}

TEST(JsonLine, RejectsMalformedLinesWithAPosition) {
  JsonFields f({"text"});
  for (const char* bad : {"", "[]", "{", "{\"text\": }", "{\"text\": \"x\"} trailing",
                          "{\"text\" \"x\"}", "{'text': 'x'}", "{\"text\": \"x\",}",
                          "{\"a\": 01}", "{\"a\": tru}", "{\"text\": \"tab\there\"}"}) {
    absl::Status s = ParseJsonObject(bad, &f);
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.message().find("bad JSON at byte"), std::string::npos) << s;
  }
}

TEST(JsonLine, DeepNestingIsAnErrorNotACrash) {
  std::string deep = "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  JsonFields f({"text"});
  EXPECT_FALSE(ParseJsonObject(deep, &f).ok());
}

TEST(JsonLine, EscapesStrings) {
  std::string out;
  AppendJsonString("a\"b\\c\nd\x01", &out);
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\nd\\u0001\"");
}

}  // namespace
}  // namespace entente
