#include "proto/envelope.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace hookbroker {
namespace {

Subscription Sub() {
  Subscription sub;
  sub.id = SubscriptionId("sub-1");
  sub.object_id = "group-7";
  sub.object_type = ObjectType::kGroup;
  sub.callback_context = "ctx-1";
  return sub;
}

TEST(EnvelopeTest, BuildsKaizalaBodyInDocumentedKeyOrder) {
  const boost::json::object event = boost::json::parse(R"({
    "timestamp": 1700000000000, "fromUserProfilePic": "https://p", "fromUserName": "Ann",
    "fromUserId": "u1", "fromUser": "+1555", "data": {"text": "hi"}, "eventId": "e1",
    "eventType": "TextMessageCreated", "groupId": "ignored", "extra": 1})")
                                        .as_object();
  EXPECT_EQ(BuildKaizalaEnvelope(Sub(), event),
            R"({"subscriptionId":"sub-1","objectId":"group-7","objectType":"Group",)"
            R"("eventType":"TextMessageCreated","eventId":"e1","data":{"text":"hi"},)"
            R"("context":"ctx-1","fromUser":"+1555","fromUserId":"u1","fromUserName":"Ann",)"
            R"("fromUserProfilePic":"https://p","timestamp":1700000000000})");
}

TEST(EnvelopeTest, UsesTheSubscriptionsObjectIdAndType) {
  Subscription sub = Sub();
  sub.object_id = "pkg-3";
  sub.object_type = ObjectType::kActionPackage;
  const boost::json::object event =
      boost::json::parse(
          R"({"eventType":"ActionResponse","eventId":"e","groupId":"g","actionPackageId":"pkg-3",
          "timestamp":1})")
          .as_object();
  const boost::json::value body = boost::json::parse(BuildKaizalaEnvelope(sub, event));
  EXPECT_EQ(body.at("objectId"), "pkg-3");
  EXPECT_EQ(body.at("objectType"), "ActionPackage");
  EXPECT_FALSE(body.as_object().contains("actionPackageId"));
}

TEST(EnvelopeTest, DefaultsDataAndOmitsAbsentFieldsAndEmptyContext) {
  Subscription sub = Sub();
  sub.callback_context.clear();
  const boost::json::object event =
      boost::json::parse(
          R"({"eventType":"MemberAdded","eventId":"e2","groupId":"g","timestamp":5,
          "fromUser":null})")
          .as_object();
  EXPECT_EQ(BuildKaizalaEnvelope(sub, event),
            R"({"subscriptionId":"sub-1","objectId":"group-7","objectType":"Group",)"
            R"("eventType":"MemberAdded","eventId":"e2","data":{},"timestamp":5})");
}

}  // namespace
}  // namespace hookbroker
