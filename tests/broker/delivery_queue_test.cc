#include "broker/delivery_queue.h"

#include <gtest/gtest.h>

namespace hookbroker {
namespace {

TEST(DeliveryQueueTest, NothingIsReadyBeforeItsDueTime) {
  DeliveryQueue q(4);
  q.Add(DeliveryId(1), "https://a:443", 1000);
  EXPECT_FALSE(q.Pop(999).has_value());
  ASSERT_EQ(q.NextDueMs(), 1000);
  auto job = q.Pop(1000);
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(job->id, DeliveryId(1));
  EXPECT_EQ(q.size(), 0u);
}

TEST(DeliveryQueueTest, LimitsAttemptsInFlightPerEndpoint) {
  DeliveryQueue q(2);
  for (std::uint64_t i = 1; i <= 5; ++i) q.Add(DeliveryId(i), "https://slow:443", 0);
  auto a = q.Pop(0);
  auto b = q.Pop(0);
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(q.Pop(0).has_value()) << "a third attempt to the same endpoint must wait";
  EXPECT_EQ(q.in_flight("https://slow:443"), 2);
  q.Done(a->endpoint, 0, true);
  auto c = q.Pop(0);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->id, DeliveryId(3)) << "FIFO within an endpoint";
}

TEST(DeliveryQueueTest, BusyEndpointDoesNotBlockOthers) {
  DeliveryQueue q(1);
  q.Add(DeliveryId(1), "https://hung:443", 0);
  q.Add(DeliveryId(2), "https://hung:443", 0);
  q.Add(DeliveryId(3), "https://ok:443", 0);
  q.Add(DeliveryId(4), "https://ok:443", 0);
  auto first = q.Pop(0);  // hung endpoint's only slot, never given back in this test
  ASSERT_TRUE(first);
  EXPECT_EQ(q.origin(first->endpoint), "https://hung:443");
  auto second = q.Pop(0);
  ASSERT_TRUE(second);
  EXPECT_EQ(q.origin(second->endpoint), "https://ok:443");
  q.Done(second->endpoint, 0, true);
  auto third = q.Pop(0);
  ASSERT_TRUE(third);
  EXPECT_EQ(third->id, DeliveryId(4));
}

TEST(DeliveryQueueTest, RoundRobinBetweenEndpoints) {
  DeliveryQueue q(10);
  for (std::uint64_t i = 1; i <= 3; ++i) q.Add(DeliveryId(i), "https://a:443", 0);
  for (std::uint64_t i = 11; i <= 13; ++i) q.Add(DeliveryId(i), "https://b:443", 0);
  std::vector<std::string> order;
  while (auto job = q.Pop(0)) order.push_back(q.origin(job->endpoint));
  ASSERT_EQ(order.size(), 6u);
  for (std::size_t i = 1; i < order.size(); ++i) EXPECT_NE(order[i], order[i - 1]) << i;
}

TEST(DeliveryQueueTest, EqualDueTimesKeepInsertionOrder) {
  DeliveryQueue q(1);
  q.Add(DeliveryId(7), "https://a:443", 50);
  q.Add(DeliveryId(3), "https://a:443", 50);
  auto a = q.Pop(50);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->id, DeliveryId(7));
  q.Done(a->endpoint, 0, true);
  auto b = q.Pop(50);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->id, DeliveryId(3));
}

// Circuit breaker: threshold 3, cool-down 1,000 ms (doubling, at most 4,000 ms).
DeliveryQueue BreakerQueue() {
  CircuitBreakerOptions options;
  options.failure_threshold = 3;
  options.cooldown_ms = 1000;
  options.max_cooldown_ms = 4000;
  return DeliveryQueue(4, options);
}

// Pops one job and reports it: what an attempt to a failing endpoint looks like.
void FailOnce(DeliveryQueue& q, std::int64_t now) {
  auto job = q.Pop(now);
  ASSERT_TRUE(job);
  q.Done(job->endpoint, now, /*healthy=*/false);
}

TEST(DeliveryQueueTest, RepeatedFailuresOpenTheCircuitAndHoldTheEndpoint) {
  DeliveryQueue q = BreakerQueue();
  for (std::uint64_t i = 1; i <= 10; ++i) q.Add(DeliveryId(i), "https://down:443", 0);
  for (int i = 0; i < 3; ++i) FailOnce(q, 100);
  EXPECT_FALSE(q.Pop(100).has_value()) << "open: no attempts while it cools down";
  EXPECT_FALSE(q.Pop(1099).has_value());
  EXPECT_EQ(q.NextDueMs(), 1100) << "workers must wake up for the probe";
  auto endpoints = q.BusiestEndpoints(10);
  ASSERT_EQ(endpoints.size(), 1u);
  EXPECT_EQ(endpoints[0].circuit, CircuitBreaker::State::kOpen);
  EXPECT_EQ(endpoints[0].consecutive_failures, 3);
  EXPECT_EQ(endpoints[0].queued, 7u) << "held deliveries stay queued, not lost";
}

TEST(DeliveryQueueTest, OneProbeAfterTheCoolDownClosesTheCircuitOnSuccess) {
  DeliveryQueue q = BreakerQueue();
  for (std::uint64_t i = 1; i <= 10; ++i) q.Add(DeliveryId(i), "https://flaky:443", 0);
  for (int i = 0; i < 3; ++i) FailOnce(q, 0);
  auto probe = q.Pop(1000);
  ASSERT_TRUE(probe);
  EXPECT_FALSE(q.Pop(1000).has_value()) << "half-open: the probe alone";
  q.Done(probe->endpoint, 1010, /*healthy=*/true);
  int popped = 0;
  while (q.Pop(1010)) ++popped;
  EXPECT_EQ(popped, 4) << "closed again: the endpoint's full concurrency";
}

TEST(DeliveryQueueTest, AFailedProbeDoublesTheCoolDownUpToItsMaximum) {
  DeliveryQueue q = BreakerQueue();
  for (std::uint64_t i = 1; i <= 20; ++i) q.Add(DeliveryId(i), "https://down:443", 0);
  for (int i = 0; i < 3; ++i) FailOnce(q, 0);  // open until 1000
  FailOnce(q, 1000);                           // probe fails: open until 1000 + 2000
  EXPECT_FALSE(q.Pop(2999).has_value());
  FailOnce(q, 3000);  // open until 3000 + 4000 (max)
  EXPECT_FALSE(q.Pop(6999).has_value());
  FailOnce(q, 7000);  // still at most 4000
  EXPECT_FALSE(q.Pop(10999).has_value());
  EXPECT_TRUE(q.Pop(11000).has_value());
}

TEST(DeliveryQueueTest, AnOpenCircuitDoesNotHoldOtherEndpoints) {
  DeliveryQueue q = BreakerQueue();
  for (std::uint64_t i = 1; i <= 5; ++i) q.Add(DeliveryId(i), "https://down:443", 0);
  for (int i = 0; i < 3; ++i) FailOnce(q, 0);
  q.Add(DeliveryId(100), "https://up:443", 0);
  auto job = q.Pop(10);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->id, DeliveryId(100));
}

TEST(DeliveryQueueTest, AnswersAndUnknownResultsDoNotOpenTheCircuit) {
  DeliveryQueue q = BreakerQueue();
  for (std::uint64_t i = 1; i <= 10; ++i) q.Add(DeliveryId(i), "https://a:443", 0);
  for (int i = 0; i < 2; ++i) FailOnce(q, 0);
  auto ok = q.Pop(0);
  ASSERT_TRUE(ok);
  q.Done(ok->endpoint, 0, true);  // a 4xx or 2xx answer: the endpoint is alive
  for (int i = 0; i < 2; ++i) FailOnce(q, 0);
  auto refused = q.Pop(0);
  ASSERT_TRUE(refused);
  q.Done(refused->endpoint, 0, std::nullopt);  // no request made (SSRF guard)
  EXPECT_TRUE(q.Pop(0).has_value()) << "2 failures since the last answer: still closed";
}

TEST(CircuitBreakerTest, ThresholdZeroNeverOpens) {
  CircuitBreakerOptions options;
  options.failure_threshold = 0;
  CircuitBreaker b(options);
  for (int i = 0; i < 100; ++i) b.OnResult(false, i);
  EXPECT_EQ(b.state(), CircuitBreaker::State::kClosed);
  EXPECT_EQ(b.Allowance(100, 4), 4);
}

}  // namespace
}  // namespace hookbroker
