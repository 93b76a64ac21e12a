// Expiry gives space back to ingest after ingest filled the map, in the same process: the map of
// the smallest size the broker allows (16 MiB), filled with big events and then small ones until
// even one event is refused, then all of it expired. LMDB in a temporary folder, the history
// collector on a fake clock.
//
// Regression: the integration test
// StorageFullTest.ExpiryFreesSpaceAfterIngestFilledTheMapToTheLastPage failed whenever every stored
// event expired in one expiry step (a fast fill): LMDB reuses the pages a commit freed only after a
// later commit, and nothing committed after that step, since every ingest attempt failed.
// HistoryCollector now ends such a pass with Store::FinishExpiryPass.
#include <gtest/gtest.h>

#include "broker/history_collector.h"
#include "broker/store.h"
#include "tests/broker/broker_test_util.h"
#include "tests/support/temp_dir.h"

namespace hookbroker::testing {
namespace {

constexpr std::int64_t kStart = 1'700'000'000'000;
constexpr std::int64_t kRetentionMs = 2000;

class ExpiryAfterMapFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = Store::Open(StoreOptions{dir_.path(), 16ULL << 20, 126});
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
  }

  // Ten events of ~200 KiB (as near the data limit as the integration test's), or `n` small ones.
  Status Publish(int n, bool big) {
    std::vector<Event> events;
    for (int i = 0; i < n; ++i) {
      const std::string id = "e" + std::to_string(next_id_++);
      events.push_back(big ? MakeBigEvent(id, "g", clock_.NowMs())
                           : MakeEvent(id, "MemberAdded", "g"));
    }
    std::vector<NewDelivery> deliveries;
    auto r = store_->CommitEvents(events, clock_.NowMs(), &deliveries);
    if (!r) return r.error();
    return Status::Ok();
  }

  // Big requests until one is refused, then requests of 100, 10 and 1 small events, each size
  // until one is refused: the map is full to the page. Returns the events stored.
  int FillTheMap() {
    int stored = 0;
    Status s = Status::Ok();
    while ((s = Publish(10, true))) stored += 10;
    EXPECT_EQ(s.error().code, "storage_full") << s.error().message;
    for (int size : {100, 10, 1}) {
      while ((s = Publish(size, false))) stored += size;
      EXPECT_EQ(s.error().code, "storage_full") << s.error().message;
    }
    return stored;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  FakeClock clock_{kStart};
  int next_id_ = 0;
};

TEST_F(ExpiryAfterMapFullTest, OneExpiryPassThatRemovedEverythingGivesTheSpaceBackToIngest) {
  const int stored = FillTheMap();
  ASSERT_GT(stored, 80);
  HistoryOptions options;
  options.retention = std::chrono::milliseconds(kRetentionMs);
  HistoryCollector collector(*store_, clock_, options);
  clock_.Advance(kRetentionMs + 1);
  const GcResult removed = collector.RunOnce();
  EXPECT_EQ(removed.events, static_cast<std::size_t>(stored));

  // Nothing else commits in between: the pass alone must have made the space usable.
  EXPECT_TRUE(Publish(10, true)) << "a big request after expiry emptied the store";
  EXPECT_TRUE(Publish(1, false));
}

// The cause, shown on the store alone: the pages one expiry step frees are not usable by the
// next transaction (LMDB keeps the snapshot before the latest commit); one more commit, which
// FinishExpiryPass makes, releases them.
TEST_F(ExpiryAfterMapFullTest, PagesFreedByTheLatestCommitAreReusableOnlyAfterTheNextCommit) {
  const int stored = FillTheMap();
  clock_.Advance(kRetentionMs + 1);
  GcPosition position;
  auto step = store_->CollectGarbage(clock_.NowMs() - kRetentionMs, 1000, &position);
  ASSERT_TRUE(step.ok()) << step.error().message;
  ASSERT_EQ(step->events, static_cast<std::size_t>(stored));
  ASSERT_FALSE(step->more);

  Status before = Publish(10, true);
  ASSERT_FALSE(before) << "LMDB reused the pages of the latest commit: this test's premise is gone";
  EXPECT_EQ(before.error().code, "storage_full");
  ASSERT_TRUE(store_->FinishExpiryPass(clock_.NowMs()));
  EXPECT_TRUE(Publish(10, true));
}

}  // namespace
}  // namespace hookbroker::testing
