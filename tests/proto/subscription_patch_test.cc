#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "proto/signature.h"
#include "proto/subscription.h"

namespace hookbroker {
namespace {

namespace json = boost::json;
constexpr std::int64_t kNow = 1'700'000'000'000;

Subscription Registered() {
  auto sub = ParseSubscriptionRequest(
      json::parse(R"({"objectId":"g","objectType":"Group","eventTypes":["MemberAdded"],
                      "callBackUrl":"https://a.example/hook","callBackToken":"t",
                      "auth":{"username":"u","password":"p"}})"),
      RequestPolicy{}, kNow);
  EXPECT_TRUE(sub.ok());
  Subscription s = std::move(sub).value();
  s.id = SubscriptionId("id-1");
  s.secret = GenerateWebhookSecret();
  return s;
}

TEST(SubscriptionPatchTest, ChangesOnlyTheGivenFields) {
  Subscription sub = Registered();
  const Subscription before = sub;
  bool url_changed = true;
  Status s = ApplySubscriptionPatch(json::parse(R"({"eventTypes":["*"],"paused":true})"),
                                    RequestPolicy{}, kNow, &sub, &url_changed);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_FALSE(url_changed);
  EXPECT_EQ(sub.event_types, std::vector<std::string>{"*"});
  EXPECT_TRUE(sub.paused);
  EXPECT_EQ(sub.callback_url, before.callback_url);
  EXPECT_EQ(sub.callback_token, "t");
  EXPECT_EQ(sub.auth.password, "p");
  EXPECT_EQ(sub.secret, before.secret);
  EXPECT_EQ(sub.validity_ms, before.validity_ms);
  EXPECT_EQ(sub.created_ms, before.created_ms);
}

TEST(SubscriptionPatchTest, NewUrlIsValidatedAndReported) {
  Subscription sub = Registered();
  bool url_changed = false;
  ASSERT_TRUE(ApplySubscriptionPatch(json::parse(R"({"callBackUrl":"https://b.example/x"})"),
                                     RequestPolicy{}, kNow, &sub, &url_changed)
                  .ok());
  EXPECT_TRUE(url_changed);
  EXPECT_EQ(sub.callback_url, "https://b.example/x");

  Status http = ApplySubscriptionPatch(json::parse(R"({"callBackUrl":"http://b.example/x"})"),
                                       RequestPolicy{}, kNow, &sub, &url_changed);
  ASSERT_FALSE(http.ok());
  EXPECT_EQ(http.error().field, "callBackUrl");
  EXPECT_EQ(sub.callback_url, "https://b.example/x") << "unchanged on error";
}

TEST(SubscriptionPatchTest, NullRemovesAuthAndToken) {
  Subscription sub = Registered();
  bool url_changed = false;
  ASSERT_TRUE(ApplySubscriptionPatch(json::parse(R"({"auth":null,"callBackToken":null})"),
                                     RequestPolicy{}, kNow, &sub, &url_changed)
                  .ok());
  EXPECT_EQ(sub.auth.kind, CallbackAuth::Kind::kNone);
  EXPECT_TRUE(sub.callback_token.empty());
}

TEST(SubscriptionPatchTest, RefusesFixedUnknownAndInvalidFields) {
  Subscription sub = Registered();
  const Subscription before = sub;
  bool url_changed = false;
  for (const auto& [body, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"objectId":"other"})", "objectId"},
           {R"({"objectType":"Action"})", "objectType"},
           {R"({"secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"})", "secret"},
           {R"({"colour":"blue"})", "colour"},
           {R"({"paused":"yes"})", "paused"},
           {R"({"eventTypes":[]})", "eventTypes"},
           {R"({"validity":5})", "validity"}}) {
    Status s = ApplySubscriptionPatch(json::parse(body), RequestPolicy{}, kNow, &sub, &url_changed);
    ASSERT_FALSE(s.ok()) << body;
    EXPECT_EQ(s.error().field, field) << body;
    EXPECT_EQ(sub.event_types, before.event_types);
    EXPECT_FALSE(sub.paused);
  }
  Status not_object =
      ApplySubscriptionPatch(json::parse("[1]"), RequestPolicy{}, kNow, &sub, &url_changed);
  ASSERT_FALSE(not_object.ok());
  EXPECT_EQ(not_object.error().code, "invalid_json");
}

TEST(SubscriptionPatchTest, DisabledFalseReEnablesAndTrueDisablesByAnOperator) {
  Subscription sub = Registered();
  sub.disabled_ms = kNow - 1000;
  sub.disabled_reason = "the endpoint answered 410 Gone";
  bool url_changed = false;
  ASSERT_TRUE(ApplySubscriptionPatch(json::parse(R"({"disabled":false})"), RequestPolicy{}, kNow,
                                     &sub, &url_changed)
                  .ok());
  EXPECT_FALSE(sub.disabled());
  EXPECT_EQ(sub.disabled_reason, "");
  ASSERT_TRUE(ApplySubscriptionPatch(json::parse(R"({"disabled":true})"), RequestPolicy{}, kNow,
                                     &sub, &url_changed)
                  .ok());
  EXPECT_EQ(sub.disabled_ms, kNow);
  EXPECT_EQ(sub.disabled_reason, "disabled by an operator");
  Status bad = ApplySubscriptionPatch(json::parse(R"({"disabled":"no"})"), RequestPolicy{}, kNow,
                                      &sub, &url_changed);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "disabled");
}

TEST(SubscriptionPatchTest, DisabledStateIsStoredAndShownInTheApiReply) {
  Subscription sub = Registered();
  const json::object enabled = SubscriptionToApiJson(sub);
  EXPECT_EQ(enabled.at("disabled"), false);
  EXPECT_FALSE(enabled.contains("disabledReason"));
  sub.disabled_ms = kNow;
  sub.disabled_reason = "no successful callback for 120 hours";
  const json::object api = SubscriptionToApiJson(sub);
  EXPECT_EQ(api.at("disabled"), true);
  EXPECT_EQ(api.at("disabledAt"), kNow);
  EXPECT_EQ(api.at("disabledReason"), "no successful callback for 120 hours");
  auto back = SubscriptionFromStorageJson(SubscriptionToStorageJson(sub));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->disabled_ms, kNow);
  EXPECT_EQ(back->disabled_reason, sub.disabled_reason);
}

}  // namespace
}  // namespace hookbroker
