#include "proto/form_encode.h"

#include <gtest/gtest.h>

namespace hookbroker::testing {
namespace {

TEST(FormEncodeTest, KeepsUnreservedAndEscapesEverythingElse) {
  EXPECT_EQ(PercentEncode("aZ09-._~"), "aZ09-._~");
  EXPECT_EQ(PercentEncode("a b&c=d#e/é"), "a%20b%26c%3Dd%23e%2F%C3%A9");
  EXPECT_EQ(PercentEncode("a b+c", true), "a+b%2Bc");
}

TEST(FormEncodeTest, JoinsFieldsInTheGivenOrder) {
  EXPECT_EQ(FormEncode({{"b", "two words"}, {"a", ""}, {"c d", "x,y"}}),
            "b=two+words&a=&c+d=x%2Cy");
  EXPECT_EQ(FormEncode({}), "");
}

}  // namespace
}  // namespace hookbroker::testing
