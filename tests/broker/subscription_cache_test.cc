#include "broker/subscription_cache.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "broker/store.h"
#include "tests/broker/broker_test_util.h"
#include "tests/support/temp_dir.h"

namespace hookbroker::testing {
namespace {

std::string Stored(const Subscription& sub) {
  return boost::json::serialize(SubscriptionToStorageJson(sub));
}

TEST(SubscriptionCacheTest, DecodesTheSameBytesOnce) {
  SubscriptionCache cache;
  const std::string bytes = Stored(MakeSubscription("s1", ObjectType::kGroup, "g1"));
  auto first = cache.Decode("s1", bytes);
  auto second = cache.Decode("s1", bytes);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->get(), second->get());
  EXPECT_EQ((*first)->object_id, "g1");
}

TEST(SubscriptionCacheTest, ChangedBytesAreDecodedAgain) {
  SubscriptionCache cache;
  Subscription sub = MakeSubscription("s1", ObjectType::kGroup, "g1");
  auto before = cache.Decode("s1", Stored(sub));
  sub.paused = true;
  auto after = cache.Decode("s1", Stored(sub));
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE((*before)->paused);  // a reader holding the old one keeps a consistent object
  EXPECT_TRUE((*after)->paused);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(SubscriptionCacheTest, CorruptBytesAreAnErrorAndNotCached) {
  SubscriptionCache cache;
  auto r = cache.Decode("s1", "{not json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "storage_corrupt");
  EXPECT_EQ(cache.size(), 0u);
}

TEST(SubscriptionCacheTest, StaysWithinItsCapacity) {
  SubscriptionCache cache(4);
  for (int i = 0; i < 10; ++i) {
    const std::string id = "s" + std::to_string(i);
    ASSERT_TRUE(cache.Decode(id, Stored(MakeSubscription(id, ObjectType::kGroup, "g"))).ok());
    EXPECT_LE(cache.size(), 4u);
  }
}

// The store's delivery path reads through the cache: a pause written by UpdateSubscription must
// be seen by the next LoadDeliveryJob, not the decoded object of the previous attempt.
TEST(SubscriptionCacheTest, StoreSeesAnUpdateAtTheNextLoad) {
  TempDir dir;
  auto opened = Store::Open(StoreOptions{dir.path(), 64ULL << 20, 126});
  ASSERT_TRUE(opened.ok());
  Store& store = **opened;
  ASSERT_TRUE(store.PutSubscription(MakeSubscription("s1", ObjectType::kGroup, "g1")).ok());
  std::vector<NewDelivery> deliveries;
  ASSERT_TRUE(
      store.CommitEvents({{MakeEvent("e1", "TextMessageCreated", "g1")}}, 5000, &deliveries).ok());
  ASSERT_EQ(deliveries.size(), 1u);
  auto job = store.LoadDeliveryJob(deliveries[0].id);
  ASSERT_TRUE(job.ok());
  ASSERT_NE(job->subscription, nullptr);
  EXPECT_FALSE(job->subscription->paused);

  auto updated = store.UpdateSubscription(SubscriptionId("s1"), [](Subscription& s) {
    s.paused = true;
    return Status::Ok();
  });
  ASSERT_TRUE(updated.ok());
  job = store.LoadDeliveryJob(deliveries[0].id);
  ASSERT_TRUE(job.ok());
  ASSERT_NE(job->subscription, nullptr);
  EXPECT_TRUE(job->subscription->paused);

  ASSERT_TRUE(store.DeleteSubscription(SubscriptionId("s1"), 6000).ok());
  job = store.LoadDeliveryJob(deliveries[0].id);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->subscription, nullptr);
}

}  // namespace
}  // namespace hookbroker::testing
