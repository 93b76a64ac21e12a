#include "broker/subscription_cache.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/json/serialize.hpp>
#include <thread>
#include <vector>

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

// With more subscriptions than room, a subscription that keeps being hit (a busy endpoint's
// attempts) stays decoded while one-off subscriptions pass through; emptying the whole cache when
// full would drop it.
TEST(SubscriptionCacheTest, AnEntryInUseOutlastsOneOffEntriesWhenFull) {
  SubscriptionCache cache(4);
  const std::string hot = Stored(MakeSubscription("hot", ObjectType::kGroup, "g"));
  auto first = cache.Decode("hot", hot);
  ASSERT_TRUE(first.ok());
  for (int i = 0; i < 40; ++i) {
    const std::string id = "once" + std::to_string(i);
    ASSERT_TRUE(cache.Decode(id, Stored(MakeSubscription(id, ObjectType::kGroup, "g"))).ok());
    auto again = cache.Decode("hot", hot);
    ASSERT_TRUE(again.ok());
    ASSERT_EQ(again->get(), first->get()) << "decoded again after " << i + 1 << " one-off entries";
    EXPECT_EQ(cache.size(), std::min<std::size_t>(i + 2, 4));
  }
}

// An entry is replaced only when the cache is full, and then one at a time: the entries decoded
// just before the newest are still there.
TEST(SubscriptionCacheTest, AFullCacheReplacesOneEntryAtATime) {
  SubscriptionCache cache(8);
  std::vector<std::shared_ptr<const Subscription>> decoded;
  std::vector<std::string> stored;
  for (int i = 0; i < 12; ++i) {
    const std::string id = "s" + std::to_string(i);
    stored.push_back(Stored(MakeSubscription(id, ObjectType::kGroup, "g")));
    auto r = cache.Decode(id, stored.back());
    ASSERT_TRUE(r.ok());
    decoded.push_back(*r);
  }
  EXPECT_EQ(cache.size(), 8u);
  int kept = 0;
  for (int i = 4; i < 12; ++i) {
    auto r = cache.Decode("s" + std::to_string(i), stored[i]);
    ASSERT_TRUE(r.ok());
    kept += r->get() == decoded[i].get();
  }
  EXPECT_EQ(kept, 8);  // the last 8 decoded; the 4 oldest made room for them
}

// Workers and the ingest thread share the cache: under churn, every answer is the subscription that
// was asked for, decoded from the bytes that were passed.
TEST(SubscriptionCacheTest, ConcurrentCallersGetWhatTheyAskedFor) {
  SubscriptionCache cache(16);
  std::vector<std::string> stored;
  for (int i = 0; i < 64; ++i) {
    Subscription sub = MakeSubscription("s" + std::to_string(i), ObjectType::kGroup, "g");
    sub.paused = i % 2 == 0;
    stored.push_back(Stored(sub));
  }
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int n = 0; n < 5000; ++n) {
        const int i = (n * 7 + t * 13) % 64;
        auto r = cache.Decode("s" + std::to_string(i), stored[i]);
        if (!r.ok() || (*r)->id.value() != "s" + std::to_string(i) ||
            (*r)->paused != (i % 2 == 0)) {
          ++wrong;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(cache.size(), 16u);
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
