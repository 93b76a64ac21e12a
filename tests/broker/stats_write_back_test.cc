// Subscription counters held in memory and journalled (broker/stats_write_back.h), through the
// Store: exact while held, after a write-back (by a commit, or by the store's thread once due),
// after a crash (a child process that exits without closing the store) and under concurrent
// writers; a refused commit changes nothing. LMDB in a temporary folder.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "broker/store.h"
#include "tests/broker/broker_test_util.h"
#include "tests/support/temp_dir.h"

namespace hookbroker::testing {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;

AttemptUpdate Answered(const DeliveryId& id, std::int64_t at, bool ok) {
  AttemptUpdate u;
  u.delivery_id = id;
  u.attempt.number = 1;
  u.attempt.started_ms = at;
  u.attempt.duration_ms = 3;
  u.attempt.recorded_ms = at + 3;
  u.attempt.outcome = ok ? AttemptOutcome::kDelivered : AttemptOutcome::kHttpError;
  u.attempt.http_status = ok ? 200 : 500;
  u.new_status = ok ? DeliveryStatus::kDelivered : DeliveryStatus::kFailed;
  return u;
}

std::vector<DeliveryId> Publish(Store& store, const std::string& event_id,
                                const std::string& group) {
  std::vector<NewDelivery> created;
  auto r = store.CommitEvents(std::vector<Event>{MakeEvent(event_id, "MemberAdded", group)}, 1000,
                              &created);
  EXPECT_TRUE(r.ok()) << (r ? "" : r.error().message);
  std::vector<DeliveryId> ids;
  for (const NewDelivery& d : created) ids.push_back(d.id);
  return ids;
}
SubscriptionStats Stats(Store& store, const std::string& id) {
  auto s = store.GetSubscriptionStats(SubscriptionId(id));
  EXPECT_TRUE(s.ok() && s->has_value());
  return s.ok() ? s->value_or(SubscriptionStats{}) : SubscriptionStats{};
}

class StatsWriteBackTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> Open(milliseconds interval, std::size_t records,
                              std::uint64_t map_size = 64ULL << 20) {
    StoreOptions options{dir_.path(), map_size, 126};
    options.stats_write_back_interval = interval;
    options.stats_write_back_records = records;
    auto s = Store::Open(options);
    EXPECT_TRUE(s.ok()) << s.error().message;
    return s ? std::move(s).value() : nullptr;
  }
  TempDir dir_;
};

// Three deliveries to "a", two to "b"; of a's, one delivered and one failed.
void MakeTraffic(Store& store) {
  ASSERT_TRUE(store.PutSubscription(MakeSubscription("a", ObjectType::kGroup, "ga")).ok());
  ASSERT_TRUE(store.PutSubscription(MakeSubscription("b", ObjectType::kGroup, "gb")).ok());
  std::vector<DeliveryId> a;
  for (const char* e : {"e1", "e2", "e3"}) {
    auto ids = Publish(store, e, "ga");
    ASSERT_EQ(ids.size(), 1u);
    a.push_back(ids[0]);
  }
  for (const char* e : {"e4", "e5"}) ASSERT_EQ(Publish(store, e, "gb").size(), 1u);
  ASSERT_TRUE(store
                  .RecordAttempts(std::vector<AttemptUpdate>{Answered(a[0], 2000, true),
                                                             Answered(a[1], 2100, false)})
                  .ok());
}

void ExpectTrafficCounted(Store& store) {
  SubscriptionStats a = Stats(store, "a");
  EXPECT_EQ(a.pending, 1);
  EXPECT_EQ(a.delivered, 1);
  EXPECT_EQ(a.failed, 1);
  EXPECT_EQ(a.attempts, 2);
  EXPECT_EQ(a.last_success_ms, 2003);
  EXPECT_EQ(a.last_failure_ms, 2103);
  SubscriptionStats b = Stats(store, "b");
  EXPECT_EQ(b.pending, 2);
  EXPECT_EQ(b.attempts, 0);
}

TEST_F(StatsWriteBackTest, CountersAreExactWhileHeldAndAfterTheWriteBack) {
  {
    auto store = Open(hours(1), 1000);
    ASSERT_TRUE(store);
    MakeTraffic(*store);
    EXPECT_EQ(store->StatsHeld(), 2u);  // nothing written to subscription_stats yet
    ExpectTrafficCounted(*store);
  }
  {
    // At most two held: the third subscription's change writes all three back.
    auto store = Open(hours(1), 3);
    ASSERT_TRUE(store);
    ExpectTrafficCounted(*store);  // written back when the first store closed
    EXPECT_EQ(store->StatsHeld(), 0u);
    ASSERT_TRUE(store->PutSubscription(MakeSubscription("c", ObjectType::kGroup, "gc")).ok());
    ASSERT_EQ(Publish(*store, "e6", "ga").size(), 1u);
    ASSERT_EQ(Publish(*store, "e7", "gb").size(), 1u);
    EXPECT_EQ(store->StatsHeld(), 2u);
    ASSERT_EQ(Publish(*store, "e8", "gc").size(), 1u);
    EXPECT_EQ(store->StatsHeld(), 0u);
    EXPECT_EQ(Stats(*store, "a").pending, 2);
    EXPECT_EQ(Stats(*store, "b").pending, 3);
    EXPECT_EQ(Stats(*store, "c").pending, 1);
  }
}

TEST_F(StatsWriteBackTest, AnIntervalOfZeroWritesBackInTheSameTransaction) {
  auto store = Open(milliseconds(0), 1000);
  ASSERT_TRUE(store);
  MakeTraffic(*store);
  EXPECT_EQ(store->StatsHeld(), 0u);
  ExpectTrafficCounted(*store);
}

TEST_F(StatsWriteBackTest, DueCountersAreWrittenBackWithoutWaitingForAnotherChange) {
  auto store = Open(milliseconds(50), 1000);
  ASSERT_TRUE(store);
  MakeTraffic(*store);
  // Nothing else writes: the store's own thread writes them back once the oldest is 50 ms old.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (store->StatsHeld() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_EQ(store->StatsHeld(), 0u);
  ExpectTrafficCounted(*store);
  ASSERT_EQ(Publish(*store, "e6", "gb").size(), 1u);
  EXPECT_EQ(Stats(*store, "b").pending, 3);
}

TEST_F(StatsWriteBackTest, ACrashLosesNoCounterTheStoreAcknowledged) {
  // The child writes with nothing ever written back and exits without closing the store or
  // running a destructor: only what its commits made durable is left.
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    StoreOptions options{dir_.path(), 64ULL << 20, 126};
    options.stats_write_back_interval = hours(1);
    auto s = Store::Open(options);
    if (!s) _exit(2);
    Store* store = std::move(s).value().release();  // never closed
    MakeTraffic(*store);
    _exit(::testing::Test::HasFailure() || store->StatsHeld() != 2 ? 3 : 0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);

  auto store = Open(hours(1), 1000);
  ASSERT_TRUE(store);
  EXPECT_EQ(store->StatsHeld(), 0u);
  ExpectTrafficCounted(*store);
}

TEST_F(StatsWriteBackTest, ARefusedCommitChangesNoCounter) {
  // The smallest map the broker allows, filled with events nobody subscribed to, then with
  // subscribed ones until the store refuses: pending counts what was stored, nothing more.
  auto store = Open(hours(1), 1000, 16ULL << 20);
  ASSERT_TRUE(store);
  ASSERT_TRUE(
      store->PutSubscription(MakeSubscription("a", ObjectType::kGroup, "ga", {"MemberAdded"}))
          .ok());
  int next = 0;
  auto commit = [&](int n, const std::string& type, std::size_t text) {
    std::vector<Event> events;
    for (int i = 0; i < n; ++i) {
      boost::json::object o{{"eventId", "e" + std::to_string(next++)},
                            {"eventType", type},
                            {"groupId", "ga"},
                            {"data", boost::json::object{{"text", std::string(text, 'x')}}}};
      Event e = ParseEvent(o).value();
      AssignDefaults(e, e.id, 1000);
      events.push_back(std::move(e));
    }
    std::vector<NewDelivery> created;
    auto r = store->CommitEvents(events, 1000, &created);
    return r ? static_cast<int>(created.size()) : -1;
  };
  while (commit(10, "TextMessageCreated", 200 * 1024) >= 0) {
  }
  int stored = 0;
  int refused = 0;
  for (int size : {50, 10, 1}) {
    for (int created; (created = commit(size, "MemberAdded", 100)) >= 0;) stored += created;
    ++refused;
  }
  EXPECT_EQ(refused, 3);
  EXPECT_GT(stored, 0);
  EXPECT_EQ(Stats(*store, "a").pending, stored);
}

TEST_F(StatsWriteBackTest, ConcurrentWritersLoseNoChange) {
  // The ingest commits deliveries while the recorder records them, with write-backs in between
  // (at most 3 held records, 40 subscriptions): every change of either must be counted.
  auto store = Open(milliseconds(1), 3);
  ASSERT_TRUE(store);
  constexpr int kSubs = 40;
  constexpr int kEvents = 400;
  for (int i = 0; i < kSubs; ++i) {
    const std::string n = std::to_string(i);
    ASSERT_TRUE(
        store->PutSubscription(MakeSubscription("s" + n, ObjectType::kGroup, "g" + n)).ok());
  }
  std::mutex mu;
  std::condition_variable cv;
  std::deque<DeliveryId> created;
  bool done = false;
  std::thread recorder([&] {
    for (;;) {
      std::vector<AttemptUpdate> batch;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return done || !created.empty(); });
        if (created.empty()) return;
        while (!created.empty() && batch.size() < 4) {
          batch.push_back(Answered(created.front(), 5000, true));
          created.pop_front();
        }
      }
      EXPECT_TRUE(store->RecordAttempts(batch).ok());
    }
  });
  for (int i = 0; i < kEvents; ++i) {
    auto ids = Publish(*store, "e" + std::to_string(i), "g" + std::to_string(i % kSubs));
    std::lock_guard<std::mutex> lock(mu);
    created.insert(created.end(), ids.begin(), ids.end());
    cv.notify_one();
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
    cv.notify_one();
  }
  recorder.join();
  for (int i = 0; i < kSubs; ++i) {
    SubscriptionStats s = Stats(*store, "s" + std::to_string(i));
    EXPECT_EQ(s.pending, 0) << i;
    EXPECT_EQ(s.delivered, kEvents / kSubs) << i;
    EXPECT_EQ(s.attempts, kEvents / kSubs) << i;
  }
}

}  // namespace
}  // namespace hookbroker::testing
