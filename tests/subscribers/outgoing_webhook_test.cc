#include "subscribers/outgoing_webhook.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "subscribers/form_decode.h"

namespace hookbroker::testing {
namespace {

using namespace subscribers;

// The request of the Mattermost outgoing-webhook document (seeds/002), form-encoded.
const std::string kFormBody =
    "channel_id=hawos4dqtby53pd64o4a4cmeoo&channel_name=town-square&team_domain=someteam&"
    "team_id=kwoknj9nwpypzgzy78wkw516qe&text=%23build+Let%27s+see+the+status&"
    "timestamp=1445532266&token=zmigewsanbbsdf59xnmduzypjc&trigger_word=%23build&"
    "user_id=rnina9994bde8mua79zqcg5hmo&user_name=somename&post_id=p1&file_ids=f1%2Cf2";

TEST(FormDecodeTest, DecodesPlusAndPercentEscapes) {
  auto form = DecodeForm("a=1&b=two+words&c=%23x%2c&d=&e");
  ASSERT_TRUE(form.ok());
  EXPECT_EQ(form->at("a"), "1");
  EXPECT_EQ(form->at("b"), "two words");
  EXPECT_EQ(form->at("c"), "#x,");
  EXPECT_EQ(form->at("d"), "");
  EXPECT_EQ(form->at("e"), "");
  EXPECT_EQ(DecodeForm("a=%2").error().code, "invalid_form");
  EXPECT_EQ(DecodeForm("a=%zz").error().code, "invalid_form");
}

TEST(OutgoingWebhookTest, ParsesTheFormEncodedRequest) {
  CallbackRequest r{.method = "POST",
                    .headers = {{"content-type", "application/x-www-form-urlencoded"}},
                    .body = kFormBody};
  auto hook = ParseOutgoingWebhook(r);
  ASSERT_TRUE(hook.ok()) << hook.error().message;
  EXPECT_EQ(hook->token, "zmigewsanbbsdf59xnmduzypjc");
  EXPECT_EQ(hook->channel_name, "town-square");
  EXPECT_EQ(hook->team_domain, "someteam");
  EXPECT_EQ(hook->text, "#build Let's see the status");
  EXPECT_EQ(hook->trigger_word, "#build");
  EXPECT_EQ(hook->user_name, "somename");
  EXPECT_EQ(hook->timestamp_ms, 1445532266000);  // seconds in the form
  EXPECT_EQ(hook->file_ids, (std::vector<std::string>{"f1", "f2"}));
}

TEST(OutgoingWebhookTest, ParsesTheJsonRequest) {
  CallbackRequest r{.method = "POST",
                    .headers = {{"content-type", "application/json; charset=utf-8"}},
                    .body = R"({"token":"tok","channel_id":"c","channel_name":"dev",
                      "timestamp":1445532266123,"user_name":"u","text":"#build server",
                      "trigger_word":"#build","file_ids":""})"};
  auto hook = ParseOutgoingWebhook(r);
  ASSERT_TRUE(hook.ok()) << hook.error().message;
  EXPECT_EQ(hook->timestamp_ms, 1445532266123);  // milliseconds in JSON
  EXPECT_EQ(hook->text, "#build server");
  EXPECT_TRUE(hook->file_ids.empty());
}

TEST(OutgoingWebhookTest, NoContentTypeMeansForm) {
  auto hook = ParseOutgoingWebhook({.method = "POST", .body = "token=t&text=hi"});
  ASSERT_TRUE(hook.ok());
  EXPECT_EQ(hook->text, "hi");
}

TEST(OutgoingWebhookTest, ClearErrors) {
  EXPECT_EQ(ParseOutgoingWebhook({.headers = {{"content-type", "text/xml"}}, .body = "<x/>"})
                .error()
                .code,
            "unsupported_media_type");
  EXPECT_EQ(ParseOutgoingWebhook({.headers = {{"content-type", "application/json"}}, .body = "{"})
                .error()
                .code,
            "invalid_json");
  auto wrong = ParseOutgoingWebhook(
      {.headers = {{"content-type", "application/json"}}, .body = R"({"text":5})"});
  EXPECT_EQ(wrong.error().field, "text");
}

TEST(OutgoingWebhookTest, ReplyLeavesOutEmptyFields) {
  EXPECT_EQ(OutgoingWebhookReplyJson({.text = "hi"}), R"({"text":"hi"})");
  EXPECT_EQ(OutgoingWebhookReplyJson({.text = "hi", .username = "bot", .response_type = "comment"}),
            R"({"text":"hi","username":"bot","response_type":"comment"})");
}

}  // namespace
}  // namespace hookbroker::testing
