#include "subscribers/callback_event.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "proto/event.h"

namespace hookbroker::testing {
namespace {

namespace json = boost::json;
using namespace subscribers;

std::string Envelope(const std::string& type, json::object data) {
  return json::serialize(json::object{{"subscriptionId", "s-1"},
                                      {"objectId", "g1"},
                                      {"objectType", "Group"},
                                      {"eventType", type},
                                      {"eventId", "e-1"},
                                      {"data", std::move(data)},
                                      {"context", "ctx"},
                                      {"fromUser", "+911234"},
                                      {"fromUserId", "u-1"},
                                      {"fromUserName", "Asha"},
                                      {"fromUserProfilePic", "https://pic.example/a.png"},
                                      {"timestamp", 1700000000123}});
}

CallbackEvent Parse(const std::string& body) {
  auto e = ParseCallbackEvent(body);
  EXPECT_TRUE(e.ok()) << e.error().message;
  return *std::move(e);
}

TEST(CallbackEventTest, ParsesTheEnvelope) {
  CallbackEvent e = Parse(Envelope("TextMessageCreated", {{"text", "hello"}}));
  EXPECT_EQ(e.subscription_id, "s-1");
  EXPECT_EQ(e.object_id, "g1");
  EXPECT_EQ(e.object_type, "Group");
  EXPECT_EQ(e.event_type, "TextMessageCreated");
  EXPECT_EQ(e.kind, EventKind::kTextMessageCreated);
  EXPECT_EQ(e.event_id, "e-1");
  EXPECT_EQ(e.context, "ctx");
  EXPECT_EQ(e.from_user, "+911234");
  EXPECT_EQ(e.from_user_id, "u-1");
  EXPECT_EQ(e.from_user_name, "Asha");
  EXPECT_EQ(e.from_user_profile_pic, "https://pic.example/a.png");
  EXPECT_EQ(e.timestamp_ms, 1700000000123);
  ASSERT_TRUE(std::holds_alternative<TextMessageData>(e.typed));
  EXPECT_EQ(std::get<TextMessageData>(e.typed).text, "hello");
  EXPECT_EQ(e.data.at("text").as_string(), "hello");
}

TEST(CallbackEventTest, EveryKaizalaTypeHasItsKind) {
  for (std::size_t i = 0; i < kKaizalaEventTypes.size(); ++i) {
    CallbackEvent e = Parse(Envelope(std::string(kKaizalaEventTypes[i]), {}));
    EXPECT_EQ(static_cast<std::size_t>(e.kind), i) << kKaizalaEventTypes[i];
  }
  EXPECT_EQ(EventKindFromName("textmessagecreated"), EventKind::kCustom);
}

TEST(CallbackEventTest, AttachmentAndAnnouncementCarryMedia) {
  json::array media = {json::object{{"mediaUrl", "https://m/1.jpg"}, {"mediaFileName", "1.jpg"}}};
  auto a = std::get<AttachmentData>(
      Parse(Envelope("AttachmentCreated",
                     {{"media", media}, {"actionType", "Image"}, {"caption", "look"}}))
          .typed);
  ASSERT_EQ(a.media.size(), 1u);
  EXPECT_EQ(a.media[0].media_url, "https://m/1.jpg");
  EXPECT_EQ(a.media[0].media_file_name, "1.jpg");
  EXPECT_EQ(a.action_type, "Image");
  EXPECT_EQ(a.caption, "look");

  auto n = std::get<AnnouncementData>(
      Parse(Envelope("Announcement", {{"title", "T"}, {"text", "body"}, {"media", media}})).typed);
  EXPECT_EQ(n.title, "T");
  EXPECT_EQ(n.text, "body");
  EXPECT_EQ(n.media.size(), 1u);
}

TEST(CallbackEventTest, JobCreatedAndJobResponse) {
  auto j = std::get<JobCreatedData>(
      Parse(Envelope("JobCreated", {{"title", "Fix it"},
                                    {"dueDate", 1700000999000},
                                    {"actionId", "a-1"},
                                    {"groupId", "g1"},
                                    {"assignedTo", json::array{"u-1", "u-2"}}}))
          .typed);
  EXPECT_EQ(j.title, "Fix it");
  EXPECT_EQ(j.due_date.value_or(0), 1700000999000);
  EXPECT_EQ(j.action_id, "a-1");
  EXPECT_EQ(j.assigned_to, (std::vector<std::string>{"u-1", "u-2"}));

  json::object response = {{"assignee", "u-1"},
                           {"assigneeName", "Ravi"},
                           {"assigneeProfilePic", "p"},
                           {"isCompleted", true}};
  auto r = std::get<JobResponseData>(
      Parse(Envelope("JobResponse", {{"actionId", "a-1"},
                                     {"groupId", "g1"},
                                     {"responseId", "r-1"},
                                     {"responseDetails", json::object{{"response", response}}}}))
          .typed);
  EXPECT_EQ(r.response_id, "r-1");
  EXPECT_EQ(r.assignee, "u-1");
  EXPECT_EQ(r.assignee_name, "Ravi");
  EXPECT_TRUE(r.is_completed);
}

TEST(CallbackEventTest, SurveyResponseCarriesItsAnswers) {
  json::array questions = {
      json::object{{"title", "Colour?"},
                   {"type", "SingleOption"},
                   {"options", json::array{"red", "blue"}},
                   {"answer", "red"}},
      json::object{{"title", "How many?"}, {"type", "Numeric"}, {"answer", 3}}};
  for (const char* type : {"ActionCreated", "ActionResponse", "SurveyCreated", "SurveyResponse"}) {
    auto s = std::get<ActionData>(
        Parse(Envelope(type,
                       {{"actionId", "a-1"},
                        {"responseId", "r-9"},
                        {"isUpdateResponse", true},
                        {"responder", "+91"},
                        {"responderName", "Meera"},
                        {"isAnonymous", false},
                        {"responseDetails", json::object{{"responseWithQuestions", questions}}}}))
            .typed);
    EXPECT_EQ(s.response_id, "r-9") << type;
    EXPECT_TRUE(s.is_update_response);
    EXPECT_EQ(s.responder_name, "Meera");
    ASSERT_EQ(s.questions.size(), 2u);
    EXPECT_EQ(s.questions[0].title, "Colour?");
    EXPECT_EQ(s.questions[0].options.size(), 2u);
    EXPECT_EQ(s.questions[0].answer.as_string(), "red");
    EXPECT_EQ(s.questions[1].answer.as_int64(), 3);
  }
}

TEST(CallbackEventTest, MemberEvents) {
  for (const char* type : {"MemberAdded", "MemberRemoved"}) {
    auto m = std::get<MemberData>(
        Parse(Envelope(type, {{"member", "+91"}, {"memberName", "Ravi"}, {"type", "Member"}}))
            .typed);
    EXPECT_EQ(m.member, "+91");
    EXPECT_EQ(m.member_name, "Ravi");
    EXPECT_EQ(m.type, "Member");
  }
}

TEST(CallbackEventTest, GroupEventsAndCustomTypesKeepRawJson) {
  for (const char* type : {"GroupAdded", "GroupRemoved", "InvoicePaid"}) {
    CallbackEvent e = Parse(Envelope(type, {{"amount", 12}, {"nested", json::object{{"k", 1}}}}));
    ASSERT_TRUE(std::holds_alternative<RawData>(e.typed)) << type;
    EXPECT_EQ(std::get<RawData>(e.typed).json.at("amount").as_int64(), 12);
  }
  EXPECT_EQ(Parse(Envelope("InvoicePaid", {})).kind, EventKind::kCustom);
}

TEST(CallbackEventTest, AbsentOptionalFieldsAreEmpty) {
  CallbackEvent e = Parse(R"({"eventType":"MemberAdded","eventId":"e-2"})");
  EXPECT_EQ(e.context, "");
  EXPECT_EQ(e.timestamp_ms, 0);
  EXPECT_EQ(std::get<MemberData>(e.typed).member, "");
}

// Found by fuzz/callback_event_fuzzer (corpus/callback_event/empty-event-id.json): a present but
// empty eventId was accepted, leaving a receiver nothing to deduplicate on.
TEST(CallbackEventTest, EmptyEventIdOrTypeIsRefused) {
  auto no_id = ParseCallbackEvent(R"({"eventType":"TextMessageCreated","eventId":""})");
  ASSERT_FALSE(no_id.ok());
  EXPECT_EQ(no_id.error().code, "invalid_field");
  EXPECT_EQ(no_id.error().field, "eventId");
  auto no_type = ParseCallbackEvent(R"({"eventType":"","eventId":"e-1"})");
  ASSERT_FALSE(no_type.ok());
  EXPECT_EQ(no_type.error().field, "eventType");
}

TEST(CallbackEventTest, ClearErrorsForBadBodies) {
  auto not_json = ParseCallbackEvent("{nope");
  ASSERT_FALSE(not_json.ok());
  EXPECT_EQ(not_json.error().code, "invalid_json");
  EXPECT_EQ(ParseCallbackEvent("[1,2]").error().code, "invalid_json");

  auto missing = ParseCallbackEvent(R"({"eventId":"e"})");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "missing_field");
  EXPECT_EQ(missing.error().field, "eventType");

  auto wrong_type = ParseCallbackEvent(Envelope("TextMessageCreated", {{"text", 5}}));
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_EQ(wrong_type.error().code, "invalid_field");
  EXPECT_EQ(wrong_type.error().field, "data.text");
  EXPECT_EQ(wrong_type.error().message, "data.text: must be a string");

  auto media = ParseCallbackEvent(Envelope("AttachmentCreated", {{"media", json::array{1}}}));
  ASSERT_FALSE(media.ok());
  EXPECT_EQ(media.error().field, "data.media[0]");

  auto nested = ParseCallbackEvent(Envelope(
      "JobResponse",
      {{"responseDetails", json::object{{"response", json::object{{"isCompleted", "yes"}}}}}}));
  ASSERT_FALSE(nested.ok());
  EXPECT_EQ(nested.error().field, "data.responseDetails.response.isCompleted");

  auto data = ParseCallbackEvent(R"({"eventType":"X","eventId":"e","data":[]})");
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.error().field, "data");
}

}  // namespace
}  // namespace hookbroker::testing
