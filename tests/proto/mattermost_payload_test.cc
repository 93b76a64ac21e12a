#include "proto/mattermost_payload.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace hookbroker::testing {
namespace {

Event ChatEvent(std::string_view json) {
  Result<Event> event = ParseEvent(boost::json::parse(json));
  EXPECT_TRUE(event.ok()) << event.error().message;
  return std::move(event).value();
}

// The seed's example message (seeds/002): "#build Let's see the status" in town-square.
Event SeedEvent() {
  return ChatEvent(R"({"eventId":"ev-1","eventType":"TextMessageCreated",
      "groupId":"hawos4dqtby53pd64o4a4cmeoo","timestamp":1445532266789,
      "fromUserId":"rnina9994bde8mua79zqcg5hmo","fromUserName":"somename",
      "data":{"text":"#build Let's see the status","postId":"p0st1d",
              "fileIds":["f1","f2"]}})");
}

const MattermostChannelNames kTownSquare{
    .name = "town-square", .team_id = "kwoknj9nwpypzgzy78wkw516qe", .team_domain = "someteam"};

TEST(MattermostPayloadTest, TakesEveryFieldFromTheEventChannelAndHook) {
  MattermostPayload p =
      MattermostPayloadFromEvent(SeedEvent(), kTownSquare, "zmigewsanbbsdf59xnmduzypjc", "#build");
  EXPECT_EQ(p.token, "zmigewsanbbsdf59xnmduzypjc");
  EXPECT_EQ(p.team_id, "kwoknj9nwpypzgzy78wkw516qe");
  EXPECT_EQ(p.team_domain, "someteam");
  EXPECT_EQ(p.channel_id, "hawos4dqtby53pd64o4a4cmeoo");
  EXPECT_EQ(p.channel_name, "town-square");
  EXPECT_EQ(p.timestamp_ms, 1445532266789);
  EXPECT_EQ(p.user_id, "rnina9994bde8mua79zqcg5hmo");
  EXPECT_EQ(p.user_name, "somename");
  EXPECT_EQ(p.post_id, "p0st1d");
  EXPECT_EQ(p.text, "#build Let's see the status");
  EXPECT_EQ(p.trigger_word, "#build");
  EXPECT_EQ(p.file_ids, (std::vector<std::string>{"f1", "f2"}));
}

TEST(MattermostPayloadTest, FallsBackToEventIdAndGroupNameAndIgnoresMistypedFields) {
  Event e = ChatEvent(R"({"eventId":"ev-2","eventType":"TextMessageCreated","groupId":"g",
      "groupName":"dev-chat","data":{"text":["no"],"fileIds":"f1"}})");
  MattermostPayload p = MattermostPayloadFromEvent(e, {}, "tok", "");
  EXPECT_EQ(p.post_id, "ev-2");
  EXPECT_EQ(p.channel_name, "dev-chat");
  EXPECT_EQ(p.user_name, "");
  EXPECT_EQ(p.text, "");
  EXPECT_TRUE(p.file_ids.empty());
  EXPECT_EQ(p.trigger_word, "");
}

TEST(MattermostPayloadTest, FormBodyIsAlphabeticalWithSecondsAndJoinedFileIds) {
  MattermostPayload p =
      MattermostPayloadFromEvent(SeedEvent(), kTownSquare, "zmigewsanbbsdf59xnmduzypjc", "#build");
  EXPECT_EQ(MattermostFormBody(p),
            "channel_id=hawos4dqtby53pd64o4a4cmeoo&channel_name=town-square&file_ids=f1%2Cf2&"
            "post_id=p0st1d&team_domain=someteam&team_id=kwoknj9nwpypzgzy78wkw516qe&"
            "text=%23build+Let%27s+see+the+status&timestamp=1445532266&"
            "token=zmigewsanbbsdf59xnmduzypjc&trigger_word=%23build&"
            "user_id=rnina9994bde8mua79zqcg5hmo&user_name=somename");
}

TEST(MattermostPayloadTest, JsonBodyHasMillisecondsAndEveryField) {
  MattermostPayload p =
      MattermostPayloadFromEvent(SeedEvent(), kTownSquare, "zmigewsanbbsdf59xnmduzypjc", "#build");
  boost::json::object body = boost::json::parse(MattermostJsonBody(p)).as_object();
  EXPECT_EQ(body.size(), 12u);
  EXPECT_EQ(body.at("timestamp").as_int64(), 1445532266789);
  EXPECT_EQ(body.at("file_ids").as_string(), "f1,f2");
  EXPECT_EQ(body.at("text").as_string(), "#build Let's see the status");
  EXPECT_EQ(body.at("token").as_string(), "zmigewsanbbsdf59xnmduzypjc");
  EXPECT_EQ(body.at("channel_name").as_string(), "town-square");
  EXPECT_EQ(body.at("trigger_word").as_string(), "#build");
}

}  // namespace
}  // namespace hookbroker::testing
