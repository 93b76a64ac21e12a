// The store's history side: requeue, replay, the attempt log, per-webhook counters, expiry, and
// delivery ids that are never given twice (across a crash, after expiry).
#include <gtest/gtest.h>
#include <lmdb.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

#include "broker/history_collector.h"
#include "broker/store.h"
#include "tests/broker/broker_test_util.h"
#include "tests/support/temp_dir.h"

namespace hookbroker::testing {
namespace {

AttemptUpdate Outcome(const DeliveryId& id, int n, std::int64_t at, AttemptOutcome outcome,
                      int status, DeliveryStatus new_status, std::int64_t next = 0,
                      std::int64_t duration = 7) {
  AttemptUpdate u;
  u.delivery_id = id;
  u.attempt.number = n;
  u.attempt.started_ms = at;
  u.attempt.duration_ms = duration;
  u.attempt.recorded_ms = at + duration;
  u.attempt.outcome = outcome;
  u.attempt.http_status = status;
  u.new_status = new_status;
  u.next_attempt_ms = next;
  return u;
}

class StoreHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = Store::Open(StoreOptions{dir_.path(), 64ULL << 20, 126});
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
    ASSERT_TRUE(store_->PutSubscription(MakeSubscription("s", ObjectType::kGroup, "g")).ok());
  }
  DeliveryId Publish(const std::string& event_id, std::int64_t now) {
    std::vector<NewDelivery> created;
    auto r = store_->CommitEvents(std::vector<Event>{MakeEvent(event_id, "MemberAdded", "g")}, now,
                                  &created);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(created.size(), 1u);
    return created.at(0).id;
  }
  void Record(const AttemptUpdate& u) {
    ASSERT_TRUE(store_->RecordAttempts(std::vector<AttemptUpdate>{u}).ok());
  }
  DeliveryRecord Get(const DeliveryId& id) {
    auto d = store_->GetDelivery(id);
    EXPECT_TRUE(d.ok() && d->has_value());
    return (*d)->delivery;
  }
  SubscriptionStats Stats() {
    auto s = store_->GetSubscriptionStats(SubscriptionId("s"));
    EXPECT_TRUE(s.ok() && s->has_value());
    return s->value_or(SubscriptionStats{});
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreHistoryTest, RequeueStartsANewRoundAndRefusesPendingDeliveries) {
  const DeliveryId id = Publish("e1", 1000);
  auto pending = store_->Requeue(id, 1500);
  ASSERT_FALSE(pending.ok());
  EXPECT_EQ(pending.error().code, "conflict");

  Record(Outcome(id, 1, 1000, AttemptOutcome::kHttpError, 500, DeliveryStatus::kFailed));
  auto requeued = store_->Requeue(id, 2000);
  ASSERT_TRUE(requeued.ok() && requeued->has_value());
  EXPECT_EQ((*requeued)->status, DeliveryStatus::kPending);
  EXPECT_EQ((*requeued)->round_start, 1);
  EXPECT_EQ((*requeued)->next_attempt_ms, 2000);
  std::vector<std::int64_t> due;
  ASSERT_TRUE(store_->ForEachPending([&](const NewDelivery& d) { due.push_back(d.due_ms); }).ok());
  EXPECT_EQ(due, std::vector<std::int64_t>{2000});

  auto unknown = store_->Requeue(DeliveryId(999), 2000);
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->has_value());
}

TEST_F(StoreHistoryTest, ReplayTakesFailedDeliveriesInTheWindowOnly) {
  const DeliveryId early = Publish("early", 1000);
  const DeliveryId failed = Publish("failed", 2000);
  const DeliveryId delivered = Publish("delivered", 2100);
  const DeliveryId pending = Publish("pending", 2200);
  Record(Outcome(early, 1, 1000, AttemptOutcome::kHttpError, 500, DeliveryStatus::kFailed));
  Record(Outcome(failed, 1, 2000, AttemptOutcome::kTimeout, 0, DeliveryStatus::kFailed));
  Record(Outcome(delivered, 1, 2100, AttemptOutcome::kDelivered, 200, DeliveryStatus::kDelivered));

  std::vector<NewDelivery> replayed_list;
  ASSERT_TRUE(store_->Replay(SubscriptionId("s"), 1500, 3000, false, 5000, &replayed_list).ok());
  const auto* replayed = &replayed_list;
  ASSERT_EQ(replayed->size(), 1u);
  EXPECT_EQ(replayed->at(0).id, failed);
  EXPECT_EQ(Get(early).status, DeliveryStatus::kFailed);
  EXPECT_EQ(Get(pending).status, DeliveryStatus::kPending);

  std::vector<NewDelivery> all_list;
  ASSERT_TRUE(store_->Replay(SubscriptionId("s"), 1500, 3000, true, 5000, &all_list).ok());
  const auto* all = &all_list;
  ASSERT_EQ(all->size(), 1u) << "only the delivered one is left to replay";
  EXPECT_EQ(all->at(0).id, delivered);
}

TEST_F(StoreHistoryTest, CountersFollowEveryTransition) {
  const DeliveryId a = Publish("a", 1000);
  const DeliveryId b = Publish("b", 1000);
  EXPECT_EQ(Stats().pending, 2);
  Record(Outcome(a, 1, 1000, AttemptOutcome::kHttpError, 503, DeliveryStatus::kPending, 2000, 40));
  Record(Outcome(a, 2, 2000, AttemptOutcome::kDelivered, 200, DeliveryStatus::kDelivered, 0, 3));
  Record(Outcome(b, 1, 1000, AttemptOutcome::kConnectError, 0, DeliveryStatus::kFailed));
  SubscriptionStats s = Stats();
  EXPECT_EQ(s.pending, 0);
  EXPECT_EQ(s.delivered, 1);
  EXPECT_EQ(s.failed, 1);
  EXPECT_EQ(s.attempts, 3);
  EXPECT_EQ(s.last_success_ms, 2003);
  EXPECT_EQ(s.last_failure_ms, 1007);
  // Only answered attempts enter the latency histogram: 40 ms and 3 ms.
  EXPECT_EQ(s.latency[LatencyBucket(40)], 1);
  EXPECT_EQ(s.latency[LatencyBucket(3)], 1);
  std::int64_t answered = 0;
  for (auto n : s.latency) answered += n;
  EXPECT_EQ(answered, 2);

  ASSERT_TRUE(store_->Requeue(b, 3000).ok());
  s = Stats();
  EXPECT_EQ(s.failed, 0);
  EXPECT_EQ(s.pending, 1);
}

TEST_F(StoreHistoryTest, AttemptLogIsInRecordOrderWithCursorAndTimeRange) {
  const DeliveryId a = Publish("a", 1000);
  const DeliveryId b = Publish("b", 1000);
  Record(Outcome(b, 1, 1000, AttemptOutcome::kHttpError, 500, DeliveryStatus::kPending, 1500));
  Record(Outcome(a, 1, 1100, AttemptOutcome::kDelivered, 200, DeliveryStatus::kDelivered));
  Record(Outcome(b, 2, 1500, AttemptOutcome::kDelivered, 200, DeliveryStatus::kDelivered));

  AttemptLogFilter all;
  auto page = store_->ListAttemptLog(all);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->entries.size(), 3u);
  EXPECT_EQ(page->entries[0].delivery.id, b);
  EXPECT_EQ(page->entries[1].delivery.id, a);
  EXPECT_EQ(page->entries[2].attempt.number, 2);

  AttemptLogFilter after;
  after.after_cursor = page->entries[0].cursor;
  after.limit = 1;
  auto next = store_->ListAttemptLog(after);
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->entries.size(), 1u);
  EXPECT_EQ(next->entries[0].delivery.id, a);

  AttemptLogFilter window;
  window.since_ms = 1100;
  window.until_ms = 1200;
  auto in_window = store_->ListAttemptLog(window);
  ASSERT_TRUE(in_window.ok());
  ASSERT_EQ(in_window->entries.size(), 1u);
  EXPECT_EQ(in_window->entries[0].delivery.id, a);

  AttemptLogFilter bad;
  bad.after_cursor = "zz";
  auto refused = store_->ListAttemptLog(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field, "cursor");
}

TEST_F(StoreHistoryTest, ExpiryRemovesFinalHistoryAndKeepsPendingDeliveries) {
  const DeliveryId old_done = Publish("old-done", 1000);
  const DeliveryId old_pending = Publish("old-pending", 1000);
  const DeliveryId fresh = Publish("fresh", 9000);
  Record(Outcome(old_done, 1, 1000, AttemptOutcome::kDelivered, 200, DeliveryStatus::kDelivered));
  Record(Outcome(fresh, 1, 9000, AttemptOutcome::kDelivered, 200, DeliveryStatus::kDelivered));

  FakeClock clock(10000);
  HistoryOptions options;
  options.retention = std::chrono::milliseconds(5000);  // cutoff 5000
  options.batch = 1;                                    // many small steps
  HistoryCollector collector(*store_, clock, options);
  GcResult removed = collector.RunOnce();
  EXPECT_EQ(removed.deliveries, 1u);
  EXPECT_EQ(removed.events, 1u);

  auto gone = store_->GetDelivery(old_done);
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
  auto event = store_->GetEventJson(EventId("old-done"));
  ASSERT_TRUE(event.ok());
  EXPECT_FALSE(event->has_value());
  AttemptLogFilter all;
  auto log = store_->ListAttemptLog(all);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->entries.size(), 1u);
  EXPECT_EQ(log->entries[0].delivery.id, fresh);

  EXPECT_EQ(Get(old_pending).status, DeliveryStatus::kPending);
  auto kept = store_->GetEventJson(EventId("old-pending"));
  ASSERT_TRUE(kept.ok());
  EXPECT_TRUE(kept->has_value()) << "an event with a pending delivery must stay";
  EXPECT_EQ(Get(fresh).status, DeliveryStatus::kDelivered);

  // An expired event id may be published again.
  std::vector<NewDelivery> created;
  auto again = store_->CommitEvents(std::vector<Event>{MakeEvent("old-done", "MemberAdded", "g")},
                                    11000, &created);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->at(0).status, IngestStatus::kAccepted);
}

// Regression: each expiry step started from the first delivery and gave up after inspecting
// 4 x budget entries, so old pending deliveries (a paused webhook's) in front stopped expiry for
// good.
TEST_F(StoreHistoryTest, ExpiryGetsPastOldPendingDeliveries) {
  for (int i = 0; i < 10; ++i) Publish("held-" + std::to_string(i), 1000);
  const DeliveryId done = Publish("done", 1000);
  Record(Outcome(done, 1, 1000, AttemptOutcome::kDelivered, 200, DeliveryStatus::kDelivered));

  FakeClock clock(10000);
  HistoryOptions options;
  options.retention = std::chrono::milliseconds(5000);
  options.batch = 1;  // inspects at most 4 entries per step
  HistoryCollector collector(*store_, clock, options);
  GcResult removed = collector.RunOnce();
  EXPECT_EQ(removed.deliveries, 1u);
  EXPECT_EQ(removed.events, 1u) << "the walk of event_log gets past the ten events still held";
  auto gone = store_->GetDelivery(done);
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
  auto info = store_->Info();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->pending, 10u);
}

TEST_F(StoreHistoryTest, InfoCountsPendingAndFindsTheOldest) {
  Publish("a", 1000);
  const DeliveryId b = Publish("b", 2000);
  Record(Outcome(b, 1, 2000, AttemptOutcome::kDelivered, 200, DeliveryStatus::kDelivered));
  auto info = store_->Info();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->pending, 1u);
  EXPECT_EQ(info->oldest_pending_created_ms, 1000);
  EXPECT_GT(info->used_bytes, 0u);
  EXPECT_GT(info->file_bytes, 0u);
  EXPECT_EQ(info->map_bytes, 64ULL << 20);
}

// Opens a store on `dir` in a child process, runs `work` on it and exits without closing the
// store or running a destructor (a crash: only what its commits made durable is left). `work`
// returns false to fail. No store may have the folder open.
void RunAndCrash(TempDir& dir, const std::function<bool(Store&)>& work) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    alarm(30);  // a hung child dies rather than hold the folder's lock past the test
    try {
      auto s = Store::Open(StoreOptions{dir.path(), 64ULL << 20, 126});
      if (!s) _exit(2);
      Store* crashed = std::move(s).value().release();  // never closed
      _exit(work(*crashed) ? 0 : 3);
    } catch (...) {
      _exit(4);  // never back into the test's own code in the child
    }
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
}

// Closes `store`, runs `work` on its folder in a crashing child (RunAndCrash), then opens the
// folder again as `store`.
void CrashAfter(TempDir& dir, std::unique_ptr<Store>& store,
                const std::function<bool(Store&)>& work) {
  store.reset();
  ASSERT_NO_FATAL_FAILURE(RunAndCrash(dir, work));
  auto s = Store::Open(StoreOptions{dir.path(), 64ULL << 20, 126});
  ASSERT_TRUE(s.ok()) << s.error().message;
  store = std::move(s).value();
}

// meta's value for `key` in the folder, read with LMDB itself while no store has it open; the
// error when the read fails. `put`: writes that value first.
std::string RawMeta(const std::string& dir, const std::string& key,
                    const std::string* put = nullptr) {
  MDB_env* env = nullptr;
  if (int rc = mdb_env_create(&env); rc != 0) return std::string("error: ") + mdb_strerror(rc);
  mdb_env_set_maxdbs(env, 24);
  std::string out;
  MDB_txn* txn = nullptr;
  MDB_dbi meta;
  int rc = mdb_env_open(env, dir.c_str(), MDB_NOTLS, 0600);
  if (rc == 0) rc = mdb_txn_begin(env, nullptr, put == nullptr ? MDB_RDONLY : 0, &txn);
  if (rc == 0) rc = mdb_dbi_open(txn, "meta", 0, &meta);
  MDB_val k{key.size(), const_cast<char*>(key.data())};
  if (rc == 0 && put != nullptr) {
    MDB_val v{put->size(), const_cast<char*>(put->data())};
    rc = mdb_put(txn, meta, &k, &v, 0);
  }
  MDB_val v{};
  if (rc == 0) rc = mdb_get(txn, meta, &k, &v);
  if (rc == 0) out.assign(static_cast<const char*>(v.mv_data), v.mv_size);
  if (txn != nullptr) rc = rc == 0 ? mdb_txn_commit(txn) : (mdb_txn_abort(txn), rc);
  mdb_env_close(env);
  return rc == 0 ? out : std::string("error: ") + mdb_strerror(rc);
}

bool PublishIn(Store& store, const std::string& event_id, std::int64_t now, DeliveryId* id) {
  std::vector<NewDelivery> created;
  auto r = store.CommitEvents(std::vector<Event>{MakeEvent(event_id, "MemberAdded", "g")}, now,
                              &created);
  if (!r.ok() || created.size() != 1) return false;
  *id = created[0].id;
  return true;
}

// Ingest commits do not write the delivery counter: the store takes the last delivery's id + 1
// when it opens.
TEST_F(StoreHistoryTest, DeliveryIdsGoOnAfterACrash) {
  const DeliveryId first = Publish("before", 1000);
  store_.reset();  // a clean close saves the counter
  auto s = Store::Open(StoreOptions{dir_.path(), 64ULL << 20, 126});
  ASSERT_TRUE(s.ok());
  store_ = std::move(s).value();
  const DeliveryId second = Publish("after-reopen", 1000);
  EXPECT_EQ(second.value(), first.value() + 1);

  ASSERT_NO_FATAL_FAILURE(CrashAfter(dir_, store_, [&](Store& store) {
    DeliveryId id;
    for (int i = 0; i < 3; ++i) {
      if (!PublishIn(store, "in-child-" + std::to_string(i), 1000, &id)) return false;
    }
    return id.value() == second.value() + 3;
  }));
  const DeliveryId next = Publish("after-crash", 1000);
  EXPECT_EQ(next.value(), second.value() + 4) << "ids given before the crash are not given again";
  EXPECT_EQ(Get(next).event_id, EventId("after-crash"));
}

// Expiry may remove the newest deliveries; their ids must not come back after a restart, even one
// after a crash, since clients and the audit export have seen them.
TEST_F(StoreHistoryTest, ExpiredNewestDeliveriesKeepTheirIdsAfterACrash) {
  ASSERT_NO_FATAL_FAILURE(CrashAfter(dir_, store_, [&](Store& store) {
    FakeClock clock(10000);
    HistoryOptions options;
    options.retention = std::chrono::milliseconds(5000);
    HistoryCollector collector(store, clock, options);
    for (int i = 0; i < 3; ++i) {
      DeliveryId id;
      if (!PublishIn(store, "old-" + std::to_string(i), 1000, &id)) return false;
      AttemptUpdate u =
          Outcome(id, 1, 1000, AttemptOutcome::kDelivered, 200, DeliveryStatus::kDelivered);
      if (id.value() != static_cast<std::uint64_t>(i) + 1 ||
          !store.RecordAttempts(std::vector<AttemptUpdate>{u}).ok()) {
        return false;
      }
    }
    return collector.RunOnce().deliveries == 3;  // every delivery, the newest too
  }));
  auto gone = store_->GetDelivery(DeliveryId(3));
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value()) << "expired in the child";
  const DeliveryId next = Publish("after-expiry", 20000);
  EXPECT_EQ(next.value(), 4u);
}

// A broker from before the delivery counter moved to memory reads meta/next_delivery_id alone; in
// a folder left by a crash that value may be behind the deliveries. Such a broker reads only
// schema version "1"; this one writes version 2, and says "2 (open)" while a store has it open.
TEST_F(StoreHistoryTest, AFolderLeftOpenByACrashIsRefusedByOlderBrokers) {
  store_.reset();
  EXPECT_EQ(RawMeta(dir_.path(), "schema_version"), "2") << "a clean close";
  ASSERT_NO_FATAL_FAILURE(RunAndCrash(dir_, [](Store&) { return true; }));
  EXPECT_EQ(RawMeta(dir_.path(), "schema_version"), "2 (open)");

  // This broker opens it (and marks it open again), and a clean close marks it closed.
  auto s = Store::Open(StoreOptions{dir_.path(), 64ULL << 20, 126});
  ASSERT_TRUE(s.ok()) << s.error().message;
  s.value().reset();
  EXPECT_EQ(RawMeta(dir_.path(), "schema_version"), "2");

  // A version this broker does not know is refused, and left as it was.
  const std::string newer = "3";
  ASSERT_EQ(RawMeta(dir_.path(), "schema_version", &newer), "3");
  auto refused = Store::Open(StoreOptions{dir_.path(), 64ULL << 20, 126});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "storage_error");
  EXPECT_NE(refused.error().message.find("schema version 3"), std::string::npos)
      << refused.error().message;
  EXPECT_EQ(RawMeta(dir_.path(), "schema_version"), "3");
}

}  // namespace
}  // namespace hookbroker::testing
