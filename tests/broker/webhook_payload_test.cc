#include "broker/webhook_payload.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace hookbroker {
namespace {

namespace json = boost::json;

TEST(WebhookPayloadTest, JsonWithEveryField) {
  auto p = ParseIncomingPayload("application/json; charset=utf-8", R"({
    "text":"Hello, text1\nText2.","channel":"#town-square","username":"System Monitor",
    "icon_url":"https://cdn.example/i.png","icon_emoji":":rocket:",
    "attachments":[{"fallback":"f","color":"good","fields":[{"title":"a","value":"b","short":true}]}],
    "props":{"card":"x"},"type":"custom_build","priority":{"priority":"urgent"},
    "mrkdwn":true,"blocks":[]})");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->text, "Hello, text1\nText2.");
  EXPECT_EQ(p->channel, "#town-square");
  EXPECT_EQ(p->username, "System Monitor");
  EXPECT_EQ(p->icon_url, "https://cdn.example/i.png");
  EXPECT_EQ(p->icon_emoji, ":rocket:");
  ASSERT_TRUE(p->attachments.has_value());
  EXPECT_EQ(p->attachments->at(0).at("color"), "good");
  EXPECT_EQ(p->props.at("card"), "x");
  EXPECT_EQ(p->type, "custom_build");
  ASSERT_TRUE(p->priority.has_value());
  EXPECT_EQ(p->priority->at("priority"), "urgent");
}

TEST(WebhookPayloadTest, RawNewlinesAndTabsInsideStringsAreTolerated) {
  auto p = ParseIncomingPayload("application/json", "{\"text\": \"line 1\nline 2\tend\r\"}");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->text, "line 1\nline 2\tend\r");
  EXPECT_EQ(EscapeControlCharsInStrings("{\"a\":\"x\ny\\\"\x01\"}\n"),
            "{\"a\":\"x\\ny\\\"\\u0001\"}\n");
}

TEST(WebhookPayloadTest, NoContentTypeTakesPayloadFormOrJson) {
  auto form = ParseIncomingPayload("", R"(payload={"text": "Hello, text1\nText2."})");
  ASSERT_TRUE(form.ok()) << form.error().message;
  EXPECT_EQ(form->text, "Hello, text1\nText2.");
  auto plain = ParseIncomingPayload("", R"({"text":"json"})");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->text, "json");
}

TEST(WebhookPayloadTest, UrlEncodedFormReadsThePayloadField) {
  auto p = ParseIncomingPayload("application/x-www-form-urlencoded",
                                "other=1&payload=%7B%22text%22%3A%22a+b%20%26%20c%22%7D");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->text, "a b & c");
  // curl -d sends the JSON unencoded with this content type.
  auto raw = ParseIncomingPayload("application/x-www-form-urlencoded",
                                  R"(payload={"text": "Hello, text1\nText2."})");
  ASSERT_TRUE(raw.ok()) << raw.error().message;
  EXPECT_EQ(raw->text, "Hello, text1\nText2.");
  auto none = ParseIncomingPayload("application/x-www-form-urlencoded", "text=hi");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, "invalid_payload");
}

TEST(WebhookPayloadTest, MultipartFieldsOrAPayloadField) {
  auto p = ParseIncomingPayload("multipart/form-data; boundary=x", "",
                                {{"text", "from a form"},
                                 {"channel", "ops"},
                                 {"attachments", R"([{"text":"a"}])"},
                                 {"props", R"({"k":"v"})"}});
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->text, "from a form");
  EXPECT_EQ(p->channel, "ops");
  EXPECT_EQ(p->attachments->size(), 1u);
  EXPECT_EQ(p->props.at("k"), "v");
  auto wrapped = ParseIncomingPayload("multipart/form-data; boundary=x", "",
                                      {{"payload", R"({"text":"wrapped"})"}});
  ASSERT_TRUE(wrapped.ok());
  EXPECT_EQ(wrapped->text, "wrapped");
  auto bad = ParseIncomingPayload("multipart/form-data; boundary=x", "",
                                  {{"text", "t"}, {"attachments", "[{"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("attachments"), std::string::npos);
  // Form fields do not pass the JSON parser's UTF-8 check: a bad byte is the caller's 400.
  auto latin1 = ParseIncomingPayload("multipart/form-data; boundary=x", "", {{"text", "caf\xe9"}});
  ASSERT_FALSE(latin1.ok());
  EXPECT_EQ(latin1.error().code, "invalid_payload");
  EXPECT_NE(latin1.error().message.find("text: not valid UTF-8"), std::string::npos);
}

TEST(WebhookPayloadTest, NullFieldsAreAbsentAndWrongTypesAreErrors) {
  auto p = ParseIncomingPayload("application/json",
                                R"({"text":"t","channel":null,"attachments":null,"props":null})");
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->attachments.has_value());
  EXPECT_TRUE(p->props.empty());
  for (const char* body : {R"({"text":5})", R"({"text":"t","attachments":{}})",
                           R"({"text":"t","props":[]})", R"({"text":"t","priority":"high"})",
                           R"(["text"])", "not json", "{\"text\":\"unterminated"}) {
    auto r = ParseIncomingPayload("application/json", body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().code, "invalid_payload") << body;
  }
}

TEST(WebhookPayloadTest, PriorityIsMattermostsShape) {
  auto ok =
      ParseIncomingPayload("application/json",
                           R"({"text":"t","priority":{"priority":"important","requested_ack":true,
          "persistent_notifications":false}})");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->priority->at("requested_ack"), true);
  for (const char* priority :
       {R"({"priority":"high"})", R"({"requested_ack":"yes"})", R"({"colour":"red"})"}) {
    auto r = ParseIncomingPayload("application/json",
                                  std::string(R"({"text":"t","priority":)") + priority + "}");
    ASSERT_FALSE(r.ok()) << priority;
    EXPECT_NE(r.error().message.find("priority."), std::string::npos) << r.error().message;
  }
}

TEST(WebhookPayloadTest, FormFieldDecodes) {
  EXPECT_EQ(FormField("a=1&b=x%2By+z", "b"), "x+y z");
  EXPECT_EQ(FormField("a=1&b", "b"), "");
  EXPECT_EQ(FormField("a=%zz", "a"), "%zz");
  EXPECT_EQ(FormField("a=1", "b"), std::nullopt);
}

}  // namespace
}  // namespace hookbroker
