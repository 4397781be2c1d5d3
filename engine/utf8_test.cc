#include "engine/utf8.h"

#include <string>

#include "gtest/gtest.h"

namespace entente {
namespace {

TEST(Utf8, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("Côte d’Ivoire, 中国, עברית, 😀"));
  EXPECT_TRUE(IsValidUtf8(std::string("nul\0inside", 10)));
}

TEST(Utf8, RejectsMalformedSequencesWithTheirOffset) {
  size_t at = 0;
  EXPECT_FALSE(IsValidUtf8("ab\xC3", &at));  // truncated
  EXPECT_EQ(at, 2u);
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF", &at));       // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF", &at));   // overlong
  EXPECT_FALSE(IsValidUtf8("x\xED\xA0\x80", &at));  // surrogate U+D800
  EXPECT_EQ(at, 1u);
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80", &at));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xFF", &at));
  EXPECT_FALSE(IsValidUtf8("\x80", &at));  // lone continuation
}

TEST(Utf8, AppendsTheEncodingOfEachLength) {
  std::string out;
  AppendUtf8(0x41, &out);     // A
  AppendUtf8(0xE9, &out);     // é
  AppendUtf8(0x4E2D, &out);   // 中
  AppendUtf8(0x1F600, &out);  // 😀
  EXPECT_EQ(out, "A\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80");
  EXPECT_TRUE(IsValidUtf8(out));
}

}  // namespace
}  // namespace entente
