// The Slack body: a message any Slack-compatible incoming webhook accepts.
#include "proto/slack_payload.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace hookbroker {
namespace {

namespace json = boost::json;

Subscription Sub() {
  Subscription sub;
  sub.id = SubscriptionId("sub-s");
  sub.object_id = "g-1";
  sub.format = PayloadFormat::kSlack;
  return sub;
}

json::object Render(const char* event, const Subscription& sub = Sub()) {
  return json::parse(BuildSlackMessage(sub, json::parse(event).as_object())).as_object();
}

TEST(SlackPayloadTest, EscapesSlackControlCharacters) {
  EXPECT_EQ(SlackEscape("a < b && c > d"), "a &lt; b &amp;&amp; c &gt; d");
  EXPECT_EQ(SlackEscape("<!channel> <https://x|y>"), "&lt;!channel&gt; &lt;https://x|y&gt;");
  EXPECT_EQ(SlackEscape("plain"), "plain");
}

TEST(SlackPayloadTest, TextMessageIsTheTextWithASummaryAttachment) {
  const json::object o = Render(R"({"eventType":"TextMessageCreated","eventId":"e1",
      "groupId":"g-1","groupName":"Ops","fromUserId":"u1","fromUserName":"Asha",
      "fromUserProfilePic":"https://p.example/a.png","timestamp":1700000000123,
      "data":{"text":"deploy <now> & then"}})");
  EXPECT_EQ(o, json::parse(R"({
    "text": "deploy &lt;now&gt; &amp; then",
    "username": "Asha",
    "icon_url": "https://p.example/a.png",
    "attachments": [{
      "fallback": "TextMessageCreated in Ops: deploy &lt;now&gt; &amp; then",
      "color": "#439FE0",
      "author_name": "Asha",
      "author_icon": "https://p.example/a.png",
      "title": "TextMessageCreated",
      "fields": [{"title": "Group", "value": "Ops", "short": true},
                 {"title": "Event", "value": "e1", "short": true}],
      "footer": "hookbroker",
      "ts": 1700000000}]})"));
}

TEST(SlackPayloadTest, EventWithoutSenderOmitsOverridesAndShowsContextInFooter) {
  Subscription sub = Sub();
  sub.callback_context = "team <a>";
  const json::object o = Render(R"({"eventType":"MemberAdded","eventId":"e2","groupId":"g-9",
      "timestamp":1000,"data":{"member":"+9100","memberName":"Ravi"}})",
                                sub);
  EXPECT_EQ(o.at("text"), "Ravi joined the group");
  EXPECT_FALSE(o.contains("username"));
  EXPECT_FALSE(o.contains("icon_url"));
  const json::object& a = o.at("attachments").at(0).as_object();
  EXPECT_FALSE(a.contains("author_name"));
  EXPECT_EQ(a.at("fields").at(0).at("value"), "g-9") << "no groupName: the id";
  EXPECT_EQ(a.at("footer"), "hookbroker · team &lt;a&gt;");
}

TEST(SlackPayloadTest, EachMediaItemIsAnAttachmentImagesInline) {
  const json::object o = Render(R"({"eventType":"AttachmentCreated","eventId":"e3",
      "groupId":"g","timestamp":1,"fromUserName":"Ann","data":{"media":[
        {"mediaUrl":"https://cdn/x.jpg","mediaFileName":"x.jpg"},
        {"mediaUrl":"https://cdn/r.pdf","mediaFileName":"r<1>.pdf"}]}})");
  EXPECT_EQ(o.at("text"), "shared x.jpg, r&lt;1&gt;.pdf");
  const json::array& a = o.at("attachments").as_array();
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[1], json::parse(R"({"fallback":"x.jpg","title":"x.jpg",
      "title_link":"https://cdn/x.jpg","image_url":"https://cdn/x.jpg"})"));
  EXPECT_EQ(a[2], json::parse(R"({"fallback":"r&lt;1&gt;.pdf","title":"r&lt;1&gt;.pdf",
      "title_link":"https://cdn/r.pdf"})"));
}

}  // namespace
}  // namespace hookbroker
