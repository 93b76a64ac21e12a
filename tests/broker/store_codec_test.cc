#include "broker/store_codec.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <random>
#include <string>

namespace hookbroker::codec {
namespace {

TEST(StoreCodecTest, EventRecordKeepsTimeIdAndJsonAndRefusesTruncatedBytes) {
  std::string record = "left over from the last event";
  EncodeEventRecord(1'700'000'000'123, "evt-1", R"({"eventId":"evt-1"})", &record);
  EventRecordView view;
  ASSERT_TRUE(DecodeEventRecord(record, &view));
  EXPECT_EQ(view.received_ms, 1'700'000'000'123);
  EXPECT_EQ(view.event_id, "evt-1");
  EXPECT_EQ(view.json, R"({"eventId":"evt-1"})");
  EXPECT_EQ(record.size(), 8u + 2u + 5u + view.json.size()) << "the buffer is cleared first";
  // Before the clock's epoch: stored as 0, like every other time in the store.
  EncodeEventRecord(-5, "e", "{}", &record);
  ASSERT_TRUE(DecodeEventRecord(record, &view));
  EXPECT_EQ(view.received_ms, 0);

  EncodeEventRecord(1, "evt-1", "{}", &record);
  EXPECT_FALSE(DecodeEventRecord(std::string_view(record).substr(0, 9), &view)) << "no length";
  EXPECT_FALSE(DecodeEventRecord(std::string_view(record).substr(0, 12), &view)) << "short id";
  EXPECT_TRUE(DecodeEventRecord(std::string_view(record).substr(0, 15), &view)) << "empty JSON";
  EXPECT_EQ(view.json, "");
}

TEST(StoreCodecTest, StatsRoundTripWithTheFailingPeriod) {
  StatsRecord s;
  s.pending = 3;
  s.attempts = 9;
  s.last_failure_ms = 1'700'000'000'000;
  s.failing_since_ms = 1'699'000'000'000;
  s.latency[2] = 4;
  StatsRecord back;
  ASSERT_TRUE(DecodeStats(EncodeStats(s), &back));
  EXPECT_EQ(back.pending, 3);
  EXPECT_EQ(back.attempts, 9);
  EXPECT_EQ(back.latency[2], 4);
  EXPECT_EQ(back.failing_since_ms, 1'699'000'000'000);
}

// Stores written before the failing period was kept have stats records 8 bytes shorter.
TEST(StoreCodecTest, StatsWrittenBeforeTheFailingPeriodStillDecode) {
  StatsRecord s;
  s.delivered = 5;
  s.failing_since_ms = 42;
  std::string bytes = EncodeStats(s);
  bytes.resize(bytes.size() - 8);
  StatsRecord back;
  back.failing_since_ms = 7;
  ASSERT_TRUE(DecodeStats(bytes, &back));
  EXPECT_EQ(back.delivered, 5);
  EXPECT_EQ(back.failing_since_ms, 0);
  bytes.resize(bytes.size() - 3);
  EXPECT_FALSE(DecodeStats(bytes, &back)) << "a truncated record is still refused";
}

// What EncodeAttempt wrote while it built a boost::json object: stored attempts keep these bytes.
std::string EncodeAttemptAsObject(const AttemptRecord& a) {
  boost::json::object o;
  o["n"] = a.number;
  o["startedAt"] = a.started_ms;
  o["durationMs"] = a.duration_ms;
  o["recordedAt"] = a.recorded_ms;
  o["outcome"] = ToString(a.outcome);
  o["httpStatus"] = a.http_status;
  o["error"] = a.error;
  o["response"] = a.response_excerpt;
  o["url"] = a.url;
  boost::json::array headers;
  for (const auto& [name, value] : a.request_headers) headers.push_back({name, value});
  o["headers"] = std::move(headers);
  return boost::json::serialize(o);
}

TEST(StoreCodecTest, AttemptIsWrittenAsTheJsonObjectItAlwaysWasAndReadsBack) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> ascii(0, 127);
  auto text = [&](std::size_t n) {
    std::string s(n, '\0');
    for (char& c : s) c = static_cast<char>(ascii(rng));
    return s;
  };
  for (int i = 0; i < 200; ++i) {
    AttemptRecord a;
    a.number = i + 1;
    a.started_ms = 1'700'000'000'000 + i;
    a.duration_ms = i * 3;
    a.recorded_ms = -i;  // never negative in the store, but the codec must not care
    a.outcome = static_cast<AttemptOutcome>(i % 7);
    a.http_status = i % 3 == 0 ? 0 : 200 + i;
    a.error = text(static_cast<std::size_t>(i % 40));
    a.response_excerpt = text(static_cast<std::size_t>(i % 90));
    a.url = "https://example.com/hook?" + text(5);
    for (int h = 0; h < i % 5; ++h) a.request_headers.emplace_back(text(8), text(20));
    const std::string bytes = EncodeAttempt(a);
    ASSERT_EQ(bytes, EncodeAttemptAsObject(a)) << "record " << i;
    AttemptRecord back;
    ASSERT_TRUE(DecodeAttempt(bytes, &back)) << bytes;
    EXPECT_EQ(back.number, a.number);
    EXPECT_EQ(back.started_ms, a.started_ms);
    EXPECT_EQ(back.recorded_ms, a.recorded_ms);
    EXPECT_EQ(back.outcome, a.outcome);
    EXPECT_EQ(back.http_status, a.http_status);
    EXPECT_EQ(back.error, a.error);
    EXPECT_EQ(back.response_excerpt, a.response_excerpt);
    EXPECT_EQ(back.url, a.url);
    EXPECT_EQ(back.request_headers, a.request_headers);
  }
}

TEST(StoreCodecTest, AnAttemptStoredWithBytesThatAreNotUtf8StillReads) {
  // Written before excerpts were made well-formed: the raw answer bytes are in the record.
  AttemptRecord a;
  a.number = 1;
  a.outcome = AttemptOutcome::kHttpError;
  a.http_status = 500;
  a.response_excerpt = "ok \xff\xfe end \xe2\x82";
  a.url = "https://example.com/hook";
  AttemptRecord back;
  ASSERT_TRUE(DecodeAttempt(EncodeAttempt(a), &back));
  EXPECT_EQ(back.response_excerpt, "ok \xEF\xBF\xBD\xEF\xBF\xBD end \xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(back.http_status, 500);
}

}  // namespace
}  // namespace hookbroker::codec
