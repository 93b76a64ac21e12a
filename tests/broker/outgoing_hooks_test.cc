// OutgoingHooks over a real Store (LMDB in a temporary folder): what is created, regenerated and
// deleted is what a restarted broker loads.
#include "broker/outgoing_hooks.h"

#include <gtest/gtest.h>

#include "proto/chat_id.h"
#include "tests/support/temp_dir.h"

namespace hookbroker::testing {
namespace {

class OutgoingHooksTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    hooks_.reset();
    store_.reset();
    auto s = Store::Open(StoreOptions{dir_.path(), 64ULL << 20, 126});
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
    hooks_ = std::make_unique<OutgoingHooks>(*store_);
    ASSERT_TRUE(hooks_->Load().ok());
  }
  static OutgoingHook Hook(std::string word) {
    OutgoingHook h;
    h.trigger_words = {std::move(word)};
    h.callback_urls = {"https://bot.example/hook"};
    return h;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<OutgoingHooks> hooks_;
};

TEST_F(OutgoingHooksTest, CreateAssignsIdTokenAndTimesAndSurvivesARestart) {
  EXPECT_TRUE(hooks_->empty());
  auto a = hooks_->Create(Hook("#a"), 1000);
  auto b = hooks_->Create(Hook("#b"), 2000);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(IsChatId(a->id.value()));
  EXPECT_TRUE(IsChatId(a->token));
  EXPECT_NE(a->id, b->id);
  EXPECT_NE(a->token, b->token);
  EXPECT_EQ(a->create_at_ms, 1000);
  EXPECT_FALSE(hooks_->empty());

  Reopen();
  ASSERT_EQ(hooks_->All()->size(), 2u);
  auto got = hooks_->Get(a->id);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->token, a->token);
  EXPECT_EQ(got->trigger_words, std::vector<std::string>{"#a"});
  // Ordered by id.
  EXPECT_LT(hooks_->All()->front().id.value(), hooks_->All()->back().id.value());
}

TEST_F(OutgoingHooksTest, RegenerateTokenReplacesItDurably) {
  auto a = hooks_->Create(Hook("#a"), 1000);
  ASSERT_TRUE(a.ok());
  auto regen = hooks_->RegenerateToken(a->id, 5000);
  ASSERT_TRUE(regen.ok() && regen->has_value());
  EXPECT_NE((*regen)->token, a->token);
  EXPECT_EQ((*regen)->update_at_ms, 5000);
  EXPECT_EQ(hooks_->Get(a->id)->token, (*regen)->token);
  Reopen();
  EXPECT_EQ(hooks_->Get(a->id)->token, (*regen)->token);
  auto unknown = hooks_->RegenerateToken(OutgoingHookId(NewChatId()), 6000);
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->has_value());
}

TEST_F(OutgoingHooksTest, DeleteRemovesItFromTheSnapshotAndTheStore) {
  auto a = hooks_->Create(Hook("#a"), 1000);
  ASSERT_TRUE(a.ok());
  OutgoingHooks::Snapshot before = hooks_->All();
  auto deleted = hooks_->Delete(a->id);
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(*deleted);
  EXPECT_TRUE(hooks_->empty());
  EXPECT_EQ(before->size(), 1u);  // a snapshot taken earlier stays as it was
  EXPECT_FALSE(*hooks_->Delete(a->id));
  Reopen();
  EXPECT_TRUE(hooks_->empty());
}

TEST_F(OutgoingHooksTest, LoadRefusesARecordItCannotRead) {
  ASSERT_TRUE(store_->PutRecord(RecordKind::kOutgoingHook, "bad", "{not json").ok());
  OutgoingHooks hooks(*store_);
  Status loaded = hooks.Load();
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, "corrupt_record");
}

}  // namespace
}  // namespace hookbroker::testing
