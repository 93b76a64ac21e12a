// EventText: the line a person reads for each Kaizala event type (DIALECTS.md's `data`).
#include "proto/event_text.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace hookbroker {
namespace {

std::string Text(const char* event) { return EventText(boost::json::parse(event).as_object()); }

TEST(EventTextTest, MessagesAndAnnouncementsShowTheirText) {
  EXPECT_EQ(Text(R"({"eventType":"TextMessageCreated","data":{"text":"hi\nthere"}})"), "hi\nthere");
  EXPECT_EQ(Text(R"({"eventType":"Announcement","data":{"title":"Outage","text":"at 5"}})"),
            "Outage\nat 5");
  EXPECT_EQ(Text(R"({"eventType":"Announcement","data":{"text":"at 5"}})"), "at 5");
}

TEST(EventTextTest, AttachmentPrefersCaptionThenTextThenFileNames) {
  EXPECT_EQ(Text(R"({"eventType":"AttachmentCreated","data":{"caption":"c","text":"t"}})"), "c");
  EXPECT_EQ(Text(R"({"eventType":"AttachmentCreated","data":{"text":"t"}})"), "t");
  EXPECT_EQ(Text(R"({"eventType":"AttachmentCreated","data":{"media":[
      {"mediaFileName":"a.png","mediaUrl":"u1"},{"mediaUrl":"https://x/b"},7]}})"),
            "shared a.png, https://x/b");
  EXPECT_EQ(Text(R"({"eventType":"AttachmentCreated","data":{}})"), "shared an attachment");
}

TEST(EventTextTest, ActionsJobsAndResponsesNameWhoAndWhat) {
  EXPECT_EQ(Text(R"({"eventType":"JobCreated","data":{"title":"Fix pump"}})"), "new job: Fix pump");
  EXPECT_EQ(Text(R"({"eventType":"SurveyCreated","data":{"actionId":"s-1"}})"), "new survey s-1");
  EXPECT_EQ(Text(R"({"eventType":"ActionCreated","data":{}})"), "new action");
  EXPECT_EQ(
      Text(R"({"eventType":"SurveyResponse","data":{"actionId":"s-1","responderName":"Ann"}})"),
      "Ann responded to survey s-1");
  EXPECT_EQ(Text(R"({"eventType":"ActionResponse","fromUserName":"Bo","data":{"actionId":"a"}})"),
            "Bo responded to action a");
  EXPECT_EQ(Text(R"({"eventType":"JobResponse","data":{"actionId":"j-2","responseDetails":
      {"response":{"assigneeName":"Cy","isCompleted":true}}}})"),
            "Cy completed job j-2");
  EXPECT_EQ(Text(R"({"eventType":"JobResponse","fromUserId":"u9","data":{"actionId":"j-2"}})"),
            "u9 updated job j-2");
}

TEST(EventTextTest, MembersJoinAndLeave) {
  EXPECT_EQ(Text(R"({"eventType":"MemberAdded","data":{"member":"+91","memberName":"Ravi"}})"),
            "Ravi joined the group");
  EXPECT_EQ(Text(R"({"eventType":"MemberRemoved","data":{"member":"+91"}})"), "+91 left the group");
  EXPECT_EQ(Text(R"({"eventType":"MemberRemoved"})"), "a member left the group");
}

TEST(EventTextTest, OtherTypesUseTextElseTheTypeAndNeverEmpty) {
  EXPECT_EQ(Text(R"({"eventType":"build.failed","data":{"text":"main is red"}})"), "main is red");
  EXPECT_EQ(Text(R"({"eventType":"GroupAdded"})"), "GroupAdded");
  EXPECT_EQ(Text(R"({"eventType":"TextMessageCreated","data":{"text":""}})"), "TextMessageCreated");
  EXPECT_EQ(Text(R"({"data":"not an object"})"), "event");
}

TEST(EventTextTest, ActorIsTheBestKnownNameOfTheSender) {
  auto actor = [](const char* e) {
    return std::string(EventActor(boost::json::parse(e).as_object()));
  };
  EXPECT_EQ(actor(R"({"fromUserName":"Ann","fromUserId":"u","fromUser":"+1"})"), "Ann");
  EXPECT_EQ(actor(R"({"fromUserId":"u","fromUser":"+1"})"), "u");
  EXPECT_EQ(actor(R"({"fromUser":"+1","fromUserName":7})"), "+1");
  EXPECT_EQ(actor("{}"), "");
}

}  // namespace
}  // namespace hookbroker
