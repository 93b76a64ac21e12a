#include "proto/retry_schedule.h"

#include <gtest/gtest.h>

namespace hookbroker {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// 2024-01-01T00:00:00Z.
constexpr std::int64_t kNowMs = 1704067200000;

TEST(RetryScheduleTest, DefaultHasEightAttempts) {
  const RetrySchedule schedule = RetrySchedule::Default();
  EXPECT_EQ(schedule.max_attempts(), 8);
  const std::vector<RetrySchedule::Millis> expected = {
      seconds(5),     seconds(300),   seconds(1800), seconds(7200),
      seconds(18000), seconds(36000), seconds(36000)};
  EXPECT_EQ(schedule.delays(), expected);
}

TEST(RetryScheduleTest, DefaultJitterIsTwentyPercent) {
  const RetrySchedule schedule = RetrySchedule::Default();
  EXPECT_EQ(schedule.DelayAfter(1, 0.0), milliseconds(4000));
  EXPECT_EQ(schedule.DelayAfter(1, 0.5), milliseconds(5000));
  EXPECT_EQ(schedule.DelayAfter(2, 0.0), milliseconds(240000));
}

TEST(RetryScheduleTest, JitterStaysWithinBounds) {
  const RetrySchedule schedule = RetrySchedule::Default();
  for (int attempt = 1; attempt < schedule.max_attempts(); ++attempt) {
    const auto base = schedule.delays()[attempt - 1].count();
    for (double unit = 0.0; unit < 1.0; unit += 0.01) {
      const auto delay = schedule.DelayAfter(attempt, unit);
      ASSERT_TRUE(delay.has_value());
      EXPECT_GE(delay->count(), base * 8 / 10) << attempt << " " << unit;
      EXPECT_LE(delay->count(), base * 12 / 10) << attempt << " " << unit;
    }
  }
}

TEST(RetryScheduleTest, DelayRoundsToMilliseconds) {
  const RetrySchedule schedule({milliseconds(1000)}, 0.5);
  EXPECT_EQ(schedule.DelayAfter(1, 0.0), milliseconds(500));
  EXPECT_EQ(schedule.DelayAfter(1, 0.9999), milliseconds(1500));
  EXPECT_EQ(schedule.DelayAfter(1, 0.1234), milliseconds(623));
}

TEST(RetryScheduleTest, DelayIsNeverNegative) {
  const RetrySchedule schedule({milliseconds(1000)}, 2.0);
  EXPECT_EQ(schedule.DelayAfter(1, 0.0), milliseconds(0));
}

TEST(RetryScheduleTest, ZeroJitterGivesExactDelays) {
  const RetrySchedule schedule({milliseconds(200), milliseconds(1000)}, 0.0);
  EXPECT_EQ(schedule.DelayAfter(1, 0.9), milliseconds(200));
  EXPECT_EQ(schedule.DelayAfter(2, 0.1), milliseconds(1000));
}

TEST(RetryScheduleTest, NoDelayAfterLastAttemptOrOutOfRange) {
  const RetrySchedule schedule = RetrySchedule::Default();
  EXPECT_TRUE(schedule.DelayAfter(7, 0.5).has_value());
  EXPECT_EQ(schedule.DelayAfter(8, 0.5), std::nullopt);
  EXPECT_EQ(schedule.DelayAfter(9, 0.5), std::nullopt);
  EXPECT_EQ(schedule.DelayAfter(0, 0.5), std::nullopt);
  EXPECT_EQ(schedule.DelayAfter(-1, 0.5), std::nullopt);
}

TEST(RetryScheduleTest, ParsesDecimalSeconds) {
  Result<RetrySchedule> schedule = RetrySchedule::Parse("0.2,1,5");
  ASSERT_TRUE(schedule.ok());
  const std::vector<RetrySchedule::Millis> expected = {milliseconds(200), milliseconds(1000),
                                                       milliseconds(5000)};
  EXPECT_EQ(schedule->delays(), expected);
  EXPECT_EQ(schedule->max_attempts(), 4);
}

TEST(RetryScheduleTest, ParsesZeroDelay) {
  Result<RetrySchedule> schedule = RetrySchedule::Parse("0");
  ASSERT_TRUE(schedule.ok());
  EXPECT_EQ(schedule->delays(), std::vector<RetrySchedule::Millis>{milliseconds(0)});
}

TEST(RetryScheduleTest, EmptyTextMeansOneAttempt) {
  Result<RetrySchedule> schedule = RetrySchedule::Parse("");
  ASSERT_TRUE(schedule.ok());
  EXPECT_EQ(schedule->max_attempts(), 1);
  EXPECT_EQ(schedule->DelayAfter(1, 0.5), std::nullopt);
}

TEST(RetryScheduleTest, ParseRejectsMalformedEntries) {
  for (std::string_view text : {"5,,10", ",5", "5,", "-1", "abc", "1e3", "inf", "nan", " 5", "5 ",
                                "1.", ".5", "1.2.3", "0x10", "+5"}) {
    Result<RetrySchedule> schedule = RetrySchedule::Parse(text);
    ASSERT_FALSE(schedule.ok()) << text;
    EXPECT_EQ(schedule.error().code, "invalid_field") << text;
    EXPECT_EQ(schedule.error().field, "retry-schedule") << text;
  }
}

TEST(RetryScheduleTest, ParseRejectsDelaysOverThirtyDays) {
  EXPECT_TRUE(RetrySchedule::Parse("2592000").ok());
  Result<RetrySchedule> schedule = RetrySchedule::Parse("2592000.001");
  ASSERT_FALSE(schedule.ok());
  EXPECT_EQ(schedule.error().field, "retry-schedule");
}

TEST(RetryScheduleTest, ParseAcceptsAtMostOneHundredEntries) {
  std::string text = "1";
  for (int i = 1; i < 100; ++i) text += ",1";
  Result<RetrySchedule> hundred = RetrySchedule::Parse(text);
  ASSERT_TRUE(hundred.ok());
  EXPECT_EQ(hundred->max_attempts(), 101);
  Result<RetrySchedule> too_many = RetrySchedule::Parse(text + ",1");
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().field, "retry-schedule");
}

TEST(RetryAfterTest, ParsesDeltaSeconds) {
  EXPECT_EQ(ParseRetryAfter("120", kNowMs), milliseconds(120000));
  EXPECT_EQ(ParseRetryAfter("0", kNowMs), milliseconds(0));
  EXPECT_EQ(ParseRetryAfter(" 7 ", kNowMs), milliseconds(7000));
}

TEST(RetryAfterTest, CapsDeltaSecondsAtOneDay) {
  EXPECT_EQ(ParseRetryAfter("86400", kNowMs), milliseconds(86400000));
  EXPECT_EQ(ParseRetryAfter("86401", kNowMs), milliseconds(86400000));
  EXPECT_EQ(ParseRetryAfter("99999999999999999999999", kNowMs), milliseconds(86400000));
}

TEST(RetryAfterTest, CapsFarFutureDateAtOneDay) {
  EXPECT_EQ(ParseRetryAfter("Fri, 01 Jan 2100 00:00:00 GMT", kNowMs), milliseconds(86400000));
}

TEST(RetryAfterTest, ParsesImfFixdate) {
  EXPECT_EQ(ParseRetryAfter("Mon, 01 Jan 2024 00:01:30 GMT", kNowMs), milliseconds(90000));
  // The RFC 9110 example date, seen from one second before it.
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", 784111776000), milliseconds(1000));
}

TEST(RetryAfterTest, HandlesLeapDays) {
  // 2024-02-29T00:00:00Z is 59 days after 2024-01-01.
  EXPECT_EQ(ParseRetryAfter("Thu, 29 Feb 2024 00:00:00 GMT", kNowMs + 59LL * 86400000 - 5000),
            milliseconds(5000));
  EXPECT_EQ(ParseRetryAfter("Thu, 29 Feb 2023 00:00:00 GMT", kNowMs), std::nullopt);
}

TEST(RetryAfterTest, PastDateGivesZero) {
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", kNowMs), milliseconds(0));
}

TEST(RetryAfterTest, RejectsUnparsableValues) {
  for (std::string_view value :
       {"", "soon", "-5", "1.5", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
        "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 32 Nov 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT", "Xyz, 06 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 6 Nov 1994 08:49:37 GMT"}) {
    EXPECT_EQ(ParseRetryAfter(value, kNowMs), std::nullopt) << value;
  }
}

}  // namespace
}  // namespace hookbroker
