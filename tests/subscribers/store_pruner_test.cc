#include "subscribers/store_pruner.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/temp_dir.h"

namespace hookbroker::testing {
namespace {

using subscribers::PrunerOptions;
using subscribers::ReceivedStore;
using subscribers::StorePruner;

constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::int64_t kStart = 1'700'000'000'000;

class StorePrunerTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = std::move(ReceivedStore::Open(dir_.File("store")).value()); }

  PrunerOptions Options() {
    PrunerOptions o;
    o.retention = std::chrono::hours(24 * 2);
    o.now_ms = [this] { return now_ms_; };
    o.log = [this](const std::string& line) { log_.push_back(line); };
    return o;
  }

  TempDir dir_;
  std::unique_ptr<ReceivedStore> store_;
  std::int64_t now_ms_ = kStart;
  std::vector<std::string> log_;
};

TEST_F(StorePrunerTest, ForgetsForwardedCallbacksOlderThanTheRetention) {
  // 25 callbacks a day old, more than two batches, and one from today.
  for (int i = 0; i < 25; ++i) {
    ASSERT_TRUE(store_->StoreOnce("msg_" + std::to_string(i), "r", kStart).ok());
  }
  ASSERT_TRUE(store_->StoreOnce("msg_today", "r", kStart + kDayMs).ok());
  ASSERT_TRUE(store_->MarkForwarded(26).ok());
  PrunerOptions options = Options();
  options.batch = 10;
  StorePruner pruner(store_.get(), options);

  now_ms_ = kStart + kDayMs;  // a day later: within the two days' retention
  EXPECT_EQ(pruner.PruneNow(), 0u);
  now_ms_ = kStart + 2 * kDayMs + 1;  // just past it for the old ones
  EXPECT_EQ(pruner.PruneNow(), 25u);
  EXPECT_EQ(*store_->Count(), 1u);
  EXPECT_FALSE(*store_->Seen("msg_0"));
  EXPECT_TRUE(*store_->Seen("msg_today"));
  EXPECT_TRUE(log_.empty());
}

TEST_F(StorePrunerTest, KeepsWhatIsNotForwardedYet) {
  ASSERT_TRUE(store_->StoreOnce("msg_1", "r", kStart).ok());
  now_ms_ = kStart + 30 * kDayMs;
  StorePruner pruner(store_.get(), Options());
  EXPECT_EQ(pruner.PruneNow(), 0u);
  EXPECT_TRUE(*store_->Seen("msg_1"));
}

TEST_F(StorePrunerTest, PrunesOnStartInItsThread) {
  ASSERT_TRUE(store_->StoreOnce("msg_1", "r", kStart).ok());
  ASSERT_TRUE(store_->MarkForwarded(1).ok());
  now_ms_ = kStart + 3 * kDayMs;
  StorePruner pruner(store_.get(), Options());
  pruner.Start();
  pruner.Stop();  // the first pass always runs, even when Stop() comes at once
  EXPECT_EQ(*store_->Count(), 0u);
}

}  // namespace
}  // namespace hookbroker::testing
