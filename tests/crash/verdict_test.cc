// The crash test's checks on made-up evidence: a real receiver given hand-written callbacks
// and a real LMDB store in a temporary folder, so that each check is seen to fail when it
// should (the crash runs themselves are expected to pass).
#include "tests/crash/verdict.h"

#include <gtest/gtest.h>
#include <lmdb.h>

#include <fstream>
#include <random>

#include "broker/store.h"
#include "broker/store_codec.h"
#include "tests/broker/broker_test_util.h"
#include "tests/crash/wall_clock.h"
#include "tests/support/http_client.h"
#include "tests/support/temp_dir.h"

namespace hookbroker::crash {
namespace {

const std::vector<std::string> kIds = {"s0", "s1", "s2", "s3"};

class VerdictTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(receiver_.Start().ok()); }

  // A callback as the broker would send it for kSubscriptions[subscription] and `event`.
  void Post(const std::string& webhook_id, int subscription, const std::string& event) {
    const boost::json::object body{{"subscriptionId", kIds[static_cast<std::size_t>(subscription)]},
                                   {"eventId", event}};
    const auto reply =
        testing::HttpCall(receiver_.BaseUrl(), "POST", "/hook", boost::json::serialize(body),
                          {{"webhook-id", webhook_id}});
    ASSERT_EQ(reply.status, 200);
  }

  DeliveryTally Tally(const std::vector<AckedEvent>& acked, const std::vector<std::int64_t>& kills,
                      const std::vector<std::set<std::string>>& unrecorded) {
    return TallyDeliveries({&receiver_}, kIds, acked, kills, unrecorded);
  }

  std::mt19937_64 rng_{1};
  ScriptedReceiver receiver_{0, 0, rng_};  // always 200
};

TEST_F(VerdictTest, AnImpliedDeliveryThatNeverArrivedIsMissing) {
  Post("msg_a", 0, "e1");  // e1 is group a: subscriptions 0 and 1; only 0 arrives
  const auto t = Tally({AckedEvent{"e1", 0, EventKind::kGroupA, 1}}, {}, {});
  EXPECT_EQ(t.expected, 2u);
  EXPECT_EQ(t.missing, 1u);
  EXPECT_EQ(t.first_missing, "subscription 1, event e1");
}

TEST_F(VerdictTest, ARepeatIsExplainedOnlyByAKillThatLeftThe2xxUnrecorded) {
  Post("msg_a", 2, "e1");
  const std::int64_t kill = WallMs();  // after the 2xx arrived, before the repeat
  Post("msg_a", 2, "e1");              // the repeat after the restart
  const std::vector<AckedEvent> acked = {AckedEvent{"e1", 0, EventKind::kGroupB, 1}};

  const auto explained = Tally(acked, {kill}, {{"msg_a"}});
  EXPECT_EQ(explained.missing, 0u);
  EXPECT_EQ(explained.duplicates, 1u);
  ASSERT_EQ(explained.duplicates_per_kill.size(), 1u);
  EXPECT_EQ(explained.duplicates_per_kill[0], 1u);
  EXPECT_EQ(explained.unexplained_duplicates, 0u);

  // The store had recorded it as delivered: the repeat is the broker's fault.
  const auto recorded = Tally(acked, {kill}, {{}});
  EXPECT_EQ(recorded.unexplained_duplicates, 1u);
  EXPECT_EQ(recorded.first_unexplained, "msg_a (subscription 2, event e1)");
  // No kill at all.
  EXPECT_EQ(Tally(acked, {}, {}).unexplained_duplicates, 1u);
}

TEST_F(VerdictTest, A2xxReadJustAfterTheKillIsStillThatKills) {
  const std::int64_t kill = WallMs() - 1;  // the broker wrote it, then died; read after
  Post("msg_b", 0, "e2");
  Post("msg_b", 0, "e2");
  const std::vector<AckedEvent> acked = {AckedEvent{"e2", 0, EventKind::kGroupA, 1}};
  const auto t = Tally(acked, {kill}, {{"msg_b"}});
  EXPECT_EQ(t.unexplained_duplicates, 0u);
  EXPECT_EQ(t.duplicates_per_kill[0], 1u);
  // A kill after the repeat explains nothing.
  EXPECT_EQ(Tally(acked, {WallMs() + 60000}, {{"msg_b"}}).unexplained_duplicates, 1u);
}

TEST_F(VerdictTest, MalformedCallbacksAreCounted) {
  Post("msg_a", 0, "");  // no eventId
  EXPECT_EQ(Tally({}, {}, {}).malformed, 1u);
}

TEST(CheckStoreTest, FindsAcknowledgedEventsAndPendingDeliveries) {
  testing::TempDir dir;
  std::string subscription_id;
  {
    StoreOptions options;
    options.dir = dir.File("data");
    auto store = Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.error().message;
    auto event = ParseEvent(boost::json::value(MakeEvent(EventKind::kNoMatch, "stored")));
    ASSERT_TRUE(event.ok());
    std::vector<NewDelivery> deliveries;
    ASSERT_TRUE((*store)->CommitEvents(std::vector<Event>{*event}, WallMs(), &deliveries).ok());
  }
  const std::vector<AckedEvent> acked = {AckedEvent{"stored", 10, EventKind::kNoMatch, 1},
                                         AckedEvent{"lost", 20, EventKind::kNoMatch, 1},
                                         AckedEvent{"old", 1, EventKind::kNoMatch, 1}};
  auto check = CheckStore(dir.File("data"), acked,
                          [](const AckedEvent& e) { return e.sent_ms >= 10; }, kIds, {});
  ASSERT_TRUE(check.ok()) << check.error().message;
  EXPECT_EQ(check->checked, 2u);
  EXPECT_EQ(check->missing, 1u);
  EXPECT_EQ(check->first_missing, "lost");

  // A delivery the store does not hold at all was final and has expired: not unrecorded.
  const std::map<std::string, LastSuccess> successes = {{"msg_x", LastSuccess{0, "stored", 5}}};
  auto none = CheckStore(
      dir.File("data"), {}, [](const AckedEvent&) { return false; }, kIds, successes);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->unrecorded.empty());
}

TEST(CheckStoreTest, ComparesEachPendingCounterWithThePendingDeliveries) {
  testing::TempDir dir;
  const std::string data = dir.File("data");
  {
    StoreOptions options;
    options.dir = data;
    auto store = Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.error().message;
    ASSERT_TRUE(
        (*store)
            ->PutSubscription(testing::MakeSubscription("s2", ObjectType::kGroup, "crash-g-b"))
            .ok());
    std::vector<Event> events;
    for (const char* id : {"b1", "b2"}) {
      auto event = ParseEvent(boost::json::value(MakeEvent(EventKind::kGroupB, id)));
      ASSERT_TRUE(event.ok());
      events.push_back(*event);
    }
    std::vector<NewDelivery> deliveries;
    ASSERT_TRUE((*store)->CommitEvents(events, WallMs(), &deliveries).ok());
    ASSERT_EQ(deliveries.size(), 2u);
  }
  auto agree = CheckStore(data, {}, [](const AckedEvent&) { return false; }, kIds, {});
  ASSERT_TRUE(agree.ok()) << agree.error().message;
  EXPECT_EQ(agree->counter_mismatches, 0u);

  // A counter that went wrong, written behind the store's back.
  {
    MDB_env* env = nullptr;
    ASSERT_EQ(mdb_env_create(&env), 0);
    ASSERT_EQ(mdb_env_set_maxdbs(env, 24), 0);
    ASSERT_EQ(mdb_env_open(env, data.c_str(), 0, 0600), 0);
    MDB_txn* txn = nullptr;
    ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
    MDB_dbi stats;
    ASSERT_EQ(mdb_dbi_open(txn, "subscription_stats", 0, &stats), 0);
    codec::StatsRecord wrong;
    wrong.pending = 5;
    const std::string value = codec::EncodeStats(wrong);
    MDB_val k{2, const_cast<char*>("s2")};
    MDB_val v{value.size(), const_cast<char*>(value.data())};
    ASSERT_EQ(mdb_put(txn, stats, &k, &v, 0), 0);
    ASSERT_EQ(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
  }
  auto wrong = CheckStore(data, {}, [](const AckedEvent&) { return false; }, kIds, {});
  ASSERT_TRUE(wrong.ok()) << wrong.error().message;
  EXPECT_EQ(wrong->counter_mismatches, 1u);
  EXPECT_EQ(wrong->first_counter_mismatch, "subscription s2: counter 5, pending deliveries 2");
}

TEST(CheckStoreTest, AStoreThatDoesNotOpenIsAnError) {
  testing::TempDir dir;
  // A data folder that is a file.
  { std::ofstream(dir.File("data")) << "not a folder"; }
  EXPECT_FALSE(
      CheckStore(dir.File("data"), {}, [](const AckedEvent&) { return true; }, kIds, {}).ok());
}

}  // namespace
}  // namespace hookbroker::crash
