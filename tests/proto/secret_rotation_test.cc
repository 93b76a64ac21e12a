// Secret rotation on an injected time: both secrets sign during the overlap, only the new one
// after it; the rotation request's validation; the previous secret kept in storage and never in
// the API's reply.
#include "proto/secret_rotation.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "proto/signature.h"

namespace hookbroker {
namespace {

constexpr std::int64_t kNow = 1'700'000'000'000;
constexpr std::string_view kOld = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view kMsgId = "msg_rotation";
constexpr std::string_view kBody = R"({"eventType":"MemberAdded"})";

Subscription WithSecret(std::string_view secret) {
  Subscription sub;
  sub.id = SubscriptionId("sub-rot");
  sub.secret = std::string(secret);
  return sub;
}

std::string Key(std::string_view secret) {
  auto key = DecodeWebhookSecret(secret);
  EXPECT_TRUE(key.ok());
  return key.ok() ? *key : std::string();
}

// The header the dispatcher would send at `now_ms`, verified with `secret` as a receiver would.
Status VerifyAt(const Subscription& sub, std::int64_t now_ms, std::string_view secret) {
  const std::int64_t ts = now_ms / 1000;
  const std::string header =
      CallbackSignatureHeader(sub, Key(sub.secret), kMsgId, ts, kBody, now_ms);
  return VerifyWebhook(Key(secret), kMsgId, std::to_string(ts), kBody, header, ts);
}

TEST(SecretRotationTest, BothSecretsVerifyDuringTheOverlapAndOnlyTheNewOneAfter) {
  Subscription sub = WithSecret(kOld);
  const std::string fresh = GenerateWebhookSecret();
  RotateSecret(sub, fresh, 60'000, kNow);
  EXPECT_EQ(sub.secret, fresh);
  EXPECT_EQ(sub.previous_secret, kOld);
  EXPECT_EQ(sub.previous_secret_until_ms, kNow + 60'000);

  EXPECT_TRUE(VerifyAt(sub, kNow, fresh).ok());
  EXPECT_TRUE(VerifyAt(sub, kNow, kOld).ok());
  EXPECT_TRUE(VerifyAt(sub, kNow + 59'999, kOld).ok()) << "the old secret stopped early";
  const std::string during =
      CallbackSignatureHeader(sub, Key(fresh), kMsgId, kNow / 1000, kBody, kNow);
  EXPECT_EQ(std::count(during.begin(), during.end(), ' '), 1) << during;

  EXPECT_TRUE(VerifyAt(sub, kNow + 60'000, fresh).ok());
  const Status old_after = VerifyAt(sub, kNow + 60'000, kOld);
  ASSERT_FALSE(old_after.ok()) << "the old secret still signs after the overlap";
  EXPECT_EQ(old_after.error().code, "invalid_signature");
}

TEST(SecretRotationTest, NewSignatureComesFirstInTheHeader) {
  Subscription sub = WithSecret(kOld);
  const std::string fresh = GenerateWebhookSecret();
  RotateSecret(sub, fresh, 60'000, kNow);
  const std::string header =
      CallbackSignatureHeader(sub, Key(fresh), kMsgId, kNow / 1000, kBody, kNow);
  EXPECT_EQ(header, SignWebhook(Key(fresh), kMsgId, kNow / 1000, kBody) + " " +
                        SignWebhook(Key(kOld), kMsgId, kNow / 1000, kBody));
}

TEST(SecretRotationTest, ZeroOverlapDropsTheOldSecretAtOnce) {
  Subscription sub = WithSecret(kOld);
  const std::string fresh = GenerateWebhookSecret();
  RotateSecret(sub, fresh, 0, kNow);
  EXPECT_TRUE(sub.previous_secret.empty());
  EXPECT_FALSE(InRotationOverlap(sub, kNow));
  EXPECT_TRUE(VerifyAt(sub, kNow, fresh).ok());
  EXPECT_FALSE(VerifyAt(sub, kNow, kOld).ok());
}

TEST(SecretRotationTest, SecondRotationDuringAnOverlapKeepsOnlyTheLastTwo) {
  Subscription sub = WithSecret(kOld);
  const std::string second = GenerateWebhookSecret();
  const std::string third = GenerateWebhookSecret();
  RotateSecret(sub, second, 60'000, kNow);
  RotateSecret(sub, third, 60'000, kNow + 1000);
  EXPECT_EQ(sub.previous_secret, second);
  EXPECT_EQ(sub.previous_secret_until_ms, kNow + 61'000);
  EXPECT_TRUE(VerifyAt(sub, kNow + 1000, third).ok());
  EXPECT_TRUE(VerifyAt(sub, kNow + 1000, second).ok());
  EXPECT_FALSE(VerifyAt(sub, kNow + 1000, kOld).ok()) << "three secrets signing";
}

TEST(SecretRotationTest, WithoutRotationOneSignature) {
  const Subscription sub = WithSecret(kOld);
  const std::string header =
      CallbackSignatureHeader(sub, Key(kOld), kMsgId, kNow / 1000, kBody, kNow);
  EXPECT_EQ(header, SignWebhook(Key(kOld), kMsgId, kNow / 1000, kBody));
}

TEST(SecretRotationTest, RequestDefaultsToADayAndAGeneratedSecret) {
  auto r = ParseRotationRequest(boost::json::object{});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->overlap_ms, 24LL * 3600 * 1000);
  EXPECT_TRUE(r->new_secret.empty());

  r = ParseRotationRequest(
      boost::json::parse(R"({"overlapSeconds":90,"secret":")" + std::string(kOld) + R"("})"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->overlap_ms, 90'000);
  EXPECT_EQ(r->new_secret, kOld);
}

TEST(SecretRotationTest, RequestRejectsBadFieldsNamingThem) {
  struct Case {
    const char* body;
    const char* field;
  } cases[] = {
      {R"({"overlapSeconds":-1})", "overlapSeconds"},
      {R"({"overlapSeconds":2592001})", "overlapSeconds"},
      {R"({"overlapSeconds":1.5})", "overlapSeconds"},
      {R"({"overlapSeconds":"60"})", "overlapSeconds"},
      {R"({"secret":"not-a-secret"})", "secret"},
      {R"({"secret":"whsec_c2hvcnQ="})", "secret"},
      {R"({"overlap":60})", "overlap"},
  };
  for (const Case& c : cases) {
    auto r = ParseRotationRequest(boost::json::parse(c.body));
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.error().field, c.field) << c.body;
  }
  EXPECT_FALSE(ParseRotationRequest(boost::json::array{}).ok());
}

TEST(SecretRotationTest, PreviousSecretIsStoredButNeverInTheApiReply) {
  Subscription sub = WithSecret(kOld);
  sub.object_id = "g";
  sub.event_types = {"*"};
  sub.callback_url = "https://example.com/hook";
  const std::string fresh = GenerateWebhookSecret();
  RotateSecret(sub, fresh, 60'000, kNow);

  const std::string stored = boost::json::serialize(SubscriptionToStorageJson(sub));
  auto back = SubscriptionFromStorageJson(boost::json::parse(stored));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->secret, fresh);
  EXPECT_EQ(back->previous_secret, kOld);
  EXPECT_EQ(back->previous_secret_until_ms, kNow + 60'000);

  const std::string reply = boost::json::serialize(SubscriptionToApiJson(sub));
  EXPECT_EQ(reply.find("whsec_"), std::string::npos) << reply;
}

TEST(SecretRotationTest, RecordWithoutRotationFieldsStillDecodes) {
  Subscription sub = WithSecret(kOld);
  boost::json::object stored = SubscriptionToStorageJson(sub);
  EXPECT_FALSE(stored.contains("psecret")) << "written without a rotation";
  auto back = SubscriptionFromStorageJson(stored);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_TRUE(back->previous_secret.empty());
  stored["psecret"] = std::string(kOld);  // without its expiry: corrupt
  EXPECT_FALSE(SubscriptionFromStorageJson(stored).ok());
}

}  // namespace
}  // namespace hookbroker
