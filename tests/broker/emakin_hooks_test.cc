// emakin channel hooks: posts, cases claimed once per channel (in a real LMDB store), updates
// threaded under their case, and the status codes and bodies of docs/CHAT.md.
#include "broker/emakin_hooks.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "broker/case_codec.h"
#include "broker/chat_id.h"
#include "broker/message_split.h"
#include "tests/broker/broker_test_util.h"
#include "tests/support/temp_dir.h"

namespace hookbroker::testing {
namespace {

namespace json = boost::json;
constexpr std::int64_t kNow = 1'700'000'000'000;
constexpr std::string_view kChannel = "f923d83a-3350-42d0-b9cb-620032730294";
constexpr std::string_view kKey = "8459b574-62ea-4ea7-bbae-a132fbfee5df";

class FakeChannels final : public ChannelDirectory {
 public:
  Result<std::optional<Channel>> ById(std::string_view id) const override {
    for (const Channel& c : channels) {
      if (c.id == id) return std::optional<Channel>(c);
    }
    return std::optional<Channel>();
  }
  Result<std::optional<Channel>> ByName(std::string_view) const override {
    return std::optional<Channel>();
  }
  std::vector<Channel> channels;
};

class FakeHooks final : public ChannelHookKeys {
 public:
  Result<std::optional<ChannelHook>> HookByKey(std::string_view key) const override {
    auto it = hooks.find(std::string(key));
    if (it == hooks.end()) return std::optional<ChannelHook>();
    return std::optional<ChannelHook>(it->second);
  }
  std::map<std::string, ChannelHook> hooks;
};

// Remembers every post, as the ingest does: an id it holds already is acknowledged and not
// stored again, an empty id gets a fresh one. Fails the next `fail` posts before storing them;
// `lose_acks` posts are stored but answered with an error (a crash or a lost ack after the
// fsync). `on_post` runs before each post is stored.
class RecordingSink final : public PostSink {
 public:
  Result<ChatPost> Post(ChatPost post) override {
    if (on_post) on_post(post);
    std::lock_guard<std::mutex> lock(mu_);
    if (fail > 0) {
      --fail;
      return Error{"not_stored", "ingest unavailable", ""};
    }
    if (post.id.empty()) post.id = NewChatId();
    bool duplicate = false;
    for (const ChatPost& p : posts) duplicate = duplicate || p.id == post.id;
    if (!duplicate) posts.push_back(post);
    if (lose_acks > 0) {
      --lose_acks;
      return Error{"not_stored", "no ack within the timeout", ""};
    }
    return post;
  }
  std::vector<ChatPost> Posts() {
    std::lock_guard<std::mutex> lock(mu_);
    return posts;
  }
  int fail = 0;
  int lose_acks = 0;
  std::function<void(const ChatPost&)> on_post;

 private:
  std::mutex mu_;
  std::vector<ChatPost> posts;
};

class EmakinHooksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = Store::Open(StoreOptions{dir_.path(), 64ULL << 20, 126});
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
    channels_.channels.push_back(Channel{std::string(kChannel), "alerts", "Alerts", "", "", true});
    channels_.channels.push_back(Channel{"other", "other", "Other", "", "", true});
    hooks_.hooks[std::string(kKey)] =
        ChannelHook{std::string(kChannel), "hook-owner", "Monitoring", "emakin", ""};
    hooks_.hooks["key-of-other"] = ChannelHook{"other", "owner-2", "", "", ""};
    emakin_ = std::make_unique<EmakinHooks>(*store_, channels_, hooks_, sink_, clock_);
  }

  HookReply Send(const std::string& body, std::string_view channel = kChannel,
                 std::string_view key = kKey) {
    return emakin_->Handle(channel, key, body);
  }

  static json::object Json(const HookReply& r) {
    EXPECT_EQ(r.content_type, "application/json");
    return json::parse(r.body).as_object();
  }

  static void ExpectError(const HookReply& r, int status, std::string_view message_part) {
    EXPECT_EQ(r.status, status) << r.body;
    const json::object e = Json(r);
    EXPECT_EQ(e.at("status_code"), status);
    EXPECT_NE(std::string(e.at("message").as_string()).find(message_part), std::string::npos)
        << r.body;
    for (const char* field : {"id", "detailed_error", "request_id"}) {
      EXPECT_TRUE(e.contains(field)) << field;
    }
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  FakeChannels channels_;
  FakeHooks hooks_;
  RecordingSink sink_;
  FakeClock clock_{kNow};
  std::unique_ptr<EmakinHooks> emakin_;
};

TEST_F(EmakinHooksTest, BasicMessageIsPostedAsTheHooksBotAndAnsweredWithThePost) {
  const HookReply r = Send(R"({"text" : "my message"})");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(sink_.Posts().size(), 1u);
  const ChatPost p = sink_.Posts()[0];
  EXPECT_EQ(p.channel_id, kChannel);
  EXPECT_EQ(p.user_id, "hook-owner");
  EXPECT_EQ(p.message, "my message");
  EXPECT_EQ(p.root_id, "");
  EXPECT_EQ(p.create_at_ms, kNow);
  EXPECT_EQ(p.props.at("from_webhook"), "true");
  EXPECT_EQ(p.props.at("override_username"), "emakin");
  EXPECT_EQ(p.props.at("webhook_display_name"), "Monitoring");
  EXPECT_EQ(p.id.size(), 26u);
  const json::object reply = Json(r);
  EXPECT_EQ(reply.at("id"), json::value(p.id));
  EXPECT_EQ(reply.at("channel_id"), json::value(kChannel));
  EXPECT_EQ(reply.at("message"), "my message");
  EXPECT_EQ(reply.at("props").at("from_webhook"), "true");
}

TEST_F(EmakinHooksTest, AttachmentsBecomeSlackAttachmentsLinkingFileAndPage) {
  const HookReply r = Send(R"({"text" : "my message", "attachments" : [
      {"@type": "file", "displayName": "my file", "ext": "txt", "url": "http://myserver/myfile"},
      {"@type": "link", "url": "http://www.google.com", "displayName": "http://www.google.com"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(sink_.Posts().at(0).props.at("attachments"), json::parse(R"([
      {"fallback":"my file.txt","title":"my file.txt","title_link":"http://myserver/myfile"},
      {"fallback":"http://www.google.com","title":"http://www.google.com",
       "title_link":"http://www.google.com"}])"));
}

TEST_F(EmakinHooksTest, IdOpensACaseOnceARepeatIsAlreadyReportedAndPostsNothing) {
  const std::string body = R"({"id" : "event1", "text" : "disk full"})";
  const HookReply first = Send(body);
  ASSERT_EQ(first.status, 200) << first.body;
  const std::string post_id = sink_.Posts().at(0).id;
  EXPECT_EQ(sink_.Posts()[0].props.at("emakin_case_id"), "event1");

  const HookReply again = Send(body);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.content_type, "text/plain");
  EXPECT_EQ(again.body, "already reported");
  EXPECT_EQ(sink_.Posts().size(), 1u) << "a repeated id posts nothing";

  auto stored = store_->GetRecord(RecordKind::kCase, CaseKey(kChannel, "event1"));
  ASSERT_TRUE(stored.ok() && stored->has_value());
  Result<CaseRecord> c = DecodeCase(**stored);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->root_id, post_id);
  EXPECT_EQ(c->post_id, post_id);
}

TEST_F(EmakinHooksTest, SameIdInAnotherChannelIsAnotherCase) {
  ASSERT_EQ(Send(R"({"id":"event1","text":"a"})").status, 200);
  const HookReply other = Send(R"({"id":"event1","text":"b"})", "other", "key-of-other");
  ASSERT_EQ(other.status, 200) << other.body;
  EXPECT_EQ(other.content_type, "application/json");
  EXPECT_EQ(sink_.Posts().size(), 2u);
}

TEST_F(EmakinHooksTest, ReferencesThreadTheUpdateUnderTheCasesFirstPost) {
  ASSERT_EQ(Send(R"({"id":"event1","text":"opened"})").status, 200);
  const std::string root = sink_.Posts().at(0).id;
  // The seed's update: its own id and a reference to event1.
  const HookReply update = Send(R"({"id":"event2","references":["event1"],"text":"update"})");
  ASSERT_EQ(update.status, 200) << update.body;
  EXPECT_EQ(sink_.Posts().at(1).root_id, root);
  EXPECT_EQ(Json(update).at("root_id"), json::value(root));
  // An update of the update joins the same thread; an unknown first reference is skipped.
  ASSERT_EQ(Send(R"({"references":["nope","event2"],"text":"again"})").status, 200);
  EXPECT_EQ(sink_.Posts().at(2).root_id, root);
  // event2 is a case id now too: repeating the update posts nothing.
  EXPECT_EQ(Send(R"({"id":"event2","references":["event1"],"text":"update"})").body,
            "already reported");
  EXPECT_EQ(sink_.Posts().size(), 3u);
}

TEST_F(EmakinHooksTest, UnknownReferencesAre404AndPostNothing) {
  ExpectError(Send(R"({"references":["never"],"text":"update"})"), 404, "referenced cases");
  EXPECT_TRUE(sink_.Posts().empty());
}

TEST_F(EmakinHooksTest, BadBodiesAre400WithMattermostErrors) {
  ExpectError(Send("{not json"), 400, "parse");
  ExpectError(Send(R"({"text":""})"), 400, "text");
  ExpectError(Send(R"({"attachments":[{"@type":"video","url":"u"}]})"), 400, "@type");
  EXPECT_TRUE(sink_.Posts().empty());
}

TEST_F(EmakinHooksTest, UnknownKeyOrAKeyOfAnotherChannelIsAnInvalidWebhook) {
  ExpectError(Send(R"({"text":"x"})", kChannel, "no-such-key"), 400, "Invalid webhook.");
  ExpectError(Send(R"({"text":"x"})", kChannel, "key-of-other"), 400, "Invalid webhook.");
  ExpectError(Send(R"({"text":"x"})", "other", kKey), 400, "Invalid webhook.");
  EXPECT_TRUE(sink_.Posts().empty());
}

TEST_F(EmakinHooksTest, HookWhoseChannelIsGoneIs404) {
  hooks_.hooks["orphan"] = ChannelHook{"deleted-channel", "u", "", "", ""};
  ExpectError(Send(R"({"text":"x"})", "deleted-channel", "orphan"), 404, "channel");
}

TEST_F(EmakinHooksTest, FailedPostFreesTheCaseIdForTheRetry) {
  sink_.fail = 1;
  ExpectError(Send(R"({"id":"event1","text":"x"})"), 500, "could not be stored");
  EXPECT_TRUE(sink_.Posts().empty());
  const HookReply retry = Send(R"({"id":"event1","text":"x"})");
  EXPECT_EQ(retry.status, 200);
  EXPECT_EQ(retry.content_type, "application/json") << "the retry opened the case";
  EXPECT_EQ(sink_.Posts().size(), 1u);
}

TEST_F(EmakinHooksTest, ConcurrentRepeatsOfOneIdPostOnce) {
  std::vector<std::thread> threads;
  std::atomic<int> posted{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      if (Send(R"({"id":"storm","text":"x"})").content_type == "application/json") ++posted;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(posted.load(), 1);
  EXPECT_EQ(sink_.Posts().size(), 1u);
}

TEST_F(EmakinHooksTest, NoCaseIsClaimedBeforeItsPostIsStored) {
  // A crash while the post is on its way must leave the id free: the case is claimed after.
  std::vector<bool> claimed_during_post;
  sink_.on_post = [&](const ChatPost&) {
    auto stored = store_->GetRecord(RecordKind::kCase, CaseKey(kChannel, "event1"));
    ASSERT_TRUE(stored.ok());
    claimed_during_post.push_back(stored->has_value());
  };
  ASSERT_EQ(Send(R"({"id":"event1","text":"x"})").status, 200);
  EXPECT_EQ(claimed_during_post, std::vector<bool>{false});
  EXPECT_TRUE(store_->GetRecord(RecordKind::kCase, CaseKey(kChannel, "event1"))->has_value());
}

TEST_F(EmakinHooksTest, RetryAfterAStoredPostWhoseAckWasLostPostsItOnceAndOpensTheCase) {
  sink_.lose_acks = 1;
  ExpectError(Send(R"({"id":"event1","text":"disk full"})"), 500, "could not be stored");
  ASSERT_EQ(sink_.Posts().size(), 1u) << "the post was stored before the ack was lost";
  EXPECT_FALSE(store_->GetRecord(RecordKind::kCase, CaseKey(kChannel, "event1"))->has_value());

  const HookReply retry = Send(R"({"id":"event1","text":"disk full"})");
  ASSERT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(retry.content_type, "application/json") << "the retry opened the case";
  ASSERT_EQ(sink_.Posts().size(), 1u) << "the retry's post has the same id: a duplicate";
  EXPECT_EQ(Json(retry).at("id"), json::value(sink_.Posts()[0].id));
  auto stored = store_->GetRecord(RecordKind::kCase, CaseKey(kChannel, "event1"));
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ(DecodeCase(**stored)->root_id, sink_.Posts()[0].id);
  EXPECT_EQ(Send(R"({"id":"event1","text":"disk full"})").body, "already reported");
}

TEST_F(EmakinHooksTest, CasePostIdsAreChatIdsOfTheChannelAndIdAlone) {
  ASSERT_EQ(Send(R"({"id":"event1","text":"a"})").status, 200);
  ASSERT_EQ(Send(R"({"id":"event1","text":"b"})", "other", "key-of-other").status, 200);
  ASSERT_EQ(Send(R"({"id":"event2","text":"a"})").status, 200);
  ASSERT_EQ(Send(R"({"text":"no case"})").status, 200);
  const std::vector<ChatPost> posts = sink_.Posts();
  ASSERT_EQ(posts.size(), 4u);
  for (const ChatPost& p : posts) EXPECT_TRUE(IsChatIdShaped(p.id)) << p.id;
  EXPECT_NE(posts[0].id, posts[1].id);
  EXPECT_NE(posts[0].id, posts[2].id);

  // Another broker (a fresh store and sink) gives the same message the same id.
  TempDir dir;
  auto store = Store::Open(StoreOptions{dir.path(), 64ULL << 20, 126});
  ASSERT_TRUE(store.ok());
  RecordingSink sink;
  EmakinHooks again(**store, channels_, hooks_, sink, clock_);
  ASSERT_EQ(again.Handle(kChannel, kKey, R"({"id":"event1","text":"a"})").status, 200);
  EXPECT_EQ(sink.Posts().at(0).id, posts[0].id);
}

TEST_F(EmakinHooksTest, SlackMarkupInTheTextBecomesMarkdown) {
  ASSERT_EQ(Send(R"({"text":"see <https://x.test/a|the report> <!channel>"})").status, 200);
  EXPECT_EQ(sink_.Posts().at(0).message, "see [the report](https://x.test/a) @channel");
}

TEST_F(EmakinHooksTest, LongTextIsSplitIntoPostsTheFirstOpensTheCaseTheLastHasTheAttachments) {
  const std::string text = std::string(kMaxPostCodePoints - 1, 'a') + " " + std::string(100, 'b');
  json::object body{{"id", "long"},
                    {"text", text},
                    {"attachments", json::parse(R"([{"@type":"link","url":"http://l.test",
                                                     "displayName":"page"}])")}};
  const HookReply r = Send(json::serialize(body));
  ASSERT_EQ(r.status, 200) << r.body;
  const std::vector<ChatPost> posts = sink_.Posts();
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].message + posts[1].message, text);
  EXPECT_EQ(posts[0].message.size(), kMaxPostCodePoints);
  EXPECT_FALSE(posts[0].props.contains("attachments"));
  EXPECT_EQ(posts[1].props.at("attachments").as_array().size(), 1u);
  EXPECT_NE(posts[0].id, posts[1].id);
  for (const ChatPost& p : posts) {
    EXPECT_TRUE(IsChatIdShaped(p.id)) << p.id;
    EXPECT_EQ(p.root_id, "");
    EXPECT_EQ(p.props.at("emakin_case_id"), "long");
  }
  EXPECT_EQ(Json(r).at("id"), json::value(posts[0].id)) << "answered with the first post";
  auto stored = store_->GetRecord(RecordKind::kCase, CaseKey(kChannel, "long"));
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ(DecodeCase(**stored)->root_id, posts[0].id);
  EXPECT_EQ(DecodeCase(**stored)->post_id, posts[0].id);

  // An update as long is split too, every piece in the case's thread.
  ASSERT_EQ(Send(json::serialize(json::object{{"references", json::array{"long"}}, {"text", text}}))
                .status,
            200);
  ASSERT_EQ(sink_.Posts().size(), 4u);
  EXPECT_EQ(sink_.Posts()[2].root_id, posts[0].id);
  EXPECT_EQ(sink_.Posts()[3].root_id, posts[0].id);
}

}  // namespace
}  // namespace hookbroker::testing
