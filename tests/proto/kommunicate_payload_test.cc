// The Kommunicate body: every field of Kommunicate's forwarding JSON, from events as the broker
// stores them.
#include "proto/kommunicate_payload.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace hookbroker {
namespace {

namespace json = boost::json;

Subscription Sub() {
  Subscription sub;
  sub.id = SubscriptionId("sub-k");
  sub.object_id = "123456";
  sub.format = PayloadFormat::kKommunicate;
  return sub;
}

json::object Render(const char* event, const Subscription& sub = Sub()) {
  return json::parse(BuildKommunicateMessage(sub, json::parse(event).as_object())).as_object();
}

TEST(KommunicatePayloadTest, TextMessageHasEveryDocumentedFieldInOrder) {
  const std::string body = BuildKommunicateMessage(
      Sub(), json::parse(R"({"eventType":"TextMessageCreated","eventId":"evt-1","groupId":"123456",
        "groupName":"Conversation","fromUserId":"user-7","fromUserName":"Asha",
        "timestamp":1457958424000,"data":{"text":"message content"}})")
                 .as_object());
  EXPECT_EQ(body,
            R"({"key":"evt-1","from":"user-7","groupId":123456,"clientGroupId":"123456",)"
            R"("groupName":"Conversation","message":"message content","timeStamp":1457958424000,)"
            R"("receiverConnected":false,"receiverLastSeenAtTime":0,)"
            R"("metadata":{"eventType":"TextMessageCreated"}})");
}

TEST(KommunicatePayloadTest, GroupIdIsANumberOnlyForACanonicalInteger) {
  auto group_id = [](const char* id) {
    const std::string event =
        std::string(R"({"eventType":"MemberAdded","eventId":"e","timestamp":1,"groupId":")") + id +
        "\"}";
    return Render(event.c_str());
  };
  EXPECT_EQ(group_id("123456").at("groupId"), json::value(123456));
  EXPECT_EQ(group_id("0").at("groupId"), json::value(0));
  EXPECT_EQ(group_id("9223372036854775807").at("groupId"), json::value(INT64_MAX));
  // Would lose its meaning (or not fit) as a number: kept as the string.
  for (const char* id : {"my-group", "0123", "9223372036854775808", "-5", "12a", "1.5"}) {
    const json::object o = group_id(id);
    EXPECT_EQ(o.at("groupId"), json::value(id)) << id;
    EXPECT_EQ(o.at("clientGroupId"), json::value(id)) << id;
    EXPECT_EQ(o.at("groupName"), json::value(id)) << "no groupName: the id stands in";
  }
}

TEST(KommunicatePayloadTest, ChatPostUsesPostIdThreadAndPropsAsMetadata) {
  // An event as the broker's PostSink makes it from a webhook's post (shared-event.md).
  Subscription sub = Sub();
  sub.callback_context = "crm-7";
  const json::object o = Render(R"({"eventType":"TextMessageCreated","eventId":"p1",
      "groupId":"ch-1","timestamp":5,"fromUserId":"bot",
      "data":{"text":"reply","postId":"post-26","rootId":"root-26","type":"",
              "props":{"from_webhook":"true","override_username":"ci","attachments":[{"a":1}]}}})",
                                sub);
  EXPECT_EQ(o.at("key"), "post-26");
  EXPECT_EQ(o.at("conversationId"), "root-26");
  EXPECT_EQ(o.at("metadata"), json::parse(R"({"from_webhook":"true","override_username":"ci",
      "attachments":"[{\"a\":1}]","eventType":"TextMessageCreated","context":"crm-7"})"));
}

TEST(KommunicatePayloadTest, AttachmentBecomesTheFileObject) {
  const json::object o = Render(R"({"eventType":"AttachmentCreated","eventId":"e","groupId":"1",
      "timestamp":1461590467000,"fromUser":"+91","data":{"caption":"look",
      "media":[{"mediaUrl":"https://cdn.example/a.GIF?sig=1","mediaFileName":"a.GIF",
                "size":28150,"thumbnailUrl":"https://cdn.example/a-t.gif"},
               {"mediaUrl":"https://cdn.example/b.pdf","mediaFileName":"b.pdf"}]}})");
  EXPECT_EQ(o.at("from"), "+91") << "fromUser stands in for a missing fromUserId";
  EXPECT_EQ(o.at("message"), "look");
  EXPECT_EQ(o.at("file"), json::parse(R"({"name":"a.GIF","url":"https://cdn.example/a.GIF?sig=1",
      "contentType":"image/gif","size":28150,"thumbnailUrl":"https://cdn.example/a-t.gif"})"));
}

TEST(KommunicatePayloadTest, FileWithoutSizeOrThumbnailOmitsThem) {
  const json::object o = Render(R"({"eventType":"AttachmentCreated","eventId":"e","groupId":"1",
      "timestamp":1,"data":{"media":[{"mediaUrl":"https://x/report","mediaFileName":"report"}]}})");
  EXPECT_EQ(o.at("file"), json::parse(R"({"name":"report","url":"https://x/report",
      "contentType":"application/octet-stream"})"));
  EXPECT_EQ(o.at("message"), "shared report");
  EXPECT_EQ(o.at("from"), "");
}

}  // namespace
}  // namespace hookbroker
