#include "broker/post_event.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "broker/chat_id.h"
#include "broker/chat_post_json.h"
#include "proto/event.h"

namespace hookbroker {
namespace {

namespace json = boost::json;

ChatPost TextPost() {
  ChatPost p;
  p.id = "p0000000000000000000000001";
  p.channel_id = "g1";
  p.root_id = "r1";
  p.user_id = "u1";
  p.message = "Hello, text1\nText2.";
  p.props = json::object{{"override_username", "System Monitor"},
                         {"override_icon_url", "https://cdn.example/i.png"},
                         {"from_webhook", "true"}};
  p.create_at_ms = 1713198308869;
  return p;
}

TEST(PostEventTest, TextPostIsATextMessageCreatedAsAgreed) {
  const json::object e = PostToEvent(TextPost());
  EXPECT_EQ(e.at("eventId"), "p0000000000000000000000001");
  EXPECT_EQ(e.at("eventType"), "TextMessageCreated");
  EXPECT_EQ(e.at("groupId"), "g1");
  EXPECT_EQ(e.at("timestamp"), 1713198308869);
  EXPECT_EQ(e.at("fromUserId"), "u1");
  EXPECT_EQ(e.at("fromUserName"), "System Monitor");
  EXPECT_EQ(e.at("fromUserProfilePic"), "https://cdn.example/i.png");
  const json::object& data = e.at("data").as_object();
  EXPECT_EQ(data.at("text"), "Hello, text1\nText2.");
  EXPECT_EQ(data.at("postId"), "p0000000000000000000000001");
  EXPECT_EQ(data.at("rootId"), "r1");
  EXPECT_EQ(data.at("type"), "");
  EXPECT_EQ(data.at("props").at("from_webhook"), "true");
  EXPECT_FALSE(data.contains("media"));
  // The event passes the ingest's own validation unchanged.
  auto parsed = ParseEvent(json::value(e));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->type, "TextMessageCreated");
  EXPECT_EQ(parsed->group_id, "g1");
}

TEST(PostEventTest, NoOverridesMeansNoUserNameOrPicture) {
  ChatPost p = TextPost();
  p.props = json::object{{"from_webhook", "true"}, {"override_icon_url", nullptr}};
  const json::object e = PostToEvent(p);
  EXPECT_FALSE(e.contains("fromUserName"));
  EXPECT_FALSE(e.contains("fromUserProfilePic"));
}

TEST(PostEventTest, AttachmentsOnlyIsAnAttachmentCreatedWithMedia) {
  ChatPost p = TextPost();
  p.message = "";
  p.props["attachments"] = json::parse(R"([
    {"fallback":"Build log","title":"build.log","title_link":"https://ci.example/build.log"},
    {"image_url":"https://ci.example/shots/graph.png?size=2","title_link":"https://x.example"},
    {"text":"no url here"},
    {"fallback":"Thumb","thumb_url":"https://ci.example/t.png"}
  ])");
  const json::object e = PostToEvent(p);
  EXPECT_EQ(e.at("eventType"), "AttachmentCreated");
  EXPECT_EQ(e.at("data").at("media"), json::parse(R"([
    {"mediaUrl":"https://ci.example/build.log","mediaFileName":"build.log"},
    {"mediaUrl":"https://ci.example/shots/graph.png?size=2","mediaFileName":"graph.png"},
    {"mediaUrl":"https://ci.example/t.png","mediaFileName":"Thumb"}
  ])"));
  EXPECT_TRUE(ParseEvent(json::value(e)).ok());
}

TEST(PostEventTest, TextWithAttachmentsStaysATextMessage) {
  ChatPost p = TextPost();
  p.props["attachments"] = json::parse(R"([{"image_url":"https://x.example/a.png"}])");
  const json::object e = PostToEvent(p);
  EXPECT_EQ(e.at("eventType"), "TextMessageCreated");
  EXPECT_FALSE(e.at("data").as_object().contains("media"));
}

TEST(ChatPostJsonTest, HasKChatsPostFields) {
  const json::object o = ChatPostToJson(TextPost());
  EXPECT_EQ(o.at("id"), "p0000000000000000000000001");
  EXPECT_EQ(o.at("create_at"), 1713198308869);
  EXPECT_EQ(o.at("update_at"), 1713198308869);
  EXPECT_EQ(o.at("delete_at"), 0);
  EXPECT_EQ(o.at("user_id"), "u1");
  EXPECT_EQ(o.at("channel_id"), "g1");
  EXPECT_EQ(o.at("root_id"), "r1");
  EXPECT_EQ(o.at("original_id"), "");
  EXPECT_EQ(o.at("message"), "Hello, text1\nText2.");
  EXPECT_EQ(o.at("type"), "");
  EXPECT_EQ(o.at("props").at("override_username"), "System Monitor");
  EXPECT_EQ(o.at("props").at("from_webhook"), "true");
}

TEST(ChatIdTest, TwentySixLowercaseAlphanumericsAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewChatId();
    EXPECT_TRUE(IsChatIdShaped(id)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_FALSE(IsChatIdShaped("abc"));
  EXPECT_FALSE(IsChatIdShaped("ABCDEFGHIJKLMNOPQRSTUVWXYZ"));
  EXPECT_FALSE(IsChatIdShaped("019c23e9-a9a8-735c-b6ce-0a69df63aaf0"));
}

}  // namespace
}  // namespace hookbroker
