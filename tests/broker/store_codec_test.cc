#include "broker/store_codec.h"

#include <gtest/gtest.h>

namespace hookbroker::codec {
namespace {

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

}  // namespace
}  // namespace hookbroker::codec
