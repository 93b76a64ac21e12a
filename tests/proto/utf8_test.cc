#include "proto/utf8.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace hookbroker::testing {
namespace {

TEST(Utf8Test, AcceptsWellFormedTextOfEveryLength) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9"));       // é, 2 bytes
  EXPECT_TRUE(IsValidUtf8("\xe2\x82\xac"));      // €, 3 bytes
  EXPECT_TRUE(IsValidUtf8("\xf0\x9f\x98\x80"));  // 😀, 4 bytes
  EXPECT_TRUE(IsValidUtf8("\xf4\x8f\xbf\xbf"));  // U+10FFFF, the last code point
  EXPECT_TRUE(IsValidUtf8(std::string("nul\0inside", 10)));
}

TEST(Utf8Test, RefusesMalformedSequences) {
  EXPECT_FALSE(IsValidUtf8("caf\xe9"));           // Latin-1
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\x80"));              // a lone continuation byte
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xf0\x80\x80\xaf"));  // overlong
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // a surrogate, U+D800
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xf5\x80\x80\x80"));  // never a lead byte
  EXPECT_FALSE(IsValidUtf8("\xc3\x28"));          // second byte not a continuation
  EXPECT_FALSE(IsValidUtf8("\xf0\x9f\x98"));      // 4-byte sequence cut short
}

TEST(Utf8Test, ToValidUtf8KeepsWellFormedTextAndReplacesEachBadByte) {
  for (std::string_view ok : {"", "plain", "caf\xc3\xa9", "\xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf"}) {
    EXPECT_EQ(ToValidUtf8(std::string(ok)), ok);
  }
  EXPECT_EQ(ToValidUtf8("caf\xe9!"), "caf\xEF\xBF\xBD!");
  EXPECT_EQ(ToValidUtf8("\xe2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // cut inside a character
  EXPECT_EQ(ToValidUtf8("\xed\xa0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(ToValidUtf8(std::string("a\0b", 3)), std::string("a\0b", 3));
  // Whatever the bytes, the result is well-formed and keeps every well-formed ASCII byte.
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int i = 0; i < 2000; ++i) {
    std::string s(static_cast<std::size_t>(i % 50), '\0');
    for (char& c : s) c = static_cast<char>(byte(rng));
    const std::string out = ToValidUtf8(s);
    ASSERT_TRUE(IsValidUtf8(out));
    std::size_t ascii_in = 0, ascii_out = 0;
    for (unsigned char c : s) ascii_in += c < 0x80;
    for (unsigned char c : out) ascii_out += c < 0x80;
    ASSERT_EQ(ascii_in, ascii_out);
  }
}

}  // namespace
}  // namespace hookbroker::testing
