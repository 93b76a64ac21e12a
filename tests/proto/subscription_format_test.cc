// A subscription's payload format: accepted and validated at registration and PATCH, stored,
// shown; records from before formats still decode.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "proto/mattermost_payload.h"
#include "proto/payload_format.h"
#include "proto/signature.h"
#include "proto/subscription.h"

namespace hookbroker {
namespace {

namespace json = boost::json;
constexpr std::int64_t kNow = 1'700'000'000'000;

json::object Request(json::object extra = {}) {
  json::object body{{"objectId", "123456"},
                    {"objectType", "Group"},
                    {"eventTypes", json::array{"*"}},
                    {"callBackUrl", "https://k.example/message/forward"}};
  for (auto& [k, v] : extra) body[k] = v;
  return body;
}

Result<Subscription> Parse(json::object extra) {
  return ParseSubscriptionRequest(Request(std::move(extra)), RequestPolicy{}, kNow);
}

void ExpectInvalid(const Result<Subscription>& sub, std::string_view field) {
  ASSERT_FALSE(sub.ok());
  EXPECT_EQ(sub.error().code, "invalid_field") << sub.error().message;
  EXPECT_EQ(sub.error().field, field) << sub.error().message;
}

TEST(PayloadFormatTest, NamesRoundTripAndUnknownNamesAreRefused) {
  for (PayloadFormat f : {PayloadFormat::kKaizala, PayloadFormat::kKommunicate,
                          PayloadFormat::kSlack, PayloadFormat::kMattermost, PayloadFormat::kRaw}) {
    EXPECT_EQ(ParsePayloadFormat(ToString(f)), f) << ToString(f);
  }
  EXPECT_FALSE(ParsePayloadFormat("Kaizala"));
  EXPECT_FALSE(ParsePayloadFormat(""));
  EXPECT_FALSE(ParsePayloadFormat("teams"));
}

TEST(PayloadFormatTest, OnlyKaizalaAndRawUseTheValidationHandshake) {
  EXPECT_TRUE(UsesValidationHandshake(PayloadFormat::kKaizala));
  EXPECT_TRUE(UsesValidationHandshake(PayloadFormat::kRaw));
  EXPECT_FALSE(UsesValidationHandshake(PayloadFormat::kKommunicate));
  EXPECT_FALSE(UsesValidationHandshake(PayloadFormat::kSlack));
  EXPECT_FALSE(UsesValidationHandshake(PayloadFormat::kMattermost));
}

TEST(SubscriptionFormatTest, DefaultsToKaizala) {
  Result<Subscription> sub = Parse({});
  ASSERT_TRUE(sub.ok()) << sub.error().message;
  EXPECT_EQ(sub->format, PayloadFormat::kKaizala);
  EXPECT_EQ(sub->content_type, "");
  EXPECT_EQ(SubscriptionToApiJson(*sub).at("format"), "kaizala");
  EXPECT_FALSE(SubscriptionToApiJson(*sub).contains("contentType"));
}

TEST(SubscriptionFormatTest, AcceptsEachFormatByName) {
  for (std::string_view name : {"kaizala", "kommunicate", "slack", "mattermost", "raw"}) {
    Result<Subscription> sub = Parse({{"format", name}});
    ASSERT_TRUE(sub.ok()) << name << ": " << sub.error().message;
    EXPECT_EQ(ToString(sub->format), name);
    EXPECT_EQ(SubscriptionToApiJson(*sub).at("format"), json::value(name));
  }
}

TEST(SubscriptionFormatTest, RefusesUnknownOrMistypedFormat) {
  ExpectInvalid(Parse({{"format", "teams"}}), "format");
  ExpectInvalid(Parse({{"format", 1}}), "format");
  ExpectInvalid(Parse({{"format", "Slack"}}), "format");
}

TEST(SubscriptionFormatTest, MattermostDefaultsToFormEncodingAndMayChooseJson) {
  Result<Subscription> form = Parse({{"format", "mattermost"}});
  ASSERT_TRUE(form.ok());
  EXPECT_EQ(form->content_type, kFormContentType);
  EXPECT_EQ(SubscriptionToApiJson(*form).at("contentType"), json::value(kFormContentType));
  Result<Subscription> js = Parse({{"format", "mattermost"}, {"contentType", "application/json"}});
  ASSERT_TRUE(js.ok());
  EXPECT_EQ(js->content_type, kJsonContentType);
  ExpectInvalid(Parse({{"format", "mattermost"}, {"contentType", "text/plain"}}), "contentType");
}

TEST(SubscriptionFormatTest, ContentTypeBelongsToMattermostOnly) {
  ExpectInvalid(Parse({{"contentType", "application/json"}}), "contentType");
  ExpectInvalid(Parse({{"format", "slack"}, {"contentType", "application/json"}}), "contentType");
}

TEST(SubscriptionFormatTest, KommunicateRefusesAnAuthHeaderThatWouldCollideWithItsToken) {
  const json::object auth{{"token", "other"}, {"header", "authentication"}};
  ExpectInvalid(Parse({{"format", "kommunicate"}, {"callBackToken", "abcdef"}, {"auth", auth}}),
                "auth.header");
  // Without a callBackToken the header is free, and other formats never send Authentication.
  EXPECT_TRUE(Parse({{"format", "kommunicate"}, {"auth", auth}}).ok());
  EXPECT_TRUE(Parse({{"format", "slack"}, {"callBackToken", "abcdef"}, {"auth", auth}}).ok());
}

TEST(SubscriptionFormatTest, StorageRoundTripsFormatAndContentType) {
  Result<Subscription> sub = Parse({{"format", "mattermost"}, {"contentType", "application/json"}});
  ASSERT_TRUE(sub.ok());
  sub->id = SubscriptionId("s-1");
  sub->secret = GenerateWebhookSecret();
  Result<Subscription> back =
      SubscriptionFromStorageJson(json::parse(json::serialize(SubscriptionToStorageJson(*sub))));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->format, PayloadFormat::kMattermost);
  EXPECT_EQ(back->content_type, kJsonContentType);
}

TEST(SubscriptionFormatTest, RecordWrittenBeforeFormatsDecodesAsKaizala) {
  // A stored record exactly as the broker wrote it before payload formats existed.
  const json::value old = json::parse(R"({"v":1,"id":"old-1","oid":"g","otype":"Group",
    "types":["*"],"url":"https://a.example/hook","ctok":"","ctx":"","valid":1800000000000,
    "created":1700000000000,"akind":"none","auser":"","apass":"","atok":"",
    "ahdr":"Authorization","secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw","paused":false,
    "deleted":false,"deletedMs":0})");
  Result<Subscription> sub = SubscriptionFromStorageJson(old);
  ASSERT_TRUE(sub.ok()) << sub.error().message;
  EXPECT_EQ(sub->format, PayloadFormat::kKaizala);
  EXPECT_EQ(sub->content_type, "");
}

TEST(SubscriptionFormatTest, StoredUnknownFormatIsReportedAsCorrupt) {
  Result<Subscription> sub = Parse({{"format", "slack"}});
  ASSERT_TRUE(sub.ok());
  json::object stored = SubscriptionToStorageJson(*sub);
  ASSERT_EQ(stored.at("fmt"), "slack");
  stored["fmt"] = "teams";
  Result<Subscription> back = SubscriptionFromStorageJson(stored);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error().code, "corrupt_record");
}

TEST(SubscriptionFormatTest, PatchChangesTheFormatAndDropsAStaleContentType) {
  Result<Subscription> sub = Parse({{"format", "mattermost"}, {"contentType", "application/json"}});
  ASSERT_TRUE(sub.ok());
  sub->secret = GenerateWebhookSecret();
  bool url_changed = true;
  ASSERT_TRUE(
      ApplySubscriptionPatch(json::parse(R"({"format":"slack"})"), {}, kNow, &*sub, &url_changed)
          .ok());
  EXPECT_FALSE(url_changed);
  EXPECT_EQ(sub->format, PayloadFormat::kSlack);
  EXPECT_EQ(sub->content_type, "");

  ASSERT_TRUE(ApplySubscriptionPatch(json::parse(R"({"format":"mattermost"})"), {}, kNow, &*sub,
                                     &url_changed)
                  .ok());
  EXPECT_EQ(sub->content_type, kFormContentType);
  ASSERT_TRUE(ApplySubscriptionPatch(json::parse(R"({"contentType":"application/json"})"), {}, kNow,
                                     &*sub, &url_changed)
                  .ok());
  EXPECT_EQ(sub->format, PayloadFormat::kMattermost);
  EXPECT_EQ(sub->content_type, kJsonContentType);
  // Patching the same format again is no change: the JSON encoding stays.
  ASSERT_TRUE(ApplySubscriptionPatch(json::parse(R"({"format":"mattermost"})"), {}, kNow, &*sub,
                                     &url_changed)
                  .ok());
  EXPECT_EQ(sub->content_type, kJsonContentType);
}

TEST(SubscriptionFormatTest, PatchIsValidatedLikeARegistrationAndLeavesTheSubscriptionAlone) {
  Result<Subscription> sub = Parse({{"format", "raw"}});
  ASSERT_TRUE(sub.ok());
  sub->secret = GenerateWebhookSecret();
  bool url_changed = false;
  Status bad =
      ApplySubscriptionPatch(json::parse(R"({"format":"teams"})"), {}, kNow, &*sub, &url_changed);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "format");
  Status stray = ApplySubscriptionPatch(json::parse(R"({"contentType":"application/json"})"), {},
                                        kNow, &*sub, &url_changed);
  ASSERT_FALSE(stray.ok());
  EXPECT_EQ(stray.error().field, "contentType");
  EXPECT_EQ(sub->format, PayloadFormat::kRaw);
}

}  // namespace
}  // namespace hookbroker
