#include "proto/base64.h"

#include <gtest/gtest.h>

namespace hookbroker {
namespace {

TEST(Base64Test, EncodesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

TEST(Base64Test, DecodesRfc4648Vectors) {
  EXPECT_EQ(Base64Decode(""), "");
  EXPECT_EQ(Base64Decode("Zg=="), "f");
  EXPECT_EQ(Base64Decode("Zm8="), "fo");
  EXPECT_EQ(Base64Decode("Zm9v"), "foo");
  EXPECT_EQ(Base64Decode("Zm9vYmFy"), "foobar");
}

TEST(Base64Test, RoundTripsEveryByteValue) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  const std::string encoded = Base64Encode(bytes);
  EXPECT_NE(encoded.find('+'), std::string::npos);
  EXPECT_NE(encoded.find('/'), std::string::npos);
  EXPECT_EQ(Base64Decode(encoded), bytes);
}

TEST(Base64Test, RejectsCharactersOutsideTheAlphabet) {
  EXPECT_EQ(Base64Decode("Zm9v!A=="), std::nullopt);
  EXPECT_EQ(Base64Decode("Zm9-"), std::nullopt);  // base64url is not accepted
  EXPECT_EQ(Base64Decode("Zm9_"), std::nullopt);
}

TEST(Base64Test, RejectsWhitespace) {
  EXPECT_EQ(Base64Decode("Zm9v Zm9v"), std::nullopt);
  EXPECT_EQ(Base64Decode("Zm9v\n"), std::nullopt);
}

TEST(Base64Test, RejectsBadPadding) {
  EXPECT_EQ(Base64Decode("Zg"), std::nullopt);        // missing padding
  EXPECT_EQ(Base64Decode("Zg="), std::nullopt);       // short padding
  EXPECT_EQ(Base64Decode("Z==="), std::nullopt);      // too much padding
  EXPECT_EQ(Base64Decode("Zg==Zg=="), std::nullopt);  // padding before the end
  EXPECT_EQ(Base64Decode("Z=g="), std::nullopt);      // padding inside a quantum
  EXPECT_EQ(Base64Decode("===="), std::nullopt);
}

TEST(Base64Test, RejectsNonZeroBitsUnderPadding) {
  EXPECT_EQ(Base64Decode("Zh=="), std::nullopt);
  EXPECT_EQ(Base64Decode("Zm9="), std::nullopt);
}

}  // namespace
}  // namespace hookbroker
