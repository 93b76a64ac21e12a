#include "broker/webhook_post.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "broker/message_split.h"

namespace hookbroker {
namespace {

namespace json = boost::json;

IncomingHook Hook() {
  IncomingHook h;
  h.id = "hook0000000000000000000001";
  h.channel_id = "g1";
  h.user_id = "key_owner";
  h.display_name = "CI";
  return h;
}

Channel Chan(std::string id) {
  Channel c;
  c.id = std::move(id);
  c.name = "ops";
  return c;
}

IncomingPayload Text(std::string text) {
  IncomingPayload p;
  p.text = std::move(text);
  return p;
}

TEST(WebhookPostTest, DefaultsAsKChatShowsThem) {
  auto posts = BuildWebhookPosts(Hook(), Chan("g1"), Text("hi <!here>"));
  ASSERT_EQ(posts.size(), 1u);
  const ChatPost& p = posts[0];
  EXPECT_EQ(p.channel_id, "g1");
  EXPECT_EQ(p.user_id, "key_owner");
  EXPECT_EQ(p.message, "hi @here");
  EXPECT_TRUE(p.id.empty());
  EXPECT_EQ(p.create_at_ms, 0);
  EXPECT_EQ(p.props, json::parse(R"({"override_username":"webhook","override_icon_url":null,
    "override_icon_emoji":null,"webhook_display_name":"CI","from_webhook":"true",
    "attachments":[]})"));
}

TEST(WebhookPostTest, PayloadOverridesTheHooksDefaults) {
  IncomingHook h = Hook();
  h.username = "ci-bot";
  h.icon_url = "https://hook.example/icon.png";
  EXPECT_EQ(BuildWebhookPosts(h, Chan("g1"), Text("x"))[0].props.at("override_username"), "ci-bot");
  IncomingPayload p = Text("x");
  p.username = "System Monitor";
  p.icon_url = "https://cdn.example/i.png";
  p.icon_emoji = ":rocket:";
  p.type = "custom_status";
  p.priority = json::object{{"priority", "urgent"}};
  const ChatPost post = BuildWebhookPosts(h, Chan("g2"), p)[0];
  EXPECT_EQ(post.channel_id, "g2");
  EXPECT_EQ(post.type, "custom_status");
  EXPECT_EQ(post.props.at("override_username"), "System Monitor");
  EXPECT_EQ(post.props.at("override_icon_url"), "https://cdn.example/i.png");
  EXPECT_EQ(post.props.at("override_icon_emoji"), "rocket");
  EXPECT_EQ(post.props.at("priority").at("priority"), "urgent");
}

TEST(WebhookPostTest, PayloadPropsAreKeptButCannotUnmarkTheBot) {
  IncomingPayload p = Text("x");
  p.props = json::object{{"card", "details"}, {"from_webhook", "false"}, {"attachments", 1}};
  const ChatPost post = BuildWebhookPosts(Hook(), Chan("g1"), p)[0];
  EXPECT_EQ(post.props.at("card"), "details");
  EXPECT_EQ(post.props.at("from_webhook"), "true");
  EXPECT_EQ(post.props.at("attachments"), json::array());
}

TEST(WebhookPostTest, AttachmentsAreTranslatedAndRideOnTheLastPost) {
  IncomingPayload p = Text(std::string(kMaxPostCodePoints, 'a') + "<!channel>");
  p.attachments =
      json::parse(R"([{"pretext":"<https://x.example|x>","color":"danger"}])").as_array();
  auto posts = BuildWebhookPosts(Hook(), Chan("g1"), p);
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].message, std::string(kMaxPostCodePoints, 'a'));
  EXPECT_EQ(posts[1].message, "@channel");
  EXPECT_EQ(posts[0].props.at("attachments"), json::array());
  EXPECT_EQ(posts[1].props.at("attachments"),
            json::parse(R"js([{"pretext":"[x](https://x.example)","color":"danger"}])js"));
}

TEST(WebhookPostTest, AttachmentsOnlyIsOnePostWithoutText) {
  IncomingPayload p;
  p.attachments = json::parse(R"([{"image_url":"https://x.example/a.png"}])").as_array();
  auto posts = BuildWebhookPosts(Hook(), Chan("g1"), p);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].message, "");
  EXPECT_EQ(posts[0].props.at("attachments").as_array().size(), 1u);
}

}  // namespace
}  // namespace hookbroker
