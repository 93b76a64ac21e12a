#include "broker/store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/broker/broker_test_util.h"
#include "tests/support/temp_dir.h"

namespace hookbroker::testing {
namespace {

AttemptRecord Attempt(int n, std::int64_t at, AttemptOutcome outcome, int status, std::string error,
                      std::string response) {
  AttemptRecord a;
  a.number = n;
  a.started_ms = at;
  a.duration_ms = 7;
  a.recorded_ms = at + 7;
  a.outcome = outcome;
  a.http_status = status;
  a.error = std::move(error);
  a.response_excerpt = std::move(response);
  return a;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    store_.reset();
    auto s = Store::Open(StoreOptions{dir_.path(), 64ULL << 20, 126});
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
  }
  std::vector<EventCommit> Commit(std::vector<Event> events, std::int64_t now = 5000) {
    deliveries_.clear();
    auto r = store_->CommitEvents(events, now, &deliveries_);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::vector<EventCommit>{};
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::vector<NewDelivery> deliveries_;
};

TEST_F(StoreTest, MatchesEachScopeAndOnlyTheSubscribedTypes) {
  ASSERT_TRUE(store_
                  ->PutSubscription(
                      MakeSubscription("s-group", ObjectType::kGroup, "g1", {"TextMessageCreated"}))
                  .ok());
  ASSERT_TRUE(
      store_->PutSubscription(MakeSubscription("s-pkg", ObjectType::kActionPackage, "p1")).ok());
  ASSERT_TRUE(store_
                  ->PutSubscription(
                      MakeSubscription("s-act", ObjectType::kAction, "a1", {"ActionResponse"}))
                  .ok());
  auto r = Commit({MakeEvent("e1", "TextMessageCreated", "g1"),
                   MakeEvent("e2", "ActionResponse", "g2", "p1", "a1"),
                   MakeEvent("e3", "ActionResponse", "g1", "p2", "a2")});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].deliveries, 1);  // s-group
  EXPECT_EQ(r[1].deliveries, 2);  // s-pkg and s-act, in another group
  EXPECT_EQ(r[2].deliveries, 0);  // the group subscription does not take ActionResponse
  ASSERT_EQ(deliveries_.size(), 3u);
  EXPECT_EQ(deliveries_[0].subscription_id, SubscriptionId("s-group"));
}

TEST_F(StoreTest, ExpiredAndDeletedSubscriptionsMatchNothing) {
  ASSERT_TRUE(
      store_->PutSubscription(MakeSubscription("old", ObjectType::kGroup, "g", {"*"}, 4000)).ok());
  ASSERT_TRUE(store_->PutSubscription(MakeSubscription("gone", ObjectType::kGroup, "g")).ok());
  auto deleted = store_->DeleteSubscription(SubscriptionId("gone"), 10);
  ASSERT_TRUE(deleted.ok() && *deleted);
  auto again = store_->DeleteSubscription(SubscriptionId("gone"), 11);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_EQ(Commit({MakeEvent("e", "MemberAdded", "g")}, /*now=*/5000)[0].deliveries, 0);
  auto got = store_->GetSubscription(SubscriptionId("gone"));
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
}

// Matching first asks an in-memory filter of the scopes (scope_filter.h), which must follow
// scope_index through every kind of subscription write and be rebuilt when the store opens: a
// scope it forgets would lose deliveries, and one it keeps only costs a lookup.
TEST_F(StoreTest, TheMatchingFilterFollowsEveryWriteAndIsRebuiltOnOpen) {
  auto deliveries_for = [&](const std::string& event_id, const std::string& type) {
    return Commit({MakeEvent(event_id, type, "g")})[0].deliveries;
  };
  ASSERT_TRUE(store_->PutSubscription(MakeSubscription("a", ObjectType::kGroup, "g", {"X"})).ok());
  ASSERT_TRUE(store_->PutSubscription(MakeSubscription("b", ObjectType::kGroup, "g", {"Y"})).ok());
  EXPECT_EQ(store_->ScopeFilterScopes(), 1u);
  EXPECT_EQ(deliveries_for("e1", "X"), 1);
  EXPECT_EQ(deliveries_for("e2", "Y"), 1);
  EXPECT_EQ(deliveries_for("e3", "Z"), 0);

  // Widened and narrowed by an update; a change that fails commits nothing and adds nothing.
  auto widened = store_->UpdateSubscription(SubscriptionId("a"), [](Subscription& s) {
    s.event_types = {"Z"};
    return Status::Ok();
  });
  ASSERT_TRUE(widened.ok() && widened->has_value());
  EXPECT_EQ(deliveries_for("e4", "Z"), 1);
  EXPECT_EQ(deliveries_for("e5", "X"), 0);
  // A transaction that fails after a subscription was added takes the addition back (an id too
  // long for an LMDB key fails the second write); one that adds, deletes and adds again the same
  // subscription counts it once.
  Subscription too_long = MakeSubscription(std::string(600, 'x'), ObjectType::kGroup, "g2");
  EXPECT_FALSE(store_
                   ->PutSubscriptions(std::vector<Subscription>{
                       MakeSubscription("new", ObjectType::kGroup, "g3"), too_long})
                   .ok());
  EXPECT_EQ(store_->ScopeFilterScopes(), 1u);
  EXPECT_EQ(Commit({MakeEvent("e6", "X", "g3")})[0].deliveries, 0);
  Subscription again = MakeSubscription("again", ObjectType::kGroup, "g4", {"X"});
  Subscription gone = again;
  gone.deleted = true;
  ASSERT_TRUE(store_->PutSubscriptions(std::vector<Subscription>{again, gone, again}).ok());
  EXPECT_EQ(store_->ScopeFilterScopes(), 2u);
  EXPECT_EQ(Commit({MakeEvent("e6b", "X", "g4")})[0].deliveries, 1);
  ASSERT_TRUE(store_->DeleteSubscription(SubscriptionId("again"), 9).ok());
  EXPECT_EQ(store_->ScopeFilterScopes(), 1u);

  // Deleting one of two subscriptions keeps the scope; the last one takes it.
  ASSERT_TRUE(store_->DeleteSubscription(SubscriptionId("b"), 10).ok());
  EXPECT_EQ(deliveries_for("e7", "Y"), 0);
  EXPECT_EQ(deliveries_for("e8", "Z"), 1);
  ASSERT_TRUE(store_->DeleteSubscription(SubscriptionId("a"), 11).ok());
  EXPECT_EQ(store_->ScopeFilterScopes(), 0u);
  EXPECT_EQ(deliveries_for("e9", "Z"), 0);

  // Added again, then disabled by failing callbacks, then enabled by an update.
  ASSERT_TRUE(store_->PutSubscription(MakeSubscription("c", ObjectType::kGroup, "g", {"X"})).ok());
  EXPECT_EQ(deliveries_for("e10", "X"), 1);
  AttemptUpdate u;
  u.delivery_id = deliveries_.at(0).id;
  u.attempt = Attempt(1, 5000, AttemptOutcome::kHttpError, 503, "HTTP 503", "busy");
  u.new_status = DeliveryStatus::kPending;
  u.next_attempt_ms = 6000;
  ASSERT_TRUE(store_->RecordAttempts(std::vector<AttemptUpdate>{u}, /*disable_after_ms=*/500).ok());
  u.attempt = Attempt(2, 6000, AttemptOutcome::kHttpError, 503, "HTTP 503", "busy");
  std::vector<DisabledSubscription> disabled;
  ASSERT_TRUE(store_->RecordAttempts(std::vector<AttemptUpdate>{u}, 500, &disabled).ok());
  ASSERT_EQ(disabled.size(), 1u);
  EXPECT_EQ(store_->ScopeFilterScopes(), 0u);
  EXPECT_EQ(deliveries_for("e11", "X"), 0);
  auto enabled = store_->UpdateSubscription(SubscriptionId("c"), [](Subscription& s) {
    s.disabled_ms = 0;
    s.disabled_reason.clear();
    return Status::Ok();
  });
  ASSERT_TRUE(enabled.ok() && enabled->has_value());
  EXPECT_EQ(deliveries_for("e12", "X"), 1);

  // Rebuilt from scope_index on open, with every scope type.
  ASSERT_TRUE(
      store_->PutSubscription(MakeSubscription("p", ObjectType::kActionPackage, "p1", {"*"})).ok());
  ASSERT_TRUE(
      store_->PutSubscription(MakeSubscription("q", ObjectType::kAction, "a1", {"Y"})).ok());
  Reopen();
  EXPECT_EQ(store_->ScopeFilterScopes(), 3u);
  EXPECT_EQ(deliveries_for("e13", "X"), 1);
  EXPECT_EQ(deliveries_for("e14", "Y"), 0);
  auto r =
      Commit({MakeEvent("e15", "Y", "g9", "p1", "a1"), MakeEvent("e16", "V", "g9", "p2", "a1")});
  EXPECT_EQ(r[0].deliveries, 2);  // p (any type) and q (Y)
  EXPECT_EQ(r[1].deliveries, 0);
}

// Subscriptions are written while events are committed from another thread: an event committed
// after PutSubscription returned must match it (the filter never answers "no" for it), and one
// committed after DeleteSubscription returned must not.
TEST_F(StoreTest, EventsCommittedAfterASubscriptionWriteSeeItWhileWritesGoOn) {
  constexpr int kSubs = 300;
  std::atomic<int> written{0};   // subscriptions 0 .. written-1 are stored
  std::atomic<int> deleted{0};   // of those, 0 .. deleted-1 are deleted
  std::atomic<int> deleting{0};  // 0 .. deleting-1 are deleted or being deleted
  std::atomic<int> rounds{0};    // commit rounds finished
  std::atomic<bool> writing{true};
  std::atomic<bool> failed{false};
  std::thread writer([&] {
    for (int i = 0; i < kSubs && !failed; ++i) {
      const std::string n = std::to_string(i);
      if (!store_
               ->PutSubscription(
                   MakeSubscription("s" + n, ObjectType::kGroup, "g" + n, {"TextMessageCreated"}))
               .ok()) {
        failed = true;
        break;
      }
      written = i + 1;
      if (i % 3 == 2) {
        const int d = deleted.load();
        deleting = d + 1;
        if (!store_->DeleteSubscription(SubscriptionId("s" + std::to_string(d)), 1).ok()) {
          failed = true;
          break;
        }
        deleted = d + 1;
      }
      // Every 25 subscriptions, let a commit round finish, so that many run between writes.
      if (i % 25 == 24) {
        const int seen = rounds.load();
        while (rounds.load() == seen && !failed) std::this_thread::yield();
      }
    }
    writing = false;
  });
  int checked = 0;
  for (int round = 0; (writing || round < 3) && !failed; ++round) {
    const int live_from = deleted.load();  // read before the commit: a lower bound when it runs
    const int stored = written.load();
    std::vector<Event> events;
    for (int i = 0; i < stored; ++i) {
      events.push_back(MakeEvent("r" + std::to_string(round) + "-" + std::to_string(i),
                                 "TextMessageCreated", "g" + std::to_string(i)));
    }
    std::vector<NewDelivery> made;
    auto r = store_->CommitEvents(events, 5000, &made);
    const int deleted_after = deleting.load();  // an upper bound of the deletions it saw
    if (!r.ok()) {
      ADD_FAILURE() << r.error().message;
      failed = true;
      break;
    }
    for (int i = 0; i < stored && !failed; ++i) {
      if (i >= deleted_after) {
        EXPECT_EQ((*r)[i].deliveries, 1) << "subscription s" << i << ", round " << round;
        failed = failed || (*r)[i].deliveries != 1;
        ++checked;
      } else if (i < live_from) {
        EXPECT_EQ((*r)[i].deliveries, 0) << "deleted subscription s" << i << ", round " << round;
        failed = failed || (*r)[i].deliveries != 0;
      }
    }
    rounds = round + 1;
  }
  writer.join();
  ASSERT_FALSE(failed);
  EXPECT_GE(rounds.load(), kSubs / 25);
  EXPECT_GT(checked, kSubs);
  EXPECT_EQ(store_->ScopeFilterScopes(), static_cast<std::size_t>(kSubs - deleted.load()));
}

TEST_F(StoreTest, OneStoreAtATimeOpensADataFolder) {
  auto second = Store::Open(StoreOptions{dir_.path(), 64ULL << 20, 126});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, "storage_busy");
  EXPECT_NE(second.error().message.find("in use by another hookbroker"), std::string::npos)
      << second.error().message;
  store_.reset();  // closing releases the folder
  auto third = Store::Open(StoreOptions{dir_.path(), 64ULL << 20, 126});
  ASSERT_TRUE(third.ok()) << third.error().message;
}

TEST_F(StoreTest, DuplicateEventIdsCreateNothingAcrossCommitsAndReopen) {
  ASSERT_TRUE(store_->PutSubscription(MakeSubscription("s", ObjectType::kGroup, "g")).ok());
  auto first = Commit({MakeEvent("e", "MemberAdded", "g"), MakeEvent("e", "MemberAdded", "g")});
  EXPECT_EQ(first[0].status, IngestStatus::kAccepted);
  EXPECT_EQ(first[1].status, IngestStatus::kDuplicate);
  Reopen();
  auto second = Commit({MakeEvent("e", "MemberAdded", "g")});
  EXPECT_EQ(second[0].status, IngestStatus::kDuplicate);
  EXPECT_EQ(second[0].deliveries, 0);
}

TEST_F(StoreTest, DeliveryIdsKeepIncreasingAfterReopen) {
  ASSERT_TRUE(store_->PutSubscription(MakeSubscription("s", ObjectType::kGroup, "g")).ok());
  Commit({MakeEvent("e1", "MemberAdded", "g")});
  const auto first = deliveries_.at(0).id.value();
  Reopen();
  Commit({MakeEvent("e2", "MemberAdded", "g")});
  EXPECT_GT(deliveries_.at(0).id.value(), first);
}

TEST_F(StoreTest, RecordsAttemptsAndMovesTheDueIndex) {
  ASSERT_TRUE(store_->PutSubscription(MakeSubscription("s", ObjectType::kGroup, "g")).ok());
  Commit({MakeEvent("e1", "MemberAdded", "g")});
  const DeliveryId id = deliveries_.at(0).id;
  AttemptUpdate u;
  u.delivery_id = id;
  u.attempt = Attempt(1, 5000, AttemptOutcome::kHttpError, 503, "HTTP 503", "busy");
  u.new_status = DeliveryStatus::kPending;
  u.next_attempt_ms = 10000;
  ASSERT_TRUE(store_->RecordAttempts(std::vector<AttemptUpdate>{u}).ok());

  std::vector<std::int64_t> due;
  ASSERT_TRUE(store_->ForEachPending([&](const NewDelivery& d) { due.push_back(d.due_ms); }).ok());
  EXPECT_EQ(due, std::vector<std::int64_t>{10000});

  u.attempt = Attempt(2, 10000, AttemptOutcome::kDelivered, 200, "", "ok");
  u.new_status = DeliveryStatus::kDelivered;
  ASSERT_TRUE(store_->RecordAttempts(std::vector<AttemptUpdate>{u}).ok());
  due.clear();
  ASSERT_TRUE(store_->ForEachPending([&](const NewDelivery& d) { due.push_back(d.due_ms); }).ok());
  EXPECT_TRUE(due.empty());

  auto got = store_->GetDelivery(id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->delivery.status, DeliveryStatus::kDelivered);
  EXPECT_EQ((*got)->delivery.attempts, 2);
  ASSERT_EQ((*got)->attempts.size(), 2u);
  EXPECT_EQ((*got)->attempts[0].response_excerpt, "busy");
  EXPECT_EQ((*got)->attempts[1].outcome, AttemptOutcome::kDelivered);
}

TEST_F(StoreTest, ListsDeliveriesNewestFirstWithFiltersAndCursor) {
  ASSERT_TRUE(store_->PutSubscription(MakeSubscription("a", ObjectType::kGroup, "g")).ok());
  ASSERT_TRUE(store_->PutSubscription(MakeSubscription("b", ObjectType::kGroup, "g")).ok());
  for (int i = 0; i < 5; ++i) Commit({MakeEvent("e" + std::to_string(i), "MemberAdded", "g")});

  DeliveryFilter by_sub;
  by_sub.subscription_id = SubscriptionId("a");
  by_sub.limit = 2;
  auto page = store_->ListDeliveries(by_sub);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->deliveries.size(), 2u);
  EXPECT_EQ(page->deliveries[0].delivery.event_id, EventId("e4"));
  EXPECT_EQ(page->deliveries[1].delivery.event_id, EventId("e3"));
  ASSERT_TRUE(page->next_before_id.has_value());

  // New deliveries arriving between pages do not disturb the walk.
  Commit({MakeEvent("e5", "MemberAdded", "g")});
  by_sub.before_id = page->next_before_id;
  by_sub.limit = 10;
  auto rest = store_->ListDeliveries(by_sub);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->deliveries.size(), 3u);
  EXPECT_EQ(rest->deliveries[0].delivery.event_id, EventId("e2"));
  EXPECT_FALSE(rest->next_before_id.has_value());

  DeliveryFilter by_event;
  by_event.event_id = EventId("e1");
  auto one = store_->ListDeliveries(by_event);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->deliveries.size(), 2u);  // a and b

  DeliveryFilter failed;
  failed.status = DeliveryStatus::kFailed;
  auto none = store_->ListDeliveries(failed);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->deliveries.empty());
}

TEST_F(StoreTest, ListsSubscriptionsByObjectWithPagination) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store_
                    ->PutSubscription(MakeSubscription("s" + std::to_string(i), ObjectType::kGroup,
                                                       i < 3 ? "g" : "h"))
                    .ok());
  }
  SubscriptionFilter f;
  f.object_type = ObjectType::kGroup;
  f.object_id = "g";
  f.limit = 2;
  auto page = store_->ListSubscriptions(f);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->subscriptions.size(), 2u);
  ASSERT_FALSE(page->next_after_id.empty());
  f.after_id = page->next_after_id;
  auto rest = store_->ListSubscriptions(f);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->subscriptions.size(), 1u);
  EXPECT_EQ(rest->subscriptions[0].id, SubscriptionId("s2"));

  SubscriptionFilter all;
  auto everything = store_->ListSubscriptions(all);
  ASSERT_TRUE(everything.ok());
  EXPECT_EQ(everything->subscriptions.size(), 5u);
}

TEST_F(StoreTest, RecordsAreKeptPerKindAndSurviveAReopen) {
  ASSERT_TRUE(store_->PutRecord(RecordKind::kChannel, "town-square", "{\"a\":1}").ok());
  ASSERT_TRUE(store_->PutRecord(RecordKind::kChannel, "dev", "{}").ok());
  ASSERT_TRUE(store_->PutRecord(RecordKind::kIncomingHook, "k1", "hook").ok());
  // An upsert replaces.
  ASSERT_TRUE(store_->PutRecord(RecordKind::kChannel, "dev", "{\"b\":2}").ok());
  Reopen();
  auto channels = store_->ListRecords(RecordKind::kChannel);
  ASSERT_TRUE(channels.ok());
  ASSERT_EQ(channels->size(), 2u);
  EXPECT_EQ((*channels)[0].key, "dev");
  EXPECT_EQ((*channels)[0].value, "{\"b\":2}");
  EXPECT_EQ((*channels)[1].key, "town-square");
  auto hook = store_->GetRecord(RecordKind::kIncomingHook, "k1");
  ASSERT_TRUE(hook.ok());
  ASSERT_TRUE(hook->has_value());
  EXPECT_EQ(**hook, "hook");
  // The same key under another kind is another record.
  auto missing = store_->GetRecord(RecordKind::kOutgoingHook, "k1");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_F(StoreTest, InsertRecordNeverReplacesAndDeleteSaysWhetherItRemoved) {
  auto first = store_->InsertRecord(RecordKind::kCase, "chan/42", "post-1");
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(*first);
  auto again = store_->InsertRecord(RecordKind::kCase, "chan/42", "post-2");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  auto kept = store_->GetRecord(RecordKind::kCase, "chan/42");
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->value_or(""), "post-1");
  auto removed = store_->DeleteRecord(RecordKind::kCase, "chan/42");
  ASSERT_TRUE(removed.ok());
  EXPECT_TRUE(*removed);
  auto removed_again = store_->DeleteRecord(RecordKind::kCase, "chan/42");
  ASSERT_TRUE(removed_again.ok());
  EXPECT_FALSE(*removed_again);
  auto none = store_->ListRecords(RecordKind::kCase);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace hookbroker::testing
