// End to end, per payload format: the real broker process delivers a published event to a real
// HTTPS receiver in the subscription's format, with the format's headers, signed over the body
// it sent (docs/CHAT.md "Payload formats").
#include <gtest/gtest.h>

#include <chrono>

#include "proto/signature.h"
#include "subscribers/outgoing_webhook.h"
#include "tests/integration/broker_fixture.h"

namespace hookbroker::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

std::int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class PayloadFormatsTest : public BrokerFixture {
 protected:
  // The one callback the receiver got, after checking its signature with `secret`.
  subscribers::ReceivedRequest OnlyCallback(const std::string& secret) {
    EXPECT_TRUE(receiver_->WaitForPosts(1, 10s));
    const auto posts = receiver_->Posts();
    EXPECT_EQ(posts.size(), 1u);
    if (posts.empty()) return {};
    subscribers::ReceivedRequest post = posts[0];
    auto key = DecodeWebhookSecret(secret);
    EXPECT_TRUE(key.ok());
    if (key.ok()) {
      Status verified =
          VerifyWebhook(*key, post.headers["webhook-id"], post.headers["webhook-timestamp"],
                        post.body, post.headers["webhook-signature"], NowSeconds());
      EXPECT_TRUE(verified.ok()) << (verified.ok() ? "" : verified.error().message);
    }
    return post;
  }

  static json::object Message() {
    return json::object{{"eventType", "TextMessageCreated"},
                        {"groupId", "123456"},
                        {"groupName", "Conversation"},
                        {"eventId", "msg-1"},
                        {"fromUserId", "user-7"},
                        {"fromUserName", "Asha"},
                        {"custom", json::array{1, "two"}},
                        {"data", json::object{{"text", "message <content> & more"}}}};
  }
};

TEST_F(PayloadFormatsTest, KommunicateGetsItsBodyAndAuthenticationBasicWithoutHandshake) {
  StartBroker();
  // Kommunicate's receivers know nothing of Kaizala's handshake: it must not be required.
  receiver_->SetHandshakeMode(subscribers::HandshakeMode::kError);
  auto [id, secret] = Register("Group", "123456", {"*"},
                               json::object{{"format", "kommunicate"},
                                            {"callBackToken", "abcdef"},
                                            {"callBackUrl", receiver_->BaseUrl() + "/forward"}});
  ASSERT_FALSE(id.empty());
  EXPECT_TRUE(receiver_->Handshakes().empty());

  Publish(Message());
  const auto post = OnlyCallback(secret);
  EXPECT_EQ(post.path, "/forward");
  EXPECT_EQ(post.headers.at("content-type"), "application/json");
  EXPECT_EQ(post.headers.at("authentication"), "Basic YWJjZGVm");  // Kommunicate's example
  EXPECT_EQ(post.headers.count("kz-callback-token"), 0u);
  EXPECT_EQ(post.headers.count("authorization"), 0u);
  const json::object body = json::parse(post.body).as_object();
  EXPECT_EQ(body.at("key"), "msg-1");
  EXPECT_EQ(body.at("from"), "user-7");
  EXPECT_EQ(body.at("groupId"), json::value(123456));
  EXPECT_EQ(body.at("clientGroupId"), "123456");
  EXPECT_EQ(body.at("groupName"), "Conversation");
  EXPECT_EQ(body.at("message"), "message <content> & more");
  EXPECT_TRUE(body.at("timeStamp").is_int64());
  EXPECT_GT(body.at("timeStamp").as_int64(), (NowSeconds() - 60) * 1000);
  EXPECT_EQ(body.at("receiverConnected"), false);
  EXPECT_EQ(body.at("receiverLastSeenAtTime"), 0);
  EXPECT_EQ(body.at("metadata").at("eventType"), "TextMessageCreated");
}

TEST_F(PayloadFormatsTest, SlackGetsASlackMessage) {
  StartBroker();
  receiver_->SetHandshakeMode(subscribers::HandshakeMode::kError);
  auto [id, secret] = Register("Group", "123456", {"TextMessageCreated"},
                               json::object{{"format", "slack"}, {"callBackToken", "kz-tok"}});
  ASSERT_FALSE(id.empty());
  Publish(Message());
  const auto post = OnlyCallback(secret);
  EXPECT_EQ(post.headers.at("content-type"), "application/json");
  EXPECT_EQ(post.headers.at("kz-callback-token"), "kz-tok");
  const json::object body = json::parse(post.body).as_object();
  EXPECT_EQ(body.at("text"), "message &lt;content&gt; &amp; more");
  EXPECT_EQ(body.at("username"), "Asha");
  const json::object& summary = body.at("attachments").at(0).as_object();
  EXPECT_EQ(summary.at("title"), "TextMessageCreated");
  EXPECT_EQ(summary.at("author_name"), "Asha");
  EXPECT_EQ(summary.at("fields").at(0).at("value"), "Conversation");
  EXPECT_EQ(summary.at("fields").at(1).at("value"), "msg-1");
}

// Read back as a Mattermost bot would, with the receiving side's parser.
subscribers::OutgoingWebhookRequest ParseAsBot(const subscribers::ReceivedRequest& post) {
  subscribers::CallbackRequest request{post.method, post.path, post.query, post.headers, post.body};
  auto parsed = subscribers::ParseOutgoingWebhook(request);
  EXPECT_TRUE(parsed.ok()) << post.body;
  return parsed.ok() ? *parsed : subscribers::OutgoingWebhookRequest{};
}

TEST_F(PayloadFormatsTest, MattermostGetsTheOutgoingPayloadFormEncodedByDefault) {
  StartBroker();
  receiver_->SetHandshakeMode(subscribers::HandshakeMode::kError);
  auto [id, secret] =
      Register("Group", "123456", {"*"},
               json::object{{"format", "mattermost"}, {"callBackToken", "hook-token"}});
  ASSERT_FALSE(id.empty());
  json::object message = Message();
  message["data"].as_object()["fileIds"] = json::array{"f1", "f2"};
  Publish(message);
  const auto post = OnlyCallback(secret);
  EXPECT_EQ(post.headers.at("content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(post.headers.count("kz-callback-token"), 0u) << "the token is in the body";
  const auto bot = ParseAsBot(post);
  EXPECT_EQ(bot.token, "hook-token");
  EXPECT_EQ(bot.channel_id, "123456");
  EXPECT_EQ(bot.channel_name, "Conversation");
  EXPECT_EQ(bot.user_id, "user-7");
  EXPECT_EQ(bot.user_name, "Asha");
  EXPECT_EQ(bot.post_id, "msg-1");
  EXPECT_EQ(bot.text, "message <content> & more");
  EXPECT_EQ(bot.file_ids, (std::vector<std::string>{"f1", "f2"}));
  EXPECT_EQ(bot.timestamp_ms % 1000, 0) << "seconds in the form encoding";
  EXPECT_GT(bot.timestamp_ms, (NowSeconds() - 60) * 1000);
}

TEST_F(PayloadFormatsTest, MattermostJsonWhenItsContentTypeSaysSo) {
  StartBroker();
  auto [id, secret] = Register("Group", "123456", {"*"},
                               json::object{{"format", "mattermost"},
                                            {"contentType", "application/json"},
                                            {"callBackToken", "hook-token"}});
  ASSERT_FALSE(id.empty());
  EXPECT_TRUE(receiver_->Handshakes().empty());
  Publish(Message());
  const auto post = OnlyCallback(secret);
  EXPECT_EQ(post.headers.at("content-type"), "application/json");
  const json::object body = json::parse(post.body).as_object();
  EXPECT_EQ(body.at("token"), "hook-token");
  EXPECT_EQ(body.at("text"), "message <content> & more");
  const auto bot = ParseAsBot(post);
  EXPECT_EQ(bot.post_id, "msg-1");
  EXPECT_EQ(bot.timestamp_ms, body.at("timestamp").as_int64()) << "milliseconds in JSON";
}

TEST_F(PayloadFormatsTest, SlackFormatForwardsIntoASlackCompatibleIncomingWebhook) {
  // The Slack-compatible incoming webhook is the broker's own (/hooks/{id}), over plain http.
  StartBroker({"--allow-http-callbacks"});
  ASSERT_EQ(Api("PUT", "/v1/channels/src", R"({"name":"src"})").status, 201);
  ASSERT_EQ(Api("PUT", "/v1/channels/dst", R"({"name":"dst"})").status, 201);
  HttpReply hook = Api("POST", "/v1/hooks/incoming", R"({"channel_id":"dst"})");
  ASSERT_EQ(hook.status, 201) << hook.body;
  const std::string hook_url =
      broker_->rest_url() + std::string(json::parse(hook.body).at("url").as_string());
  auto [forward, forward_secret] =
      Register("Group", "src", {"TextMessageCreated"},
               json::object{{"format", "slack"}, {"callBackUrl", hook_url}});
  ASSERT_FALSE(forward.empty());
  // What arrives in dst, as a raw event at the HTTPS receiver.
  auto [watch, watch_secret] = Register("Group", "dst", {"*"}, json::object{{"format", "raw"}});
  ASSERT_FALSE(watch.empty());

  json::object message = Message();
  message["groupId"] = "src";
  message["groupName"] = "Source";
  Publish(message);
  const auto post = OnlyCallback(watch_secret);
  const json::object event = json::parse(post.body).as_object();
  EXPECT_EQ(event.at("eventType"), "TextMessageCreated");
  EXPECT_EQ(event.at("groupId"), "dst");
  EXPECT_EQ(event.at("data").at("text"), "message &lt;content&gt; &amp; more");
  const json::object& props = event.at("data").at("props").as_object();
  EXPECT_EQ(props.at("from_webhook"), "true");
  EXPECT_EQ(props.at("attachments").at(0).at("title"), "TextMessageCreated");
  EXPECT_EQ(props.at("attachments").at(0).at("fields").at(0).at("value"), "Source");
}

TEST_F(PayloadFormatsTest, RawGetsTheEventAsPublishedAfterTheHandshake) {
  StartBroker();
  auto [id, secret] = Register("Group", "123456", {"*"},
                               json::object{{"format", "raw"}, {"callBackContext", "ctx"}});
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(receiver_->Handshakes().size(), 1u) << "raw receivers are checked as Kaizala's";
  Publish(Message());
  const auto post = OnlyCallback(secret);
  json::object body = json::parse(post.body).as_object();
  EXPECT_TRUE(body.at("timestamp").is_int64()) << "the broker's timestamp is added";
  body.erase("timestamp");
  EXPECT_EQ(body, Message()) << "unknown fields kept, nothing else added";
}

TEST_F(PayloadFormatsTest, FormatIsShownAndCanBeChangedWhichChangesTheNextCallback) {
  StartBroker();
  auto [id, secret] = Register("Group", "123456", {"*"}, json::object{{"format", "slack"}});
  ASSERT_FALSE(id.empty());
  HttpReply shown = Api("GET", "/v1/webhook/" + id);
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(json::parse(shown.body).at("format"), "slack");

  HttpReply bad = Api("PATCH", "/v1/webhook/" + id, R"({"format":"teams"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(json::parse(bad.body).at("error").at("field"), "format") << bad.body;

  // Into a format that needs the handshake: the receiver is checked at its unchanged URL.
  HttpReply changed = Api("PATCH", "/v1/webhook/" + id, R"({"format":"kaizala"})");
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(json::parse(changed.body).at("format"), "kaizala");
  EXPECT_EQ(receiver_->Handshakes().size(), 1u);
  Publish(Message());
  const auto post = OnlyCallback(secret);
  EXPECT_EQ(json::parse(post.body).at("subscriptionId"), json::value(id));
}

TEST_F(PayloadFormatsTest, RegistrationRefusesUnknownFormatAndStrayContentType) {
  StartBroker();
  for (const char* body :
       {R"({"objectType":"Group","objectId":"g","eventTypes":["*"],"format":"teams",
            "callBackUrl":"https://127.0.0.1:1/x"})",
        R"({"objectType":"Group","objectId":"g","eventTypes":["*"],"format":"slack",
            "contentType":"application/json","callBackUrl":"https://127.0.0.1:1/x"})"}) {
    HttpReply r = Api("POST", "/v1/webhook", body);
    EXPECT_EQ(r.status, 400) << r.body;
    const json::value field = json::parse(r.body).at("error").at("field");
    EXPECT_TRUE(field == "format" || field == "contentType") << r.body;
  }
}

TEST_F(PayloadFormatsTest, KaizalaStillRequiresTheHandshake) {
  StartBroker();
  receiver_->SetHandshakeMode(subscribers::HandshakeMode::kError);
  HttpReply r = Api("POST", "/v1/webhook",
                    json::serialize(json::object{{"objectType", "Group"},
                                                 {"objectId", "g"},
                                                 {"eventTypes", json::array{"*"}},
                                                 {"format", "kaizala"},
                                                 {"callBackUrl", receiver_->BaseUrl() + "/h"}}));
  EXPECT_EQ(r.status, 400) << r.body;
}

}  // namespace
}  // namespace hookbroker::testing
