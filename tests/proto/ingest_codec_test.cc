#include "proto/ingest_codec.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "proto/limits.h"

namespace hookbroker {
namespace {

constexpr std::string_view kEvent = R"({"eventType":"MemberAdded","groupId":"g1","eventId":"e1"})";

std::string Batch(std::size_t n) {
  std::string out = "[";
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) out += ",";
    out += R"({"eventType":"MemberAdded","groupId":"g"})";
  }
  return out + "]";
}

TEST(IngestCodecTest, DecodesSingleObject) {
  Result<IngestRequest> request = DecodeIngestFrame(kEvent);
  ASSERT_TRUE(request.ok());
  ASSERT_EQ(request->events.size(), 1u);
  ASSERT_EQ(request->rejected_ids.size(), 1u);
  ASSERT_TRUE(request->events[0].ok());
  EXPECT_EQ(request->events[0]->id.value(), "e1");
  EXPECT_EQ(request->rejected_ids[0], "");
}

TEST(IngestCodecTest, DecodesBatchInOrderWithPerEventResults) {
  Result<IngestRequest> request = DecodeIngestFrame(R"([
    {"eventType":"MemberAdded","groupId":"g1","eventId":"ok-1"},
    {"eventType":"MemberAdded","eventId":"bad-1"},
    7,
    {"eventType":"bad type","groupId":"g1","eventId":5},
    {"eventType":"GroupAdded","groupId":"g2"}])");
  ASSERT_TRUE(request.ok());
  ASSERT_EQ(request->events.size(), 5u);
  ASSERT_EQ(request->rejected_ids.size(), 5u);
  EXPECT_TRUE(request->events[0].ok());
  ASSERT_FALSE(request->events[1].ok());
  EXPECT_EQ(request->events[1].error().field, "groupId");
  EXPECT_EQ(request->rejected_ids[1], "bad-1");
  EXPECT_FALSE(request->events[2].ok());
  EXPECT_EQ(request->rejected_ids[2], "");
  ASSERT_FALSE(request->events[3].ok());
  EXPECT_EQ(request->rejected_ids[3], "");  // eventId was not a string
  ASSERT_TRUE(request->events[4].ok());
  EXPECT_EQ(request->events[4]->type, "GroupAdded");
  EXPECT_EQ(request->rejected_ids[4], "");
}

TEST(IngestCodecTest, TruncatesLongRejectedIds) {
  const std::string long_id(300, 'x');
  Result<IngestRequest> request =
      DecodeIngestFrame(R"({"eventType":"MemberAdded","eventId":")" + long_id + R"("})");
  ASSERT_TRUE(request.ok());
  ASSERT_FALSE(request->events[0].ok());
  EXPECT_EQ(request->rejected_ids[0], std::string(limits::kMaxEventIdLength, 'x'));
}

TEST(IngestCodecTest, RejectsInvalidJson) {
  for (std::string_view frame : {"", "{", "{\"a\":1,}", "nope", "{} {}", "\xff"}) {
    Result<IngestRequest> request = DecodeIngestFrame(frame);
    ASSERT_FALSE(request.ok()) << frame;
    EXPECT_EQ(request.error().code, "invalid_json") << frame;
    EXPECT_TRUE(request.error().message.starts_with("frame is not valid JSON: "))
        << request.error().message;
  }
}

TEST(IngestCodecTest, RejectsTooDeepJson) {
  const std::string deep =
      std::string(limits::kMaxJsonDepth + 1, '[') + std::string(limits::kMaxJsonDepth + 1, ']');
  Result<IngestRequest> request = DecodeIngestFrame(deep);
  ASSERT_FALSE(request.ok());
  EXPECT_EQ(request.error().code, "invalid_json");
}

TEST(IngestCodecTest, AcceptsNestingUpToTheDepthLimit) {
  std::string nested = "1";
  // The event object and `data` take two levels.
  for (std::size_t i = 0; i + 2 < limits::kMaxJsonDepth; ++i) nested = "[" + nested + "]";
  Result<IngestRequest> request =
      DecodeIngestFrame(R"({"eventType":"MemberAdded","groupId":"g","data":{"x":)" + nested + "}}");
  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_TRUE(request->events[0].ok());
}

TEST(IngestCodecTest, RejectsOversizedFrame) {
  const std::string frame(limits::kMaxIngestFrameBytes + 1, ' ');
  Result<IngestRequest> request = DecodeIngestFrame(frame);
  ASSERT_FALSE(request.ok());
  EXPECT_EQ(request.error().code, "frame_too_large");
}

TEST(IngestCodecTest, RejectsEmptyBatch) {
  Result<IngestRequest> request = DecodeIngestFrame("[]");
  ASSERT_FALSE(request.ok());
  EXPECT_EQ(request.error().message, "empty batch");
}

TEST(IngestCodecTest, AcceptsBatchAtTheLimit) {
  Result<IngestRequest> request = DecodeIngestFrame(Batch(limits::kMaxBatchEvents));
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->events.size(), limits::kMaxBatchEvents);
}

TEST(IngestCodecTest, RejectsBatchOverTheLimit) {
  Result<IngestRequest> request = DecodeIngestFrame(Batch(limits::kMaxBatchEvents + 1));
  ASSERT_FALSE(request.ok());
  EXPECT_EQ(request.error().message, "batch of 1001 events exceeds the limit of 1000");
}

TEST(IngestCodecTest, RejectsFramesThatAreNeitherObjectNorArray) {
  for (std::string_view frame : {"1", "\"event\"", "null", "true"}) {
    Result<IngestRequest> request = DecodeIngestFrame(frame);
    ASSERT_FALSE(request.ok()) << frame;
    EXPECT_FALSE(request.error().message.empty());
  }
}

TEST(IngestCodecTest, NamesStatuses) {
  EXPECT_EQ(ToString(IngestStatus::kAccepted), "accepted");
  EXPECT_EQ(ToString(IngestStatus::kDuplicate), "duplicate");
  EXPECT_EQ(ToString(IngestStatus::kRejected), "rejected");
}

TEST(IngestCodecTest, EncodesReplyInRequestOrder) {
  const std::string reply = EncodeIngestReply({
      {"e1", IngestStatus::kAccepted, 3, ""},
      {"e2", IngestStatus::kDuplicate, 0, ""},
      {"e3", IngestStatus::kRejected, 0, "groupId is required"},
      {"", IngestStatus::kRejected, 0, "an event must be a JSON object"},
  });
  EXPECT_EQ(reply, R"({"results":[{"eventId":"e1","status":"accepted","deliveries":3},)"
                   R"({"eventId":"e2","status":"duplicate","deliveries":0},)"
                   R"({"eventId":"e3","status":"rejected","error":"groupId is required"},)"
                   R"({"status":"rejected","error":"an event must be a JSON object"}]})");
}

TEST(IngestCodecTest, ReplyEscapesIdsAndErrors) {
  const std::string id = "q\"uo\\te\u00e9\x01";
  const std::string error = "eventId: \"bad\"\n";
  const std::string reply = EncodeIngestReply({{id, IngestStatus::kRejected, 0, error}});
  const boost::json::value parsed = boost::json::parse(reply);
  const boost::json::object& item = parsed.at("results").at(0).as_object();
  EXPECT_EQ(item.at("eventId").as_string(), id);
  EXPECT_EQ(item.at("error").as_string(), error);
  EXPECT_EQ(item.at("status").as_string(), "rejected");
}

TEST(IngestCodecTest, EncodesEmptyReply) { EXPECT_EQ(EncodeIngestReply({}), R"({"results":[]})"); }

TEST(IngestCodecTest, EncodesFrameErrorWithEscaping) {
  const std::string reply = EncodeIngestError("bad \"frame\"\n");
  EXPECT_EQ(boost::json::parse(reply), boost::json::parse(R"({"error":"bad \"frame\"\n"})"));
}

}  // namespace
}  // namespace hookbroker
