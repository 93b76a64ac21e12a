#include "broker/channel_store.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace hookbroker::testing {
namespace {

Channel MakeChannel(std::string id, std::string name, bool is_public = true) {
  Channel c;
  c.id = std::move(id);
  c.name = std::move(name);
  c.display_name = "Display " + c.name;
  c.team_id = "team1";
  c.team_domain = "acme";
  c.is_public = is_public;
  return c;
}

class ChannelStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    channels_.reset();
    store_.reset();
    auto s = Store::Open(StoreOptions{dir_.path(), 64ULL << 20, 126});
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
    channels_ = std::make_unique<ChannelStore>(*store_);
  }
  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<ChannelStore> channels_;
};

TEST_F(ChannelStoreTest, PutThenFindByIdAndByNameAfterReopen) {
  auto put = channels_->Put(MakeChannel("g1", "town-square", false));
  ASSERT_TRUE(put.ok());
  EXPECT_TRUE(put->created);
  Reopen();
  auto by_id = channels_->ById("g1");
  ASSERT_TRUE(by_id.ok());
  ASSERT_TRUE(by_id->has_value());
  EXPECT_EQ((*by_id)->name, "town-square");
  EXPECT_FALSE((*by_id)->is_public);
  EXPECT_EQ((*by_id)->team_domain, "acme");
  auto by_name = channels_->ByName("town-square");
  ASSERT_TRUE(by_name.ok());
  ASSERT_TRUE(by_name->has_value());
  EXPECT_EQ((*by_name)->id, "g1");
  EXPECT_FALSE(channels_->ByName("off-topic")->has_value());
  EXPECT_FALSE(channels_->ById("g2")->has_value());
}

TEST_F(ChannelStoreTest, ReplacingKeepsOneRecordAndFreesTheOldName) {
  ASSERT_TRUE(channels_->Put(MakeChannel("g1", "old")).ok());
  auto again = channels_->Put(MakeChannel("g1", "new"));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_FALSE(channels_->ByName("old")->has_value());
  EXPECT_TRUE(channels_->ByName("new")->has_value());
  ASSERT_EQ(channels_->List()->size(), 1u);
  // The old name is free for another channel now.
  EXPECT_TRUE(channels_->Put(MakeChannel("g2", "old")).ok());
}

TEST_F(ChannelStoreTest, NameHeldByAnotherChannelIsAConflictAndChangesNothing) {
  ASSERT_TRUE(channels_->Put(MakeChannel("g1", "ops")).ok());
  auto taken = channels_->Put(MakeChannel("g2", "ops"));
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.error().code, "conflict");
  EXPECT_EQ(taken.error().field, "name");
  EXPECT_FALSE(channels_->ById("g2")->has_value());
}

TEST_F(ChannelStoreTest, ListIsOrderedByIdAndDeleteRemoves) {
  ASSERT_TRUE(channels_->Put(MakeChannel("g2", "b")).ok());
  ASSERT_TRUE(channels_->Put(MakeChannel("g1", "a")).ok());
  auto all = channels_->List();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, "g1");
  EXPECT_EQ((*all)[1].id, "g2");
  EXPECT_TRUE(*channels_->Delete("g1"));
  EXPECT_FALSE(*channels_->Delete("g1"));
  EXPECT_FALSE(channels_->ById("g1")->has_value());
  EXPECT_EQ(channels_->List()->size(), 1u);
}

TEST_F(ChannelStoreTest, ConcurrentPutsOfOneNameLeaveExactlyOneHolder) {
  constexpr int kThreads = 8;
  std::vector<std::thread> threads;
  std::atomic<int> created{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      if (channels_->Put(MakeChannel("g" + std::to_string(i), "contested")).ok()) ++created;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(channels_->List()->size(), 1u);
}

}  // namespace
}  // namespace hookbroker::testing
