// The store's commit group (commit_group.h) with LMDB in a temporary folder: attempt records
// share the ingest's commit, and land even when the events they rode with are refused. A
// patience of an hour makes a recorder's write wait for the next ingest commit whatever the
// timing; each test starts that commit once the write is seen waiting.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "broker/store.h"
#include "proto/ingest_codec.h"
#include "tests/broker/broker_test_util.h"
#include "tests/support/temp_dir.h"

namespace hookbroker::testing {
namespace {

constexpr std::int64_t kNow = 1'700'000'000'000;

class StoreGroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions options{dir_.path(), 16ULL << 20, 126};
    options.record_patience = std::chrono::hours(1);
    auto s = Store::Open(options);
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
    ASSERT_TRUE(store_->PutSubscription(MakeSubscription("s", ObjectType::kGroup, "g")).ok());
    std::vector<NewDelivery> deliveries;
    ASSERT_TRUE(store_
                    ->CommitEvents(std::vector<Event>{MakeEvent("e0", "MemberAdded", "g")}, kNow,
                                   &deliveries)
                    .ok());
    ASSERT_EQ(deliveries.size(), 1u);
    delivery_ = deliveries[0].id;
  }

  // Records the delivery's first attempt, delivered, from another thread, and returns once that
  // write waits in the group (an ingest commit just ended, so it waits for the next).
  std::future<Status> RecordDeliveredInTheBackground() {
    AttemptUpdate u;
    u.delivery_id = delivery_;
    u.attempt.number = 1;
    u.attempt.started_ms = kNow;
    u.attempt.recorded_ms = kNow + 5;
    u.attempt.outcome = AttemptOutcome::kDelivered;
    u.attempt.http_status = 200;
    u.new_status = DeliveryStatus::kDelivered;
    auto recorded = std::async(std::launch::async, [this, u] {
      return store_->RecordAttempts(std::vector<AttemptUpdate>{u});
    });
    while (store_->WriteGroupCounts().waiting < 1) std::this_thread::yield();
    return recorded;
  }

  DeliveryStatus StatusOfTheDelivery() {
    auto got = store_->GetDelivery(delivery_);
    EXPECT_TRUE(got.ok() && got->has_value());
    return got.ok() && got->has_value() ? (*got)->delivery.status : DeliveryStatus::kPending;
  }

  // Events of a group nobody subscribes to, `n` of ~200 KiB or small ones, in one commit.
  Status Publish(int n, bool big) {
    std::vector<Event> events;
    for (int i = 0; i < n; ++i) {
      const std::string id = "x" + std::to_string(next_id_++);
      events.push_back(big ? MakeBigEvent(id, "x", kNow) : MakeEvent(id, "MemberAdded", "x"));
    }
    std::vector<NewDelivery> deliveries;
    auto r = store_->CommitEvents(events, kNow, &deliveries);
    if (!r) return r.error();
    return Status::Ok();
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  DeliveryId delivery_{0};
  int next_id_ = 0;
};

TEST_F(StoreGroupCommitTest, AttemptRecordsShareTheNextIngestCommit) {
  const CommitGroup::Counts before = store_->WriteGroupCounts();
  auto recorded = RecordDeliveredInTheBackground();
  std::vector<NewDelivery> deliveries;
  auto committed = store_->CommitEvents(std::vector<Event>{MakeEvent("e1", "MemberAdded", "g")},
                                        kNow + 10, &deliveries);
  ASSERT_TRUE(committed.ok()) << committed.error().message;
  ASSERT_TRUE(recorded.get().ok());

  const CommitGroup::Counts after = store_->WriteGroupCounts();
  EXPECT_EQ(after.commits - before.commits, 1u) << "one transaction, one fsync, for both";
  EXPECT_EQ(after.members - before.members, 2u);
  EXPECT_EQ(StatusOfTheDelivery(), DeliveryStatus::kDelivered);
  ASSERT_EQ(deliveries.size(), 1u);
  EXPECT_GT(deliveries[0].id.value(), delivery_.value());
  auto stats = store_->GetSubscriptionStats(SubscriptionId("s"));
  ASSERT_TRUE(stats.ok() && stats->has_value());
  EXPECT_EQ((*stats)->delivered, 1);
  EXPECT_EQ((*stats)->pending, 1) << "e0's delivery done, e1's new";
}

TEST_F(StoreGroupCommitTest, AttemptRecordsLandWhenTheEventsTheyRodeWithAreRefused) {
  // Fill the map to the page with events nobody subscribes to.
  Status s = Status::Ok();
  while ((s = Publish(10, true))) {
  }
  for (int size : {100, 10, 1}) {
    while ((s = Publish(size, false))) {
    }
  }
  ASSERT_EQ(s.error().code, "storage_full") << s.error().message;

  auto recorded = RecordDeliveredInTheBackground();
  Status refused = Publish(1, false);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "storage_full");
  const Status record = recorded.get();
  ASSERT_TRUE(record.ok()) << "the map's reserve takes the attempt record: "
                           << record.error().message;
  EXPECT_EQ(StatusOfTheDelivery(), DeliveryStatus::kDelivered);
}

}  // namespace
}  // namespace hookbroker::testing
