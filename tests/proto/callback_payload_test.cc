// Which body and headers each payload format sends; the token goes where its receivers look.
#include "proto/callback_payload.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "proto/envelope.h"
#include "proto/kommunicate_payload.h"
#include "proto/mattermost_payload.h"
#include "proto/slack_payload.h"

namespace hookbroker {
namespace {

namespace json = boost::json;

const json::object& Event() {
  static const json::object event =
      json::parse(R"({"eventType":"TextMessageCreated","groupId":"42","eventId":"e-1",
        "timestamp":1700000000000,"fromUserId":"u","data":{"text":"hello"},"custom":[1,2]})")
          .as_object();
  return event;
}

Subscription Sub(PayloadFormat format) {
  Subscription sub;
  sub.id = SubscriptionId("sub-1");
  sub.object_id = "42";
  sub.format = format;
  sub.callback_token = "abcdef";
  return sub;
}

// name -> {value, logged}
std::map<std::string, std::pair<std::string, std::string>> Headers(const CallbackPayload& p) {
  std::map<std::string, std::pair<std::string, std::string>> out;
  for (const CallbackHeader& h : p.headers) out[h.name] = {h.value, h.logged};
  return out;
}

TEST(CallbackPayloadTest, KaizalaIsTheEnvelopeWithTheTokenInItsHeader) {
  const Subscription sub = Sub(PayloadFormat::kKaizala);
  const CallbackPayload p = RenderCallbackPayload(sub, Event());
  EXPECT_EQ(p.content_type, "application/json");
  EXPECT_EQ(p.body, BuildKaizalaEnvelope(sub, Event()));
  EXPECT_EQ(Headers(p), (std::map<std::string, std::pair<std::string, std::string>>{
                            {"kz-callback-token", {"abcdef", "****"}}}));
}

TEST(CallbackPayloadTest, KommunicateSendsTheTokenAsAuthenticationBasic) {
  const Subscription sub = Sub(PayloadFormat::kKommunicate);
  const CallbackPayload p = RenderCallbackPayload(sub, Event());
  EXPECT_EQ(p.content_type, "application/json");
  EXPECT_EQ(p.body, BuildKommunicateMessage(sub, Event()));
  // Kommunicate's own example: the token abcdef is sent as "Basic YWJjZGVm".
  EXPECT_EQ(Headers(p), (std::map<std::string, std::pair<std::string, std::string>>{
                            {"Authentication", {"Basic YWJjZGVm", "Basic ****"}}}));
}

TEST(CallbackPayloadTest, KommunicateWithoutTokenSendsNoAuthentication) {
  Subscription sub = Sub(PayloadFormat::kKommunicate);
  sub.callback_token.clear();
  EXPECT_TRUE(RenderCallbackPayload(sub, Event()).headers.empty());
}

TEST(CallbackPayloadTest, SlackIsTheSlackMessage) {
  const Subscription sub = Sub(PayloadFormat::kSlack);
  const CallbackPayload p = RenderCallbackPayload(sub, Event());
  EXPECT_EQ(p.content_type, "application/json");
  EXPECT_EQ(p.body, BuildSlackMessage(sub, Event()));
  EXPECT_EQ(Headers(p).count("kz-callback-token"), 1u);
}

TEST(CallbackPayloadTest, MattermostIsTheOutgoingPayloadFormEncodedByDefault) {
  Subscription sub = Sub(PayloadFormat::kMattermost);
  sub.content_type = kFormContentType;
  const CallbackPayload p = RenderCallbackPayload(sub, Event());
  EXPECT_EQ(p.content_type, "application/x-www-form-urlencoded");
  // Alphabetical as Mattermost (Go's url.Values) writes it; the token travels in the body.
  EXPECT_EQ(p.body,
            "channel_id=42&channel_name=&file_ids=&post_id=e-1&team_domain=&team_id=&text=hello&"
            "timestamp=1700000000&token=abcdef&trigger_word=&user_id=u&user_name=");
  EXPECT_TRUE(p.headers.empty()) << "no kz-callback-token: the token is in the body";
}

TEST(CallbackPayloadTest, MattermostJsonHasMillisecondsAndTheEventsChatFields) {
  Subscription sub = Sub(PayloadFormat::kMattermost);
  sub.content_type = kJsonContentType;
  const json::object event = json::parse(R"({"eventType":"TextMessageCreated","groupId":"ch-1",
      "groupName":"town-square","eventId":"e-2","timestamp":1700000000123,"fromUserId":"u-1",
      "fromUserName":"ann","data":{"text":"ship it","postId":"p-26","fileIds":["f1","f2"]}})")
                                 .as_object();
  const CallbackPayload p = RenderCallbackPayload(sub, event);
  EXPECT_EQ(p.content_type, "application/json");
  EXPECT_EQ(json::parse(p.body), json::parse(R"({"token":"abcdef","team_id":"","team_domain":"",
      "channel_id":"ch-1","channel_name":"town-square","timestamp":1700000000123,
      "user_id":"u-1","user_name":"ann","post_id":"p-26","text":"ship it","trigger_word":"",
      "file_ids":"f1,f2"})"));
}

TEST(CallbackPayloadTest, RawIsTheEventExactlyAsStored) {
  Subscription sub = Sub(PayloadFormat::kRaw);
  sub.callback_context = "not added to a raw event";
  const CallbackPayload p = RenderCallbackPayload(sub, Event());
  EXPECT_EQ(p.content_type, "application/json");
  EXPECT_EQ(json::parse(p.body), json::value(Event()));
  EXPECT_EQ(p.body, json::serialize(Event())) << "same fields, same order";
}

TEST(CallbackPayloadTest, AuthHeaderIsAddedInEveryFormatAndLoggedMasked) {
  for (PayloadFormat f : {PayloadFormat::kKaizala, PayloadFormat::kKommunicate,
                          PayloadFormat::kSlack, PayloadFormat::kMattermost, PayloadFormat::kRaw}) {
    Subscription sub = Sub(f);
    sub.auth.kind = CallbackAuth::Kind::kBasic;
    sub.auth.username = "svc";
    sub.auth.password = "pw";
    const auto headers = Headers(RenderCallbackPayload(sub, Event()));
    ASSERT_EQ(headers.count("Authorization"), 1u) << ToString(f);
    EXPECT_EQ(headers.at("Authorization").first, "Basic c3ZjOnB3") << ToString(f);
    EXPECT_EQ(headers.at("Authorization").second, "Basic ****") << ToString(f);
  }
}

}  // namespace
}  // namespace hookbroker
