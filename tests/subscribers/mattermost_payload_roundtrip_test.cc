// The broker's outgoing payload (proto/mattermost_payload.h) read back by the receiver side's
// parser (subscribers/outgoing_webhook.h), in both encodings: what one writes the other reads.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "proto/mattermost_payload.h"
#include "subscribers/outgoing_webhook.h"

namespace hookbroker::testing {
namespace {

using subscribers::CallbackRequest;
using subscribers::OutgoingWebhookRequest;
using subscribers::ParseOutgoingWebhook;

MattermostPayload Sample() {
  Result<Event> event = ParseEvent(boost::json::parse(R"({"eventId":"ev-9",
      "eventType":"TextMessageCreated","groupId":"chan-1","timestamp":1700000000123,
      "fromUserId":"u-1","fromUserName":"Ann Lee",
      "data":{"text":"#deploy prod & staging = 100% done?\nsecond line é",
              "fileIds":["file-a","file-b","file-c"]}})"));
  EXPECT_TRUE(event.ok());
  return MattermostPayloadFromEvent(
      *event, {.name = "ops room", .team_id = "team-1", .team_domain = "acme"},
      "abcdefghijklmnopqrstuvwxyz", "#deploy");
}

void ExpectSame(const MattermostPayload& sent, const OutgoingWebhookRequest& got) {
  EXPECT_EQ(got.token, sent.token);
  EXPECT_EQ(got.team_id, sent.team_id);
  EXPECT_EQ(got.team_domain, sent.team_domain);
  EXPECT_EQ(got.channel_id, sent.channel_id);
  EXPECT_EQ(got.channel_name, sent.channel_name);
  EXPECT_EQ(got.user_id, sent.user_id);
  EXPECT_EQ(got.user_name, sent.user_name);
  EXPECT_EQ(got.post_id, sent.post_id);
  EXPECT_EQ(got.text, sent.text);
  EXPECT_EQ(got.trigger_word, sent.trigger_word);
  EXPECT_EQ(got.file_ids, sent.file_ids);
}

Result<OutgoingWebhookRequest> ParseBack(std::string_view content_type, std::string body) {
  CallbackRequest r{.method = "POST",
                    .headers = {{"content-type", std::string(content_type)}},
                    .body = std::move(body)};
  return ParseOutgoingWebhook(r);
}

TEST(MattermostPayloadRoundTripTest, FormBodyParsesBackWithSecondPrecision) {
  const MattermostPayload sent = Sample();
  auto got = ParseBack(kFormContentType, MattermostFormBody(sent));
  ASSERT_TRUE(got.ok()) << got.error().message;
  ExpectSame(sent, *got);
  EXPECT_EQ(got->timestamp_ms, 1700000000000);  // the form carries whole seconds
}

TEST(MattermostPayloadRoundTripTest, JsonBodyParsesBackWithMilliseconds) {
  const MattermostPayload sent = Sample();
  auto got = ParseBack(kJsonContentType, MattermostJsonBody(sent));
  ASSERT_TRUE(got.ok()) << got.error().message;
  ExpectSame(sent, *got);
  EXPECT_EQ(got->timestamp_ms, 1700000000123);
}

TEST(MattermostPayloadRoundTripTest, EmptyFileIdsStayEmpty) {
  MattermostPayload sent = Sample();
  sent.file_ids.clear();
  for (const auto& [type, body] : {std::pair{kFormContentType, MattermostFormBody(sent)},
                                   std::pair{kJsonContentType, MattermostJsonBody(sent)}}) {
    auto got = ParseBack(type, body);
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_TRUE(got->file_ids.empty()) << type;
  }
}

}  // namespace
}  // namespace hookbroker::testing
