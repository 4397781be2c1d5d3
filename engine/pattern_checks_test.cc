#include "engine/pattern_checks.h"

#include "gtest/gtest.h"

namespace entente {
namespace {

TEST(FindAnyByteEscapeTest, FindsTheEscapeAndItsOffset) {
  size_t offset = 99;
  EXPECT_TRUE(FindAnyByteEscape("\\C", &offset));
  EXPECT_EQ(offset, 0u);
  EXPECT_TRUE(FindAnyByteEscape("cease\\w+\\C{2}fire", &offset));
  EXPECT_EQ(offset, 8u);
  EXPECT_TRUE(FindAnyByteEscape("[a\\C]", &offset));
}

TEST(FindAnyByteEscapeTest, EscapedBackslashesAndOtherEscapesAreNot) {
  size_t offset = 0;
  EXPECT_FALSE(FindAnyByteEscape("\\\\C", &offset));  // a backslash, then C
  EXPECT_FALSE(FindAnyByteEscape("\\bC\\w+", &offset));
  EXPECT_FALSE(FindAnyByteEscape("CEASEFIRE", &offset));
  EXPECT_FALSE(FindAnyByteEscape("trailing\\", &offset));
  EXPECT_TRUE(FindAnyByteEscape("\\\\\\C", &offset));  // backslash, then \C
  EXPECT_EQ(offset, 2u);
}

TEST(CanMatchEmptyTest, EmptyMatchesAnywhereAreFound) {
  EXPECT_TRUE(CanMatchEmpty(RE2("")));
  EXPECT_TRUE(CanMatchEmpty(RE2("x?")));
  EXPECT_TRUE(CanMatchEmpty(RE2("\\b")));
  EXPECT_TRUE(CanMatchEmpty(RE2("$")));
  EXPECT_TRUE(CanMatchEmpty(RE2("(?:ceasefire)*")));
  EXPECT_FALSE(CanMatchEmpty(RE2("\\bceasefire\\b")));
  EXPECT_FALSE(CanMatchEmpty(RE2("a+")));
}

}  // namespace
}  // namespace entente
