#include "subscribers/received_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.h"

namespace hookbroker::testing {
namespace {

using subscribers::ReceivedStore;

constexpr std::int64_t kReceivedMs = 1'700'000'000'000;

std::unique_ptr<ReceivedStore> Open(const TempDir& dir) {
  auto store = ReceivedStore::Open(dir.File("store"));
  EXPECT_TRUE(store.ok()) << store.error().message;
  return store.ok() ? std::move(*store) : nullptr;
}

TEST(ReceivedStoreTest, StoresANewIdAndRecognisesItAfterwards) {
  TempDir dir;
  auto store = Open(dir);
  auto first = store->StoreOnce("msg_a", "record-a", kReceivedMs);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->duplicate);
  EXPECT_EQ(first->seq, 1u);

  auto again = store->StoreOnce("msg_a", "record-a-second-attempt", kReceivedMs);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->seq, 1u);
  EXPECT_EQ(*store->Count(), 1u);
  auto all = store->ReadAfter(0, 10);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->at(0).record, "record-a");  // the first attempt's record is kept
  EXPECT_TRUE(*store->Seen("msg_a"));
  EXPECT_FALSE(*store->Seen("msg_b"));
}

TEST(ReceivedStoreTest, NumbersCallbacksInArrivalOrderAndReadsAfterAMark) {
  TempDir dir;
  auto store = Open(dir);
  for (const char* id : {"msg_1", "msg_2", "msg_3"}) {
    ASSERT_TRUE(store->StoreOnce(id, std::string("r-") + id, kReceivedMs).ok());
  }
  auto after_one = store->ReadAfter(1, 10);
  ASSERT_EQ(after_one->size(), 2u);
  EXPECT_EQ(after_one->at(0).seq, 2u);
  EXPECT_EQ(after_one->at(1).record, "r-msg_3");
  EXPECT_EQ(store->ReadAfter(0, 1)->size(), 1u);
  EXPECT_TRUE(store->ReadAfter(3, 10)->empty());
}

TEST(ReceivedStoreTest, SeenIdsAndTheForwardedMarkSurviveAReopen) {
  TempDir dir;
  {
    auto store = Open(dir);
    ASSERT_TRUE(store->StoreOnce("msg_1", "r1", kReceivedMs).ok());
    ASSERT_TRUE(store->StoreOnce("msg_2", "r2", kReceivedMs).ok());
    EXPECT_EQ(*store->Forwarded(), 0u);
    ASSERT_TRUE(store->MarkForwarded(1).ok());
  }
  auto store = Open(dir);
  EXPECT_TRUE(store->StoreOnce("msg_1", "r1", kReceivedMs)->duplicate);
  EXPECT_EQ(*store->Forwarded(), 1u);
  auto next = store->StoreOnce("msg_3", "r3", kReceivedMs);
  EXPECT_FALSE(next->duplicate);
  EXPECT_EQ(next->seq, 3u);
}

TEST(ReceivedStoreTest, RacingAttemptsOfOneIdStoreItOnce) {
  TempDir dir;
  auto store = Open(dir);
  std::atomic<int> stored{0}, duplicates{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        auto r = store->StoreOnce("msg_" + std::to_string(i), "r", kReceivedMs);
        ASSERT_TRUE(r.ok());
        (r->duplicate ? duplicates : stored)++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(stored.load(), 20);
  EXPECT_EQ(duplicates.load(), 7 * 20);
  EXPECT_EQ(*store->Count(), 20u);
}

TEST(ReceivedStoreTest, PruneDropsOldForwardedCallbacksAndTheirIds) {
  TempDir dir;
  auto store = Open(dir);
  constexpr std::int64_t kDay = 86'400'000;
  ASSERT_TRUE(store->StoreOnce("msg_old1", "r1", kReceivedMs).ok());
  ASSERT_TRUE(store->StoreOnce("msg_old2", "r2", kReceivedMs + 1).ok());
  ASSERT_TRUE(store->StoreOnce("msg_new", "r3", kReceivedMs + 2 * kDay).ok());

  // Nothing is forwarded yet: nothing may go, however old.
  EXPECT_EQ(*store->Prune(kReceivedMs + 3 * kDay, 100), 0u);
  ASSERT_TRUE(store->MarkForwarded(3).ok());
  // Only what was received before the cutoff, and at most `limit` at a time.
  EXPECT_EQ(*store->Prune(kReceivedMs + kDay, 1), 1u);
  EXPECT_FALSE(*store->Seen("msg_old1"));
  EXPECT_TRUE(*store->Seen("msg_old2"));
  EXPECT_EQ(*store->Prune(kReceivedMs + kDay, 100), 1u);
  EXPECT_EQ(*store->Count(), 1u);
  EXPECT_TRUE(*store->Seen("msg_new"));
  EXPECT_EQ(store->ReadAfter(0, 10)->at(0).record, "r3");
  // A pruned id is new again.
  EXPECT_FALSE(store->StoreOnce("msg_old1", "again", kReceivedMs + 3 * kDay)->duplicate);
}

TEST(ReceivedStoreTest, OpenReportsAnUnusableDirectory) {
  TempDir dir;
  auto store = ReceivedStore::Open("/proc/hooksink-cannot-be-here");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, "storage_error");
}

}  // namespace
}  // namespace hookbroker::testing
