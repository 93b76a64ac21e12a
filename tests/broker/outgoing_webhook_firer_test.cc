// OutgoingWebhookFirer with a scripted HTTP sender, an in-memory channel directory and post sink,
// and hooks in a real Store: which messages fire, what is sent, what the replies make. Runs the
// queue synchronously (RunPending) except where the worker threads themselves are the subject.
#include "broker/outgoing_webhook_firer.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <functional>
#include <map>
#include <mutex>

#include "subscribers/form_decode.h"
#include "tests/broker/broker_test_util.h"
#include "tests/support/temp_dir.h"

namespace hookbroker::testing {
namespace {

namespace json = boost::json;

class FakeChannels final : public ChannelDirectory {
 public:
  void Add(Channel c) { channels_[c.id] = std::move(c); }
  Result<std::optional<Channel>> ById(std::string_view id) const override {
    auto it = channels_.find(std::string(id));
    if (it == channels_.end()) return std::optional<Channel>();
    return std::optional<Channel>(it->second);
  }
  Result<std::optional<Channel>> ByName(std::string_view) const override {
    return std::optional<Channel>();
  }

 private:
  std::map<std::string, Channel> channels_;
};

class FakeSink final : public PostSink {
 public:
  Result<ChatPost> Post(ChatPost post) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (fail_) return Error{"storage_full", "no room", ""};
    post.id = "post" + std::to_string(posts_.size());
    posts_.push_back(post);
    return post;
  }
  std::vector<ChatPost> posts() const {
    std::lock_guard<std::mutex> lock(mu_);
    return posts_;
  }
  void Fail() { fail_ = true; }

 private:
  mutable std::mutex mu_;
  std::vector<ChatPost> posts_;
  bool fail_ = false;
};

class OutgoingWebhookFirerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = Store::Open(StoreOptions{dir_.path(), 64ULL << 20, 126});
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
    hooks_ = std::make_unique<OutgoingHooks>(*store_);
    ASSERT_TRUE(hooks_->Load().ok());
    channels_.Add(Channel{.id = "town",
                          .name = "town-square",
                          .display_name = "Town Square",
                          .team_id = "team1",
                          .team_domain = "someteam",
                          .is_public = true});
    channels_.Add(Channel{.id = "secret",
                          .name = "secret",
                          .display_name = "Secret",
                          .team_id = "team1",
                          .team_domain = "someteam",
                          .is_public = false});
  }

  OutgoingWebhookFirer MakeFirer(OutgoingWebhookOptions options = {}) {
    return OutgoingWebhookFirer(*hooks_, channels_, sender_, sink_, options);
  }

  OutgoingHook AddHook(std::string_view request) {
    auto parsed = ParseOutgoingHookRequest(json::parse(request), {});
    EXPECT_TRUE(parsed.ok()) << parsed.error().message;
    auto created = hooks_->Create(std::move(parsed).value(), 1000);
    EXPECT_TRUE(created.ok());
    return std::move(created).value();
  }

  static Event Message(std::string channel, std::string text, json::object extra_data = {}) {
    json::object data{{"text", std::move(text)}, {"postId", "post-1"}};
    for (auto& [k, v] : extra_data) data[k] = v;
    auto e = ParseEvent(json::object{{"eventId", "ev-1"},
                                     {"eventType", "TextMessageCreated"},
                                     {"groupId", std::move(channel)},
                                     {"fromUserId", "u1"},
                                     {"fromUserName", "somename"},
                                     {"timestamp", 1445532266789},
                                     {"data", std::move(data)}});
    EXPECT_TRUE(e.ok());
    return std::move(e).value();
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<OutgoingHooks> hooks_;
  FakeChannels channels_;
  FakeSender sender_;
  FakeSink sink_;
};

TEST_F(OutgoingWebhookFirerTest, PostsTheFormPayloadToEveryCallbackUrl) {
  const OutgoingHook hook = AddHook(R"({"trigger_words":["#build"],
      "callback_urls":["https://bot.example/a","https://other.example:8443/b?x=1"]})");
  OutgoingWebhookFirer firer =
      MakeFirer(OutgoingWebhookOptions{.timeout = std::chrono::seconds(7)});
  firer.OnCommitted(Message("town", "#build Let's see the status"));
  EXPECT_EQ(firer.RunPending(), 1u);

  const std::vector<HttpRequest> sent = sender_.requests();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].url.Origin(), "https://bot.example:443");
  EXPECT_EQ(sent[1].url.target, "/b?x=1");
  for (const HttpRequest& r : sent) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.content_type, "application/x-www-form-urlencoded");
    EXPECT_EQ(r.timeout, std::chrono::seconds(7));
    EXPECT_EQ(r.read_body_bytes, kMaxOutgoingReplyBytes);
    ASSERT_EQ(r.headers.size(), 1u);
    EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"Accept", "application/json"}));
    auto form = subscribers::DecodeForm(r.body);
    ASSERT_TRUE(form.ok());
    EXPECT_EQ(form->at("token"), hook.token);
    EXPECT_EQ(form->at("channel_id"), "town");
    EXPECT_EQ(form->at("channel_name"), "town-square");
    EXPECT_EQ(form->at("team_id"), "team1");
    EXPECT_EQ(form->at("team_domain"), "someteam");
    EXPECT_EQ(form->at("timestamp"), "1445532266");
    EXPECT_EQ(form->at("trigger_word"), "#build");
    EXPECT_EQ(form->at("text"), "#build Let's see the status");
    EXPECT_EQ(form->at("post_id"), "post-1");
    EXPECT_EQ(form->at("user_name"), "somename");
  }
  EXPECT_EQ(firer.stats().fired, 2u);
  EXPECT_TRUE(sink_.posts().empty());  // the fake answered 200 with no body
}

TEST_F(OutgoingWebhookFirerTest, JsonHooksGetJsonWithMilliseconds) {
  AddHook(R"({"channel_id":"town","callback_urls":["https://bot.example/a"],
      "content_type":"application/json","team_id":"own-team"})");
  OutgoingWebhookFirer firer = MakeFirer();
  firer.OnCommitted(Message("town", "anything at all"));
  firer.RunPending();
  ASSERT_EQ(sender_.requests().size(), 1u);
  const HttpRequest r = sender_.requests()[0];
  EXPECT_EQ(r.content_type, "application/json");
  json::object body = json::parse(r.body).as_object();
  EXPECT_EQ(body.at("timestamp").as_int64(), 1445532266789);
  EXPECT_EQ(body.at("trigger_word").as_string(), "");  // a channel hook
  EXPECT_EQ(body.at("team_id").as_string(), "own-team");
}

TEST_F(OutgoingWebhookFirerTest, FiresOnlyWhereAndWhenItShould) {
  AddHook(R"({"trigger_words":["#build"],"callback_urls":["https://bot.example/a"]})");
  OutgoingWebhookFirer firer = MakeFirer();
  firer.OnCommitted(Message("town", "no trigger here"));
  firer.OnCommitted(Message("secret", "#build in a private channel"));
  firer.OnCommitted(Message("unknown", "#build in a channel nobody registered"));
  firer.OnCommitted(Message("town", "#build from a bot",
                            json::object{{"props", json::object{{"from_webhook", "true"}}}}));
  Event other = Message("town", "#build");
  other.type = "AttachmentCreated";
  firer.OnCommitted(other);
  firer.RunPending();
  EXPECT_TRUE(sender_.requests().empty());
  EXPECT_EQ(firer.stats().fired, 0u);

  // A props.from_webhook that is not "true" does not exempt the message.
  firer.OnCommitted(
      Message("town", "#build", json::object{{"props", json::object{{"from_webhook", "false"}}}}));
  firer.RunPending();
  EXPECT_EQ(sender_.requests().size(), 1u);
}

TEST_F(OutgoingWebhookFirerTest, ReplyBecomesAThreadedPostWithOverrides) {
  const OutgoingHook hook = AddHook(R"({"trigger_words":["#build"],
      "callback_urls":["https://bot.example/a"],"icon_url":"https://bot.example/i.png"})");
  sender_.Reply(200, R"({"text":"| Server | 948 |","username":"robot",
                         "response_type":"comment"})");
  OutgoingWebhookFirer firer = MakeFirer();
  firer.OnCommitted(Message("town", "#build status", json::object{{"rootId", "root-0"}}));
  firer.RunPending();
  const std::vector<ChatPost> posts = sink_.posts();
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].channel_id, "town");
  EXPECT_EQ(posts[0].root_id, "root-0");
  EXPECT_EQ(posts[0].message, "| Server | 948 |");
  EXPECT_EQ(posts[0].user_id, hook.id.value());
  EXPECT_EQ(posts[0].props.at("override_username").as_string(), "robot");
  EXPECT_EQ(posts[0].props.at("override_icon_url").as_string(), "https://bot.example/i.png");
  EXPECT_EQ(posts[0].props.at("from_webhook").as_string(), "true");
  EXPECT_EQ(firer.stats().replied, 1u);
  EXPECT_EQ(firer.stats().failed, 0u);
}

TEST_F(OutgoingWebhookFirerTest, CountsFailuresRefusalsAndSinkErrorsWithoutRetrying) {
  AddHook(R"({"trigger_words":["go"],"callback_urls":["https://bot.example/a"]})");
  sender_.Fail(HttpResult::Kind::kTimeout, "no complete response within 30000 ms");
  sender_.Reply(500, R"({"text":"oops"})");
  sender_.Reply(200, "<html>not json</html>");
  sender_.Reply(200, R"({"text":"x","type":"system_join_channel"})");
  HttpResult cut;  // a reply longer than the 1 MiB read
  cut.kind = HttpResult::Kind::kResponse;
  cut.status = 200;
  cut.body = R"({"text":"trunc)";
  cut.body_cut = true;
  sender_.Script(cut);
  OutgoingWebhookFirer firer = MakeFirer();
  for (int i = 0; i < 5; ++i) firer.OnCommitted(Message("town", "go"));
  firer.RunPending();
  OutgoingWebhookStats s = firer.stats();
  EXPECT_EQ(s.fired, 5u);  // one request per message: no retries
  EXPECT_EQ(s.failed, 4u);
  EXPECT_EQ(s.refused, 1u);
  EXPECT_EQ(s.replied, 0u);
  EXPECT_TRUE(sink_.posts().empty());

  sink_.Fail();
  sender_.Reply(200, R"({"text":"answer"})");
  firer.OnCommitted(Message("town", "go"));
  firer.RunPending();
  EXPECT_EQ(firer.stats().post_errors, 1u);
  EXPECT_NE(firer.RenderMetrics().find(
                "hookbroker_outgoing_webhook_requests_total{result=\"refused\"} 1"),
            std::string::npos);
}

TEST_F(OutgoingWebhookFirerTest, AFullQueueDropsAndCountsInsteadOfBlocking) {
  AddHook(R"({"trigger_words":["go"],"callback_urls":["https://bot.example/a"]})");
  OutgoingWebhookOptions options;
  options.queue_capacity = 2;
  OutgoingWebhookFirer firer = MakeFirer(options);
  for (int i = 0; i < 5; ++i) firer.OnCommitted(Message("town", "go"));
  EXPECT_EQ(firer.stats().dropped, 3u);
  EXPECT_EQ(firer.RunPending(), 2u);
  EXPECT_EQ(sender_.requests().size(), 2u);
}

TEST_F(OutgoingWebhookFirerTest, StopDropsWhatIsQueuedAndWhatComesAfterAndCountsIt) {
  AddHook(R"({"trigger_words":["go"],"callback_urls":["https://bot.example/a"]})");
  OutgoingWebhookFirer firer = MakeFirer();
  for (int i = 0; i < 3; ++i) firer.OnCommitted(Message("town", "go"));
  firer.Stop();
  EXPECT_EQ(firer.stats().dropped, 3u);
  firer.OnCommitted(Message("town", "go"));  // between the firer's stop and the ingest's
  EXPECT_EQ(firer.stats().dropped, 4u);
  EXPECT_EQ(firer.RunPending(), 0u);
  EXPECT_TRUE(sender_.requests().empty());
}

TEST_F(OutgoingWebhookFirerTest, NothingIsQueuedWhileThereIsNoHook) {
  OutgoingWebhookOptions options;
  options.queue_capacity = 1;
  OutgoingWebhookFirer firer = MakeFirer(options);
  for (int i = 0; i < 3; ++i) firer.OnCommitted(Message("town", "go"));
  EXPECT_EQ(firer.RunPending(), 0u);
  EXPECT_EQ(firer.stats().dropped, 0u);
}

TEST_F(OutgoingWebhookFirerTest, MessagesNoHookCanFireOnAreNotQueued) {
  AddHook(R"({"trigger_words":["#build"],"callback_urls":["https://bot.example/a"]})");
  AddHook(R"({"channel_id":"elsewhere","callback_urls":["https://bot.example/b"]})");
  OutgoingWebhookOptions options;
  options.queue_capacity = 1;
  OutgoingWebhookFirer firer = MakeFirer(options);
  firer.OnCommitted(Message("town", "no trigger word here"));
  firer.OnCommitted(
      Message("town", "#build", json::object{{"props", json::object{{"from_webhook", "true"}}}}));
  firer.OnCommitted(Message("town", "#build now"));  // the one place in the queue is still free
  EXPECT_EQ(firer.stats().dropped, 0u);
  EXPECT_EQ(firer.RunPending(), 1u);
  ASSERT_EQ(sender_.requests().size(), 1u);
  EXPECT_EQ(sender_.requests()[0].url.Origin(), "https://bot.example:443");
}

TEST_F(OutgoingWebhookFirerTest, OnlyThePayloadFieldsAreQueuedNotTheWholeEvent) {
  AddHook(R"({"trigger_words":["go"],"callback_urls":["https://bot.example/a"]})");
  OutgoingWebhookOptions options;
  options.queue_bytes = 16 * 1024;
  OutgoingWebhookFirer firer = MakeFirer(options);
  // 200 KiB of data the payload does not use: three such events would not fit in 16 KiB.
  const json::object bulk{{"attachment", std::string(200 * 1024, 'x')},
                          {"fileIds", json::array{"f1", "f2"}},
                          {"rootId", "root-7"}};
  for (int i = 0; i < 3; ++i) firer.OnCommitted(Message("town", "go", bulk));
  EXPECT_EQ(firer.stats().dropped, 0u);
  sender_.Reply(200, R"({"text":"ok","response_type":"comment"})");
  EXPECT_EQ(firer.RunPending(), 3u);
  ASSERT_EQ(sender_.requests().size(), 3u);
  auto form = subscribers::DecodeForm(sender_.requests()[0].body);
  ASSERT_TRUE(form.ok());
  EXPECT_EQ(form->at("file_ids"), "f1,f2");
  EXPECT_EQ(form->at("user_id"), "u1");
  EXPECT_EQ(form->at("post_id"), "post-1");
  ASSERT_EQ(sink_.posts().size(), 1u);
  EXPECT_EQ(sink_.posts()[0].root_id, "root-7");
}

TEST_F(OutgoingWebhookFirerTest, TheQueueIsBoundedByBytesToo) {
  AddHook(R"({"trigger_words":["go"],"callback_urls":["https://bot.example/a"]})");
  OutgoingWebhookOptions options;
  options.queue_capacity = 1000;
  options.queue_bytes = 250 * 1024;
  OutgoingWebhookFirer firer = MakeFirer(options);
  const std::string text = "go " + std::string(100 * 1024, 'y');
  for (int i = 0; i < 5; ++i) firer.OnCommitted(Message("town", text));
  EXPECT_EQ(firer.stats().dropped, 3u);
  EXPECT_EQ(firer.RunPending(), 2u);
  // Taken messages give their bytes back.
  for (int i = 0; i < 2; ++i) firer.OnCommitted(Message("town", text));
  EXPECT_EQ(firer.stats().dropped, 3u);
  EXPECT_EQ(firer.RunPending(), 2u);
  EXPECT_EQ(sender_.requests().size(), 4u);
}

// A sender that runs an action when the n-th request arrives (the hook changing while a slow
// bot holds the message), then answers 200.
class ActingSender final : public HttpSender {
 public:
  explicit ActingSender(std::function<void()> on_first) : on_first_(std::move(on_first)) {}
  HttpResult Send(const HttpRequest& request) override {
    requests_.push_back(request);
    if (requests_.size() == 1) on_first_();
    HttpResult r;
    r.kind = HttpResult::Kind::kResponse;
    r.status = 200;
    return r;
  }
  std::vector<HttpRequest> requests_;

 private:
  std::function<void()> on_first_;
};

TEST_F(OutgoingWebhookFirerTest, ARegeneratedTokenReplacesTheOldOneForAMessageInHand) {
  const OutgoingHook hook = AddHook(R"({"trigger_words":["go"],
      "callback_urls":["https://bot.example/a","https://bot.example/b"]})");
  std::string new_token;
  ActingSender sender([&] {
    auto regen = hooks_->RegenerateToken(hook.id, 2000);
    ASSERT_TRUE(regen.ok() && regen->has_value());
    new_token = (*regen)->token;
  });
  OutgoingWebhookFirer firer(*hooks_, channels_, sender, sink_, OutgoingWebhookOptions{});
  firer.OnCommitted(Message("town", "go"));
  firer.RunPending();
  ASSERT_EQ(sender.requests_.size(), 2u);
  auto first = subscribers::DecodeForm(sender.requests_[0].body);
  auto second = subscribers::DecodeForm(sender.requests_[1].body);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->at("token"), hook.token);
  ASSERT_FALSE(new_token.empty());
  EXPECT_NE(new_token, hook.token);
  EXPECT_EQ(second->at("token"), new_token);  // the old token is never sent again
}

TEST_F(OutgoingWebhookFirerTest, ADeletedHookIsNotCalledForAMessageInHand) {
  const OutgoingHook hook = AddHook(R"({"trigger_words":["go"],
      "callback_urls":["https://bot.example/a","https://bot.example/b"]})");
  ActingSender sender([&] {
    auto deleted = hooks_->Delete(hook.id);
    ASSERT_TRUE(deleted.ok() && *deleted);
  });
  OutgoingWebhookFirer firer(*hooks_, channels_, sender, sink_, OutgoingWebhookOptions{});
  firer.OnCommitted(Message("town", "go"));
  firer.OnCommitted(Message("town", "go"));  // queued before the delete
  firer.RunPending();
  EXPECT_EQ(sender.requests_.size(), 1u);
  EXPECT_EQ(firer.stats().fired, 1u);
  EXPECT_EQ(firer.stats().unsent, 1u);  // the second URL of the message in hand
  EXPECT_NE(
      firer.RenderMetrics().find("hookbroker_outgoing_webhook_requests_total{result=\"unsent\"} 1"),
      std::string::npos);
}

// A sender that blocks until released, to see the workers take events off the ingest thread.
class GateSender final : public HttpSender {
 public:
  HttpResult Send(const HttpRequest&) override {
    std::unique_lock<std::mutex> lock(mu_);
    ++entered_;
    cv_.notify_all();
    cv_.wait(lock, [this] { return open_; });
    HttpResult r;
    r.kind = HttpResult::Kind::kResponse;
    r.status = 200;
    r.body = R"({"text":"pong"})";
    return r;
  }
  void WaitEntered(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return entered_ >= n; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int entered_ = 0;
  bool open_ = false;
};

TEST_F(OutgoingWebhookFirerTest, WorkersSendWhileTheIngestThreadMovesOn) {
  AddHook(R"({"trigger_words":["ping"],"callback_urls":["https://bot.example/a"]})");
  GateSender gate;
  OutgoingWebhookOptions options;
  options.workers = 2;
  OutgoingWebhookFirer firer(*hooks_, channels_, gate, sink_, options);
  firer.Start();
  for (int i = 0; i < 3; ++i) firer.OnCommitted(Message("town", "ping"));  // returns at once
  gate.WaitEntered(2);  // both workers are held by the bot; the third message waits its turn
  gate.Open();
  firer.Stop();  // lets the workers finish the messages in hand
  const OutgoingWebhookStats s = firer.stats();
  EXPECT_EQ(s.fired + s.dropped, 3u);
  EXPECT_EQ(s.replied, s.fired);
  EXPECT_EQ(sink_.posts().size(), s.fired);
  EXPECT_GE(s.fired, 2u);
}

}  // namespace
}  // namespace hookbroker::testing
