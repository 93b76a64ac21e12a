#include "broker/subscription_cache.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
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
  auto first = cache.Decode("s1", bytes, cache.Version());
  auto second = cache.Decode("s1", bytes, cache.Version());
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->get(), second->get());
  EXPECT_EQ((*first)->object_id, "g1");
}

TEST(SubscriptionCacheTest, ChangedBytesAreDecodedAgain) {
  SubscriptionCache cache;
  Subscription sub = MakeSubscription("s1", ObjectType::kGroup, "g1");
  auto before = cache.Decode("s1", Stored(sub), cache.Version());
  sub.paused = true;
  auto after = cache.Decode("s1", Stored(sub), cache.Version());
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE((*before)->paused);  // a reader holding the old one keeps a consistent object
  EXPECT_TRUE((*after)->paused);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(SubscriptionCacheTest, CorruptBytesAreAnErrorAndNotCached) {
  SubscriptionCache cache;
  auto r = cache.Decode("s1", "{not json", cache.Version());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "storage_corrupt");
  EXPECT_EQ(cache.size(), 0u);
}

TEST(SubscriptionCacheTest, StaysWithinItsCapacity) {
  SubscriptionCache cache(4);
  for (int i = 0; i < 10; ++i) {
    const std::string id = "s" + std::to_string(i);
    ASSERT_TRUE(
        cache.Decode(id, Stored(MakeSubscription(id, ObjectType::kGroup, "g")), cache.Version())
            .ok());
    EXPECT_LE(cache.size(), 4u);
  }
}

// With more subscriptions than room, a subscription that keeps being hit (a busy endpoint's
// attempts) stays decoded while one-off subscriptions pass through; emptying the whole cache when
// full would drop it.
TEST(SubscriptionCacheTest, AnEntryInUseOutlastsOneOffEntriesWhenFull) {
  SubscriptionCache cache(4);
  const std::string hot = Stored(MakeSubscription("hot", ObjectType::kGroup, "g"));
  auto first = cache.Decode("hot", hot, cache.Version());
  ASSERT_TRUE(first.ok());
  for (int i = 0; i < 40; ++i) {
    const std::string id = "once" + std::to_string(i);
    ASSERT_TRUE(
        cache.Decode(id, Stored(MakeSubscription(id, ObjectType::kGroup, "g")), cache.Version())
            .ok());
    auto again = cache.Decode("hot", hot, cache.Version());
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
    auto r = cache.Decode(id, stored.back(), cache.Version());
    ASSERT_TRUE(r.ok());
    decoded.push_back(*r);
  }
  EXPECT_EQ(cache.size(), 8u);
  int kept = 0;
  for (int i = 4; i < 12; ++i) {
    auto r = cache.Decode("s" + std::to_string(i), stored[i], cache.Version());
    ASSERT_TRUE(r.ok());
    kept += r->get() == decoded[i].get();
  }
  EXPECT_EQ(kept, 8);  // the last 8 decoded; the 4 oldest made room for them
}

// Workers and the ingest thread share the cache: under churn, with a hot set that hits and ids
// whose stored bytes keep changing, every answer is the subscription asked for, decoded from the
// bytes that were passed, and the cache stays within its capacity with one entry per id.
TEST(SubscriptionCacheTest, ConcurrentCallersGetWhatTheyAskedFor) {
  SubscriptionCache cache(16);
  // Two stored versions of each id: paused and not.
  std::vector<std::array<std::string, 2>> stored;
  for (int i = 0; i < 64; ++i) {
    Subscription sub = MakeSubscription("s" + std::to_string(i), ObjectType::kGroup, "g");
    sub.paused = false;
    const std::string running = Stored(sub);
    sub.paused = true;
    stored.push_back({running, Stored(sub)});
  }
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int n = 0; n < 20000; ++n) {
        // Half the calls go to a hot set of 8 ids (mostly hits), half to all 64 (mostly misses).
        const int i = n % 2 == 0 ? static_cast<int>(rng() % 8) : static_cast<int>(rng() % 64);
        // Ids 0..3 of the hot set switch between versions: updates racing readers.
        const int version = i < 4 ? static_cast<int>(rng() % 2) : i % 2;
        auto r = cache.Decode("s" + std::to_string(i), stored[i][version], cache.Version());
        if (!r.ok() || (*r)->id.value() != "s" + std::to_string(i) ||
            (*r)->paused != (version == 1)) {
          ++wrong;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(cache.size(), 16u);
}

// A new entry survives one pass of the clock's hand even when the entries around it were hit: the
// subscription decoded for a delivery's origin is still there when its attempt loads it.
TEST(SubscriptionCacheTest, ANewEntryIsNotReplacedBeforeTheHandHasPassedIt) {
  SubscriptionCache cache(8);
  std::map<std::string, std::string> stored;  // one stored form per id (secrets are random)
  auto decode = [&](const std::string& id) {
    auto [it, added] = stored.try_emplace(id);
    if (added) it->second = Stored(MakeSubscription(id, ObjectType::kGroup, "g"));
    auto r = cache.Decode(id, it->second, cache.Version());
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : nullptr;
  };
  for (int i = 0; i < 8; ++i) decode("s" + std::to_string(i));
  for (int i = 0; i < 8; i += 2) decode("s" + std::to_string(i));  // hits
  std::vector<std::shared_ptr<const Subscription>> fresh;
  for (int i = 0; i < 6; ++i) fresh.push_back(decode("n" + std::to_string(i)));
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(decode("n" + std::to_string(i)).get(), fresh[i].get()) << "n" << i << " was replaced";
  }
}

// New bytes for a cached id replace its own entry, also when the cache is full: no second entry,
// nothing else evicted, and the old bytes are decoded again if they come back.
TEST(SubscriptionCacheTest, ChangedBytesReplaceTheirOwnEntryInAFullCache) {
  SubscriptionCache cache(4);
  std::vector<Subscription> subs;
  std::vector<std::string> stored;
  std::vector<std::shared_ptr<const Subscription>> first;
  for (int i = 0; i < 4; ++i) {
    const std::string id = "s" + std::to_string(i);
    subs.push_back(MakeSubscription(id, ObjectType::kGroup, "g"));
    stored.push_back(Stored(subs.back()));
    auto r = cache.Decode(id, stored.back(), cache.Version());
    ASSERT_TRUE(r.ok());
    first.push_back(*r);
  }
  Subscription paused = subs[2];
  paused.paused = true;
  auto changed = cache.Decode("s2", Stored(paused), cache.Version());
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE((*changed)->paused);
  EXPECT_EQ(cache.size(), 4u);
  for (int i : {0, 1, 3}) {
    auto r = cache.Decode("s" + std::to_string(i), stored[i], cache.Version());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->get(), first[i].get()) << "s" << i << " was evicted";
  }
  auto again = cache.Decode("s2", Stored(paused), cache.Version());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->get(), changed->get());
  auto old_bytes =
      cache.Decode("s2", stored[2], cache.Version());  // the previous version: decoded anew
  ASSERT_TRUE(old_bytes.ok());
  EXPECT_NE(old_bytes->get(), first[2].get());
  EXPECT_FALSE((*old_bytes)->paused);
  EXPECT_EQ(cache.size(), 4u);
}

// An entry is Current() (usable without reading its bytes) until a subscription is written, and
// again once the same bytes have been read after that, without decoding them again.
TEST(SubscriptionCacheTest, AnEntryIsCurrentUntilASubscriptionIsWritten) {
  SubscriptionCache cache;
  const std::string bytes = Stored(MakeSubscription("s1", ObjectType::kGroup, "g1"));
  EXPECT_EQ(cache.Current("s1"), nullptr);
  auto decoded = cache.Decode("s1", bytes, cache.Version());
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(cache.Current("s1"), *decoded);
  EXPECT_EQ(cache.Current("s2"), nullptr);

  cache.Changed();
  EXPECT_EQ(cache.Current("s1"), nullptr);
  auto again = cache.Decode("s1", bytes, cache.Version());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->get(), decoded->get());  // the same bytes: not decoded again
  EXPECT_EQ(cache.Current("s1"), *decoded);
}

// Bytes read in a transaction that began before a subscription was written may be the old ones:
// they are decoded and returned, but not Current().
TEST(SubscriptionCacheTest, BytesReadBeforeAWriteAreNotCurrent) {
  SubscriptionCache cache;
  Subscription sub = MakeSubscription("s1", ObjectType::kGroup, "g1");
  const std::string old_bytes = Stored(sub);
  const std::uint64_t before = cache.Version();  // a reader begins its transaction
  cache.Changed();                               // a writer commits
  auto r = cache.Decode("s1", old_bytes, before);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(cache.Current("s1"), nullptr);

  // A late reader of the old bytes replaces a current entry of the new ones: not current either.
  sub.paused = true;
  const std::string new_bytes = Stored(sub);
  ASSERT_TRUE(cache.Decode("s1", new_bytes, cache.Version()).ok());
  ASSERT_NE(cache.Current("s1"), nullptr);
  EXPECT_TRUE(cache.Current("s1")->paused);
  auto late = cache.Decode("s1", old_bytes, before);
  ASSERT_TRUE(late.ok());
  EXPECT_FALSE((*late)->paused);
  EXPECT_EQ(cache.Current("s1"), nullptr);

  // A late reader of the same bytes leaves the entry current.
  ASSERT_TRUE(cache.Decode("s1", new_bytes, cache.Version()).ok());
  ASSERT_TRUE(cache.Decode("s1", new_bytes, before).ok());
  ASSERT_NE(cache.Current("s1"), nullptr);
  EXPECT_TRUE(cache.Current("s1")->paused);
}

// Readers and a writer race, the way the store uses the cache: the writer stores generation g of
// the subscription (under a lock standing in for LMDB's commit), then calls Changed(); a reader
// takes Version() before its "transaction" (the read under the lock) and passes what it read to
// Decode. Once the writer's Changed() for generation g has returned, Current() must never answer
// with an older generation. The writer goes on until enough reads have overlapped a write and
// readers have hit a current entry between writes, however the threads happen to be scheduled.
TEST(SubscriptionCacheTest, CurrentIsNeverOlderThanAFinishedWrite) {
  SubscriptionCache cache(4);
  constexpr int kMaxGenerations = 20000;
  constexpr long kOverlapsWanted = 500;  // reads with a write between their start and Decode
  std::vector<std::string> stored;
  for (int g = 0; g <= kMaxGenerations; ++g) {
    stored.push_back(Stored(MakeSubscription("s1", ObjectType::kGroup, std::to_string(g))));
  }
  std::mutex db_mu;
  int db_generation = 0;         // guarded by db_mu
  std::atomic<int> finished{0};  // generations whose Changed() has returned
  std::atomic<bool> writing{true};
  std::atomic<int> wrong{0};
  std::atomic<long> current_hits{0};
  std::atomic<long> overlaps{0};
  int waits_without_hit = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (writing.load()) {
        const int done = finished.load();
        if (auto sub = cache.Current("s1")) {
          ++current_hits;
          if (std::stoi(sub->object_id) < done) ++wrong;
          continue;
        }
        const std::uint64_t version = cache.Version();
        std::string bytes;
        {
          std::lock_guard<std::mutex> lock(db_mu);
          bytes = stored[db_generation];
        }
        std::this_thread::yield();  // a reader takes a while between its read and Decode
        auto r = cache.Decode("s1", bytes, version);
        if (!r.ok() || std::stoi((*r)->object_id) < done) ++wrong;
        if (finished.load() != done) ++overlaps;
      }
    });
  }
  int g = 1;
  for (; g <= kMaxGenerations && std::chrono::steady_clock::now() < deadline; ++g) {
    {
      std::lock_guard<std::mutex> lock(db_mu);
      db_generation = g;
    }
    cache.Changed();
    finished.store(g);
    if (g % 4 == 0) std::this_thread::yield();  // let readers make entries current in between
    if (g % 64 == 0) {
      // Wait until a reader has made the entry current and hit it, so the race goes through
      // Current() between writes and not only through Decode.
      const long hits = current_hits.load();
      while (current_hits.load() == hits && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::yield();
      }
      if (current_hits.load() == hits) ++waits_without_hit;
      if (overlaps.load() >= kOverlapsWanted) break;
    }
  }
  writing.store(false);
  for (auto& th : readers) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(waits_without_hit, 0);  // Current() answered between writes every time it could
  EXPECT_GT(overlaps.load(), 0) << "after " << g << " generations";  // reads did race writes
}

// A store with one subscription, s1 on group g1: the delivery path reads through its cache.
class StoreCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Store::Open(StoreOptions{dir_.path(), 64ULL << 20, 126});
    ASSERT_TRUE(opened.ok());
    store_ = std::move(opened).value();
    ASSERT_TRUE(store_->PutSubscription(MakeSubscription("s1", ObjectType::kGroup, "g1")).ok());
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

// A pause written by UpdateSubscription must be seen by the next LoadDeliveryJob, not the decoded
// object of the previous attempt.
TEST_F(StoreCacheTest, SeesAnUpdateAtTheNextLoad) {
  Store& store = *store_;
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

// A new callback URL is the origin at the next CallbackOrigins, though the old one was current.
TEST_F(StoreCacheTest, CallbackOriginsSeesANewCallbackUrl) {
  const std::vector<SubscriptionId> ids{SubscriptionId("s1")};
  auto before = store_->CallbackOrigins(ids);
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->size(), 1u);
  auto updated = store_->UpdateSubscription(SubscriptionId("s1"), [](Subscription& s) {
    s.callback_url = "https://moved.example:8443/hook";
    return Status::Ok();
  });
  ASSERT_TRUE(updated.ok());
  auto after = store_->CallbackOrigins(ids);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_NE((*after)[0], (*before)[0]);
  EXPECT_EQ((*after)[0], "https://moved.example:8443");
}

// A subscription the recorder disables (410 Gone) is seen disabled by the next load, also when it
// was cached for a callback origin (CallbackOrigins) and by the attempt before.
TEST_F(StoreCacheTest, SeesADisableByTheRecorderAtTheNextLoad) {
  Store& store = *store_;
  std::vector<NewDelivery> deliveries;
  ASSERT_TRUE(store
                  .CommitEvents({{MakeEvent("e1", "TextMessageCreated", "g1"),
                                  MakeEvent("e2", "TextMessageCreated", "g1")}},
                                5000, &deliveries)
                  .ok());
  ASSERT_EQ(deliveries.size(), 2u);
  const std::vector<SubscriptionId> ids{SubscriptionId("s1")};
  ASSERT_TRUE(store.CallbackOrigins(ids).ok());
  auto job = store.LoadDeliveryJob(deliveries[0].id);
  ASSERT_TRUE(job.ok());
  ASSERT_NE(job->subscription, nullptr);
  EXPECT_FALSE(job->subscription->disabled());

  AttemptUpdate gone;
  gone.delivery_id = deliveries[0].id;
  gone.attempt.number = 1;
  gone.attempt.started_ms = 6000;
  gone.attempt.recorded_ms = 6001;
  gone.attempt.outcome = AttemptOutcome::kHttpError;
  gone.attempt.http_status = 410;
  gone.new_status = DeliveryStatus::kFailed;
  gone.disable_subscription = "callback answered 410 Gone";
  std::vector<DisabledSubscription> disabled;
  ASSERT_TRUE(store.RecordAttempts(std::vector<AttemptUpdate>{gone}, 0, &disabled).ok());
  ASSERT_EQ(disabled.size(), 1u);

  job = store.LoadDeliveryJob(deliveries[1].id);
  ASSERT_TRUE(job.ok());
  ASSERT_NE(job->subscription, nullptr);
  EXPECT_TRUE(job->subscription->disabled());
}

}  // namespace
}  // namespace hookbroker::testing
