// The outgoing webhook record: the create request's rules, the stored form, which messages fire
// a hook, and what a bot's reply makes.
#include "broker/outgoing_hook.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "broker/outgoing_hook_codec.h"
#include "broker/outgoing_hook_match.h"
#include "broker/outgoing_hook_reply.h"
#include "proto/chat_id.h"

namespace hookbroker::testing {
namespace {

namespace json = boost::json;

Result<OutgoingHook> Parse(std::string_view body, bool allow_http = false) {
  return ParseOutgoingHookRequest(json::parse(body), {.allow_http_callbacks = allow_http});
}

void ExpectInvalid(std::string_view body, std::string_view field) {
  auto hook = Parse(body);
  ASSERT_FALSE(hook.ok()) << body;
  EXPECT_EQ(hook.error().field, field) << hook.error().message;
}

TEST(OutgoingHookTest, ParsesMattermostsFieldsWithDefaults) {
  auto hook = Parse(R"({"team_id":"t1","channel_id":"c1","trigger_words":["#build","!b"],
      "callback_urls":["https://bot.example/hook"],"display_name":"Build","description":"d",
      "username":"builder","icon_url":"https://bot.example/i.png","creator_id":"ignored"})");
  ASSERT_TRUE(hook.ok()) << hook.error().message;
  EXPECT_EQ(hook->channel_id, "c1");
  EXPECT_EQ(hook->team_id, "t1");
  EXPECT_EQ(hook->trigger_words, (std::vector<std::string>{"#build", "!b"}));
  EXPECT_EQ(hook->trigger_when, TriggerWhen::kFirstWordEquals);
  EXPECT_EQ(hook->content_type, HookContentType::kForm);
  EXPECT_EQ(hook->display_name, "Build");
  EXPECT_EQ(hook->username, "builder");

  auto json_hook = Parse(R"({"trigger_words":["x"],"trigger_when":1,
      "callback_urls":["https://a.example/1","https://b.example/2"],
      "content_type":"application/json"})");
  ASSERT_TRUE(json_hook.ok()) << json_hook.error().message;
  EXPECT_EQ(json_hook->trigger_when, TriggerWhen::kFirstWordStartsWith);
  EXPECT_EQ(json_hook->content_type, HookContentType::kJson);
  EXPECT_EQ(json_hook->callback_urls.size(), 2u);
}

TEST(OutgoingHookTest, RejectsWhatMattermostRejects) {
  ExpectInvalid(R"({"callback_urls":["https://a.example/"]})", "trigger_words");
  ExpectInvalid(R"({"channel_id":"c","callback_urls":[]})", "callback_urls");
  ExpectInvalid(R"({"channel_id":"c"})", "callback_urls");
  ExpectInvalid(R"({"channel_id":"c","callback_urls":["ftp://a.example/"]})", "callback_urls");
  ExpectInvalid(R"({"channel_id":"c","callback_urls":["http://a.example/"]})", "callback_urls");
  ExpectInvalid(R"({"channel_id":"c","callback_urls":"https://a.example/"})", "callback_urls");
  ExpectInvalid(R"({"trigger_words":["two words"],"callback_urls":["https://a.example/"]})",
                "trigger_words");
  ExpectInvalid(R"({"trigger_words":[""],"callback_urls":["https://a.example/"]})",
                "trigger_words");
  ExpectInvalid(R"({"channel_id":"c","trigger_when":2,"callback_urls":["https://a.example/"]})",
                "trigger_when");
  ExpectInvalid(R"({"channel_id":"c","content_type":"text/xml",
      "callback_urls":["https://a.example/"]})",
                "content_type");
  ExpectInvalid(R"({"channel_id":"c","display_name":")" + std::string(65, 'n') +
                    R"(","callback_urls":["https://a.example/"]})",
                "display_name");
  ExpectInvalid(R"({"channel_id":"c","callback_urls":["https://a.example/"],"username":7})",
                "username");
  EXPECT_EQ(ParseOutgoingHookRequest(json::parse("[]"), {}).error().code, "invalid_json");
  // Plain http only when the broker allows it, as for subscriptions.
  EXPECT_TRUE(Parse(R"({"channel_id":"c","callback_urls":["http://127.0.0.1:9/"]})", true).ok());
}

OutgoingHook SampleHook() {
  auto hook = Parse(R"({"channel_id":"c1","trigger_words":["#build"],"trigger_when":1,
      "callback_urls":["https://bot.example/hook"],"content_type":"application/json",
      "username":"builder"})");
  EXPECT_TRUE(hook.ok());
  hook->id = OutgoingHookId(NewChatId());
  hook->token = NewChatId();
  hook->create_at_ms = 1000;
  hook->update_at_ms = 2000;
  return std::move(hook).value();
}

TEST(OutgoingHookCodecTest, StoredFormRoundTripsAndApiFormHidesTheTokenOnRequest) {
  const OutgoingHook hook = SampleHook();
  auto back = DecodeOutgoingHook(EncodeOutgoingHook(hook));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->id, hook.id);
  EXPECT_EQ(back->token, hook.token);
  EXPECT_EQ(back->trigger_words, hook.trigger_words);
  EXPECT_EQ(back->trigger_when, hook.trigger_when);
  EXPECT_EQ(back->content_type, hook.content_type);
  EXPECT_EQ(back->callback_urls, hook.callback_urls);
  EXPECT_EQ(back->username, hook.username);
  EXPECT_EQ(back->create_at_ms, 1000);
  EXPECT_EQ(back->update_at_ms, 2000);

  json::object shown = OutgoingHookJson(hook, false);
  EXPECT_FALSE(shown.contains("token"));
  EXPECT_EQ(shown.at("content_type").as_string(), "application/json");
  EXPECT_EQ(OutgoingHookJson(hook, true).at("token").as_string(), hook.token);

  EXPECT_EQ(DecodeOutgoingHook("{").error().code, "corrupt_record");
  json::object no_token = OutgoingHookJson(hook, false);
  EXPECT_EQ(DecodeOutgoingHook(json::serialize(no_token)).error().code, "corrupt_record");
}

OutgoingHook Hook(std::string channel, std::vector<std::string> words,
                  TriggerWhen when = TriggerWhen::kFirstWordEquals) {
  OutgoingHook h;
  h.channel_id = std::move(channel);
  h.trigger_words = std::move(words);
  h.trigger_when = when;
  return h;
}

TEST(OutgoingHookMatchTest, FirstWordEqualsOrStartsWith) {
  const OutgoingHook equals = Hook("", {"#build", "deploy"});
  EXPECT_EQ(MatchOutgoingHook(equals, "any", "#build Let's see"), "#build");
  EXPECT_EQ(MatchOutgoingHook(equals, "any", "  deploy\tnow"), "deploy");
  EXPECT_EQ(MatchOutgoingHook(equals, "any", "#builds"), std::nullopt);
  EXPECT_EQ(MatchOutgoingHook(equals, "any", "see #build"), std::nullopt);
  EXPECT_EQ(MatchOutgoingHook(equals, "any", "#Build"), std::nullopt);  // case-sensitive

  const OutgoingHook starts = Hook("", {"#build"}, TriggerWhen::kFirstWordStartsWith);
  EXPECT_EQ(MatchOutgoingHook(starts, "any", "#builds please"), "#build");  // the trigger word
  EXPECT_EQ(MatchOutgoingHook(starts, "any", "#buil"), std::nullopt);
}

TEST(OutgoingHookMatchTest, ChannelHooksFireOnEveryMessageOfTheirChannelOnly) {
  const OutgoingHook channel_only = Hook("c1", {});
  EXPECT_EQ(MatchOutgoingHook(channel_only, "c1", "hello there"), "");
  EXPECT_EQ(MatchOutgoingHook(channel_only, "c2", "hello there"), std::nullopt);
  EXPECT_EQ(MatchOutgoingHook(channel_only, "c1", "   "), std::nullopt);  // no word at all

  const OutgoingHook channel_and_word = Hook("c1", {"#build"});
  EXPECT_EQ(MatchOutgoingHook(channel_and_word, "c1", "#build x"), "#build");
  EXPECT_EQ(MatchOutgoingHook(channel_and_word, "c2", "#build x"), std::nullopt);
  EXPECT_EQ(MatchOutgoingHook(channel_and_word, "c1", "hello"), std::nullopt);
}

const TriggeringPost kTrigger{.channel_id = "c1", .post_id = "p1", .root_id = ""};

TEST(OutgoingHookReplyTest, EmptyBodyOrNoTextNorAttachmentsPostsNothing) {
  const OutgoingHook hook = SampleHook();
  for (std::string_view body : {"", "  \n", "{}", R"({"username":"x","props":{"a":1}})",
                                R"({"text":"","attachments":[]})"}) {
    auto posts = ChatPostsFromReply(body, hook, kTrigger, true);
    ASSERT_TRUE(posts.ok()) << body;
    EXPECT_TRUE(posts->empty()) << body;
  }
}

TEST(OutgoingHookReplyTest, TextBecomesAPostMarkedFromWebhookWithOverrides) {
  const OutgoingHook hook = SampleHook();
  auto posts = ChatPostsFromReply(
      R"({"text":"Hello, this is some text.","username":"robot","props":{"card":"x",
          "from_webhook":"false","override_username":"evil"}})",
      hook, kTrigger, true);
  ASSERT_TRUE(posts.ok()) << posts.error().message;
  ASSERT_EQ(posts->size(), 1u);
  const ChatPost& p = posts->front();
  EXPECT_EQ(p.channel_id, "c1");
  EXPECT_EQ(p.root_id, "");
  EXPECT_EQ(p.message, "Hello, this is some text.");
  EXPECT_EQ(p.user_id, hook.id.value());
  EXPECT_EQ(p.props.at("from_webhook").as_string(), "true");
  EXPECT_EQ(p.props.at("override_username").as_string(), "robot");
  EXPECT_FALSE(p.props.contains("override_icon_url"));
  EXPECT_EQ(p.props.at("card").as_string(), "x");

  // Without the reply's username the hook's own is used; with overrides off, none.
  auto defaulted = ChatPostsFromReply(R"({"text":"hi"})", hook, kTrigger, true);
  EXPECT_EQ(defaulted->front().props.at("override_username").as_string(), "builder");
  auto plain = ChatPostsFromReply(R"({"text":"hi","username":"robot"})", hook, kTrigger, false);
  EXPECT_FALSE(plain->front().props.contains("override_username"));
  EXPECT_EQ(plain->front().props.at("from_webhook").as_string(), "true");
}

TEST(OutgoingHookReplyTest, CommentThreadsUnderTheTriggeringPostsRoot) {
  const OutgoingHook hook = SampleHook();
  auto top = ChatPostsFromReply(R"({"text":"t","response_type":"comment"})", hook, kTrigger, true);
  EXPECT_EQ(top->front().root_id, "p1");
  const TriggeringPost in_thread{.channel_id = "c1", .post_id = "p2", .root_id = "p1"};
  auto reply =
      ChatPostsFromReply(R"({"text":"t","response_type":"comment"})", hook, in_thread, true);
  EXPECT_EQ(reply->front().root_id, "p1");
  auto post = ChatPostsFromReply(R"({"text":"t","response_type":"post"})", hook, in_thread, true);
  EXPECT_EQ(post->front().root_id, "");
}

TEST(OutgoingHookReplyTest, AttachmentsAloneMakeAPostAndGoIntoProps) {
  auto posts = ChatPostsFromReply(R"({"attachments":[{"text":"a","color":"#f00"}]})", SampleHook(),
                                  kTrigger, true);
  ASSERT_TRUE(posts.ok());
  ASSERT_EQ(posts->size(), 1u);
  EXPECT_EQ(posts->front().message, "");
  EXPECT_EQ(posts->front().props.at("attachments").as_array().size(), 1u);
}

TEST(OutgoingHookReplyTest, RefusesSystemTypesAndMalformedReplies) {
  const OutgoingHook hook = SampleHook();
  EXPECT_EQ(ChatPostsFromReply(R"({"text":"x","type":"system_join_channel"})", hook, kTrigger, true)
                .error()
                .code,
            "refused_type");
  auto custom = ChatPostsFromReply(R"({"text":"x","type":"custom_poll"})", hook, kTrigger, true);
  EXPECT_EQ(custom->front().type, "custom_poll");
  for (std::string_view body : {"not json", "[1]", R"({"text":5})",
                                R"({"text":"x","attachments":{}})", R"({"text":"x","props":[]})"}) {
    auto posts = ChatPostsFromReply(body, hook, kTrigger, true);
    ASSERT_FALSE(posts.ok()) << body;
    EXPECT_EQ(posts.error().code, "invalid_reply") << body;
  }
}

TEST(OutgoingHookReplyTest, LongTextIsSplitOnCharacterBoundaries) {
  // 16383 two-byte characters and 2 more: two posts, no character cut in half.
  std::string text;
  for (std::size_t i = 0; i < kMaxPostMessageChars + 2; ++i) text += "é";
  auto posts = ChatPostsFromReply(json::serialize(json::object{{"text", text}}), SampleHook(),
                                  kTrigger, true);
  ASSERT_TRUE(posts.ok());
  ASSERT_EQ(posts->size(), 2u);
  EXPECT_EQ((*posts)[0].message.size(), kMaxPostMessageChars * 2);
  EXPECT_EQ((*posts)[1].message, "éé");
}

}  // namespace
}  // namespace hookbroker::testing
