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
  q.Done(a->endpoint);
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
  q.Done(second->endpoint);
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
  q.Done(a->endpoint);
  auto b = q.Pop(50);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->id, DeliveryId(3));
}

}  // namespace
}  // namespace hookbroker
