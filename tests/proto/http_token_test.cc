#include "proto/http_token.h"

#include <gtest/gtest.h>

#include <string>

namespace hookbroker {
namespace {

TEST(HttpTokenTest, TokenCharsAreLettersDigitsAndTheSeparatorFreeSymbols) {
  std::string accepted;
  for (int c = 0; c < 256; ++c) {
    if (IsHttpTokenChar(static_cast<char>(c))) accepted += static_cast<char>(c);
  }
  EXPECT_EQ(accepted,
            "!#$%&'*+-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ^_`abcdefghijklmnopqrstuvwxyz|~");
}

TEST(HttpTokenTest, ATokenIsNonEmptyAndHasNoSeparator) {
  EXPECT_TRUE(IsHttpToken("Content-Type"));
  EXPECT_TRUE(IsHttpToken("x-custom_header.v2"));
  EXPECT_FALSE(IsHttpToken(""));
  EXPECT_FALSE(IsHttpToken("Content Type"));
  EXPECT_FALSE(IsHttpToken("Content-Type:"));
  EXPECT_FALSE(IsHttpToken("X-\xc3\xa9t\xc3\xa9"));  // UTF-8 letters are not tchar
  EXPECT_FALSE(IsHttpToken(std::string("X\0Y", 3)));
}

TEST(HttpTokenTest, ComparisonIgnoresOnlyAsciiCase) {
  EXPECT_TRUE(EqualsIgnoreAsciiCase("Transfer-Encoding", "transfer-encoding"));
  EXPECT_TRUE(EqualsIgnoreAsciiCase("", ""));
  EXPECT_FALSE(EqualsIgnoreAsciiCase("chunked", "chunked "));
  EXPECT_FALSE(EqualsIgnoreAsciiCase("close", "clos"));
  // '[' and '{' differ from their neighbours by the case bit but are not letters.
  EXPECT_FALSE(EqualsIgnoreAsciiCase("a[", "a{"));
  EXPECT_FALSE(EqualsIgnoreAsciiCase("\xc3\x89", "\xc3\xa9"));  // É and é: not ASCII
}

}  // namespace
}  // namespace hookbroker
