// Resolving a callback host under the SSRF guard: every allowed address, in the resolver's order.
#include "broker/callback_address.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace hookbroker::testing {
namespace {

TEST(CallbackAddressTest, AnAllowedLiteralIsItsOnlyAddress) {
  CallbackAddressPolicy policy({*ParseCidr("127.0.0.0/8")});
  auto addresses = ResolveCallbackAddresses(*ParseUrl("https://127.0.0.7:8443/hook"), policy);
  ASSERT_TRUE(addresses.ok()) << addresses.error().message;
  EXPECT_EQ(*addresses, std::vector<std::string>{"127.0.0.7"});
  EXPECT_EQ(*ResolveCallbackAddress(*ParseUrl("https://127.0.0.7:8443/hook"), policy), "127.0.0.7");
}

// A name's addresses that the policy refuses are left out; the rest all count (a pooled
// connection to any of them may be reused when the resolver changes their order).
TEST(CallbackAddressTest, ANameGivesEveryAllowedAddressAndNoOther) {
  CallbackAddressPolicy v4_only({*ParseCidr("127.0.0.0/8")});
  auto addresses = ResolveCallbackAddresses(*ParseUrl("http://localhost:8080/"), v4_only);
  ASSERT_TRUE(addresses.ok()) << addresses.error().message;
  EXPECT_NE(std::find(addresses->begin(), addresses->end(), "127.0.0.1"), addresses->end());
  EXPECT_EQ(std::find(addresses->begin(), addresses->end(), "::1"), addresses->end());
  EXPECT_EQ(*ResolveCallbackAddress(*ParseUrl("http://localhost:8080/"), v4_only),
            addresses->front());
}

TEST(CallbackAddressTest, NoAllowedAddressIsForbiddenAndNamesWhy) {
  auto addresses =
      ResolveCallbackAddresses(*ParseUrl("http://127.0.0.1:8080/"), CallbackAddressPolicy());
  ASSERT_FALSE(addresses.ok());
  EXPECT_EQ(addresses.error().code, "callback_forbidden");
  EXPECT_NE(addresses.error().message.find("loopback"), std::string::npos)
      << addresses.error().message;
}

}  // namespace
}  // namespace hookbroker::testing
