// IncomingWebhooks with a real Store (temporary folder) and ChannelStore; the PostSink is a
// recording fake, so each reply and error path is checked without HTTP (the route end to end is
// in tests/integration/incoming_webhooks_test.cc).
#include "broker/incoming_webhooks.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "broker/channel_store.h"
#include "broker/chat_id.h"
#include "broker/message_split.h"
#include "tests/support/temp_dir.h"

namespace hookbroker::testing {
namespace {

namespace json = boost::json;

class RecordingSink final : public PostSink {
 public:
  Result<ChatPost> Post(ChatPost post) override {
    if (fail_with_) return *fail_with_;
    post.id = "post" + std::to_string(posts_.size() + 1);
    post.id.resize(kChatIdLength, '0');
    post.create_at_ms = 1713198308869;
    posts_.push_back(post);
    return post;
  }
  std::vector<ChatPost> posts_;
  std::optional<Error> fail_with_;
};

class IncomingWebhooksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = Store::Open(StoreOptions{dir_.path(), 64ULL << 20, 126});
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
    channels_ = std::make_unique<ChannelStore>(*store_);
    AddChannel("g1", "town-square", "team1");
    AddChannel("g2", "ops", "team1");
    AddChannel("g3", "elsewhere", "team2");
    hooks_ = std::make_unique<IncomingWebhooks>(*store_, *channels_, sink_);
    hook_ = MakeHook("g1", false);
  }
  void AddChannel(std::string id, std::string name, std::string team) {
    Channel c;
    c.id = std::move(id);
    c.name = std::move(name);
    c.display_name = c.name;
    c.team_id = std::move(team);
    ASSERT_TRUE(channels_->Put(c).ok());
  }
  IncomingHook MakeHook(std::string channel, bool locked) {
    IncomingHook request;
    request.channel_id = std::move(channel);
    request.display_name = "CI";
    request.channel_locked = locked;
    auto h = hooks_->Create(request, "key_admin", 1000);
    EXPECT_TRUE(h.ok());
    return h.ok() ? *h : IncomingHook{};
  }
  HookReply Send(std::string body, std::string content_type = "application/json",
                 const IncomingHook* hook = nullptr) {
    IncomingRequest r;
    r.key = (hook != nullptr ? *hook : hook_).id;
    r.content_type = std::move(content_type);
    r.body = std::move(body);
    return hooks_->Handle(r);
  }
  static json::object Body(const HookReply& r) { return json::parse(r.body).as_object(); }
  void ExpectError(const HookReply& r, int status, std::string_view id) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.content_type, "application/json");
    const json::object b = Body(r);
    EXPECT_EQ(b.at("id").as_string(), id) << r.body;
    EXPECT_EQ(b.at("status_code"), status);
    EXPECT_TRUE(IsChatIdShaped(b.at("request_id").as_string())) << r.body;
    EXPECT_TRUE(b.contains("message"));
    EXPECT_TRUE(b.contains("detailed_error"));
    EXPECT_TRUE(sink_.posts_.empty()) << "an error posts nothing";
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<ChannelStore> channels_;
  RecordingSink sink_;
  std::unique_ptr<IncomingWebhooks> hooks_;
  IncomingHook hook_;
};

TEST_F(IncomingWebhooksTest, CreateGivesARandomIdAndTheChannelsTeamAndIsKept) {
  EXPECT_TRUE(IsChatIdShaped(hook_.id));
  EXPECT_EQ(hook_.team_id, "team1");
  EXPECT_EQ(hook_.user_id, "key_admin");
  EXPECT_EQ(hook_.create_at_ms, 1000);
  auto got = hooks_->Get(hook_.id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->display_name, "CI");
  EXPECT_EQ(IncomingHookToJson(**got).at("url").as_string(), "/hooks/" + hook_.id);

  const IncomingHook other = MakeHook("g2", true);
  EXPECT_NE(other.id, hook_.id);
  EXPECT_EQ(hooks_->List()->size(), 2u);
  EXPECT_EQ(hooks_->List("g2")->size(), 1u);
  EXPECT_TRUE(*hooks_->Delete(other.id));
  EXPECT_FALSE(*hooks_->Delete(other.id));
  EXPECT_FALSE(hooks_->Get(other.id)->has_value());

  IncomingHook nowhere;
  nowhere.channel_id = "nope";
  auto refused = hooks_->Create(nowhere, "k", 1);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field, "channel_id");
}

TEST_F(IncomingWebhooksTest, PostsAndAnswersWithTheCreatedPostAsKChat) {
  HookReply r = Send(R"({"text": "Hello, text1\nText2."})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  const json::object post = Body(r);
  EXPECT_EQ(post.at("id").as_string(), sink_.posts_.at(0).id);
  EXPECT_EQ(post.at("channel_id"), "g1");
  EXPECT_EQ(post.at("message"), "Hello, text1\nText2.");
  EXPECT_EQ(post.at("create_at"), 1713198308869);
  EXPECT_EQ(post.at("delete_at"), 0);
  EXPECT_EQ(post.at("user_id"), "key_admin");
  EXPECT_EQ(post.at("props").at("from_webhook"), "true");
  EXPECT_EQ(post.at("props").at("webhook_display_name"), "CI");
  EXPECT_EQ(post.at("props").at("override_username"), "webhook");
}

TEST_F(IncomingWebhooksTest, SlackReturnFormatAnswersPlainOk) {
  IncomingRequest r;
  r.key = hook_.id;
  r.body = R"({"text":"x"})";
  r.slack_return_format = true;
  HookReply reply = hooks_->Handle(r);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.content_type, "text/plain");
  EXPECT_EQ(reply.body, "ok");
  EXPECT_EQ(sink_.posts_.size(), 1u);
}

TEST_F(IncomingWebhooksTest, ChannelByNameOrHashNameInTheHooksTeam) {
  ASSERT_EQ(Send(R"({"text":"a","channel":"ops"})").status, 200);
  ASSERT_EQ(Send(R"({"text":"b","channel":"#ops"})").status, 200);
  ASSERT_EQ(sink_.posts_.size(), 2u);
  EXPECT_EQ(sink_.posts_[0].channel_id, "g2");
  EXPECT_EQ(sink_.posts_[1].channel_id, "g2");
  sink_.posts_.clear();
  ExpectError(Send(R"({"text":"c","channel":"elsewhere"})"), 404,
              "web.incoming_webhook.channel.app_error");
  ExpectError(Send(R"({"text":"c","channel":"no-such"})"), 404,
              "web.incoming_webhook.channel.app_error");
}

TEST_F(IncomingWebhooksTest, DirectMessagesAreRefusedAsAnUnknownUser) {
  ExpectError(Send(R"({"text":"psst","channel":"@alice"})"), 400,
              "web.incoming_webhook.user.app_error");
}

TEST_F(IncomingWebhooksTest, LockedHookPostsOnlyToItsOwnChannel) {
  const IncomingHook locked = MakeHook("g1", true);
  ExpectError(Send(R"({"text":"x","channel":"ops"})", "application/json", &locked), 403,
              "web.incoming_webhook.channel_locked.app_error");
  EXPECT_EQ(Send(R"({"text":"x","channel":"town-square"})", "application/json", &locked).status,
            200);
}

TEST_F(IncomingWebhooksTest, MattermostErrorsForBadRequests) {
  IncomingHook unknown = hook_;
  unknown.id = NewChatId();
  ExpectError(Send(R"({"text":"x"})", "application/json", &unknown), 400,
              "web.incoming_webhook.invalid.app_error");
  unknown.id = "../../etc";
  ExpectError(Send(R"({"text":"x"})", "application/json", &unknown), 400,
              "web.incoming_webhook.invalid.app_error");
  ExpectError(Send("{not json"), 400, "web.incoming_webhook.parse.app_error");
  ExpectError(Send(R"({"username":"x"})"), 400, "web.incoming_webhook.text.app_error");
  ExpectError(Send(R"({"text":"","attachments":[]})"), 400, "web.incoming_webhook.text.app_error");
  ExpectError(Send(R"({"text":"x","type":"system_join"})"), 400,
              "web.incoming_webhook.type.app_error");
  EXPECT_EQ(Send(R"({"text":"x","type":"custom_ok"})").status, 200);
}

TEST_F(IncomingWebhooksTest, DeletedChannelIs404) {
  ASSERT_TRUE(*channels_->Delete("g1"));
  ExpectError(Send(R"({"text":"x"})"), 404, "web.incoming_webhook.channel.app_error");
}

TEST_F(IncomingWebhooksTest, LongTextBecomesSeveralPostsAnsweredWithTheFirst) {
  const std::string text = std::string(kMaxPostCodePoints, 'a') + std::string(10, 'b');
  HookReply r = Send(json::serialize(json::object{{"text", text}}));
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(sink_.posts_.size(), 2u);
  EXPECT_EQ(sink_.posts_[1].message, std::string(10, 'b'));
  EXPECT_EQ(Body(r).at("id").as_string(), sink_.posts_[0].id);
}

TEST_F(IncomingWebhooksTest, SinkFailuresAreMattermostErrors) {
  sink_.fail_with_ = Error{"invalid_post", "fromUserName: too long", ""};
  ExpectError(Send(R"({"text":"x"})"), 400, "web.incoming_webhook.post.app_error");
  sink_.fail_with_ = Error{"not_stored", "storage full", ""};
  ExpectError(Send(R"({"text":"x"})"), 500, "web.incoming_webhook.store.app_error");
}

}  // namespace
}  // namespace hookbroker::testing
