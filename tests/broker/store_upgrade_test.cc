// Opening a schema 1 data folder: its events move from `events` (keyed by id, with the time index
// `event_time`) to event_log (keyed by sequence number, with event_ids), in one transaction, and
// every reader and expiry find them there.
#include <gtest/gtest.h>
#include <lmdb.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "broker/history_collector.h"
#include "broker/store.h"
#include "broker/store_codec.h"
#include "tests/broker/broker_test_util.h"
#include "tests/support/temp_dir.h"

namespace hookbroker::testing {
namespace {

// A raw LMDB environment on `dir`, for writing and reading what a broker of another schema would.
class RawFolder {
 public:
  explicit RawFolder(const std::string& dir) {
    EXPECT_EQ(mdb_env_create(&env_), 0);
    mdb_env_set_maxdbs(env_, 24);
    mdb_env_set_mapsize(env_, 64ULL << 20);
    EXPECT_EQ(mdb_env_open(env_, dir.c_str(), MDB_NOTLS, 0600), 0);
  }
  ~RawFolder() { mdb_env_close(env_); }
  RawFolder(const RawFolder&) = delete;
  RawFolder& operator=(const RawFolder&) = delete;

  // Puts each (table, key, value) in one transaction, creating the tables.
  void Put(const std::vector<std::tuple<std::string, std::string, std::string>>& rows) {
    MDB_txn* txn = nullptr;
    ASSERT_EQ(mdb_txn_begin(env_, nullptr, 0, &txn), 0);
    for (const auto& [table, key, value] : rows) {
      MDB_dbi dbi;
      ASSERT_EQ(mdb_dbi_open(txn, table.c_str(), MDB_CREATE, &dbi), 0) << table;
      MDB_val k{key.size(), const_cast<char*>(key.data())};
      MDB_val v{value.size(), const_cast<char*>(value.data())};
      ASSERT_EQ(mdb_put(txn, dbi, &k, &v, 0), 0) << table;
    }
    ASSERT_EQ(mdb_txn_commit(txn), 0);
  }
  // Whether the named table exists.
  bool HasTable(const std::string& table) {
    MDB_txn* txn = nullptr;
    if (mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn) != 0) return false;
    MDB_dbi dbi;
    const int rc = mdb_dbi_open(txn, table.c_str(), 0, &dbi);
    mdb_txn_abort(txn);
    return rc == 0;
  }
  // The value under `key` in `table`, or "(none)".
  std::string Get(const std::string& table, const std::string& key) {
    MDB_txn* txn = nullptr;
    if (mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn) != 0) return "(error)";
    MDB_dbi dbi;
    std::string out = "(none)";
    MDB_val k{key.size(), const_cast<char*>(key.data())};
    MDB_val v{};
    if (mdb_dbi_open(txn, table.c_str(), 0, &dbi) == 0 && mdb_get(txn, dbi, &k, &v) == 0) {
      out.assign(static_cast<const char*>(v.mv_data), v.mv_size);
    }
    mdb_txn_abort(txn);
    return out;
  }
  // The event ids in event_log, in key order.
  std::vector<std::string> LogOrder() {
    std::vector<std::string> ids;
    MDB_txn* txn = nullptr;
    if (mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn) != 0) return ids;
    MDB_dbi dbi;
    MDB_cursor* c = nullptr;
    if (mdb_dbi_open(txn, "event_log", 0, &dbi) == 0 && mdb_cursor_open(txn, dbi, &c) == 0) {
      MDB_val k{}, v{};
      for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
           rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        codec::EventRecordView event;
        if (codec::DecodeEventRecord({static_cast<const char*>(v.mv_data), v.mv_size}, &event)) {
          ids.emplace_back(event.event_id);
        }
      }
      mdb_cursor_close(c);
    }
    mdb_txn_abort(txn);
    return ids;
  }

 private:
  MDB_env* env_ = nullptr;
};

std::string TimeKey(std::uint64_t ms, const std::string& id) { return codec::U64Key(ms) + id; }

std::string EventJson(const std::string& id) {
  return R"({"eventId":")" + id + R"(","eventType":"MemberAdded","groupId":"g"})";
}

std::unique_ptr<Store> OpenStore(const std::string& dir) {
  auto s = Store::Open(StoreOptions{dir, 64ULL << 20, 126});
  EXPECT_TRUE(s.ok()) << s.error().message;
  return s.ok() ? std::move(s).value() : nullptr;
}

std::string EventOf(Store& store, const std::string& id) {
  auto e = store.GetEventJson(EventId(id));
  if (!e.ok()) return "error: " + e.error().message;
  return e->value_or("(none)");
}

IngestStatus Ingest(Store& store, const std::string& id, std::int64_t now) {
  std::vector<NewDelivery> created;
  auto r = store.CommitEvents(std::vector<Event>{MakeEvent(id, "MemberAdded", "g")}, now, &created);
  EXPECT_TRUE(r.ok());
  return r.ok() ? r->at(0).status : IngestStatus::kDuplicate;
}

TEST(StoreUpgradeTest, MovesSchema1EventsInReceivedOrderAndDropsTheOldTables) {
  TempDir dir;
  {
    RawFolder raw(dir.path());
    raw.Put({{"meta", "schema_version", "1"},
             {"events", "late", EventJson("late")},
             {"events", "early", EventJson("early")},
             {"events", "unindexed", EventJson("unindexed")},
             {"event_time", TimeKey(2000, "late"), ""},
             {"event_time", TimeKey(1000, "early"), ""},
             {"event_time", TimeKey(1500, "gone"), ""}});  // an index entry without its event
  }
  auto store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(EventOf(*store, "early"), EventJson("early"));
  EXPECT_EQ(EventOf(*store, "late"), EventJson("late"));
  EXPECT_EQ(EventOf(*store, "unindexed"), EventJson("unindexed"));
  EXPECT_EQ(EventOf(*store, "gone"), "(none)");
  EXPECT_EQ(Ingest(*store, "early", 3000), IngestStatus::kDuplicate) << "ids still deduplicate";
  EXPECT_EQ(Ingest(*store, "new", 9000), IngestStatus::kAccepted);
  EXPECT_NE(EventOf(*store, "new").find(R"("eventId":"new")"), std::string::npos);

  // The moved events keep their received times and order: at a cutoff of 1,500 only "early"
  // (1,000) expires, and the walk stops at "late" (2,000); at 9,500 "late" goes too.
  // "unindexed" had no time and counts as received at the upgrade (now), so it stays, and the
  // walk stops there: "new" (9,000), stored after it, waits for it.
  FakeClock clock(2000);
  HistoryOptions options;
  options.retention = std::chrono::milliseconds(500);
  HistoryCollector collector(*store, clock, options);
  EXPECT_EQ(collector.RunOnce().events, 1u);
  EXPECT_EQ(EventOf(*store, "early"), "(none)");
  EXPECT_NE(EventOf(*store, "late"), "(none)");
  clock.Set(10000);
  EXPECT_EQ(collector.RunOnce().events, 1u);
  EXPECT_EQ(EventOf(*store, "late"), "(none)");
  EXPECT_NE(EventOf(*store, "unindexed"), "(none)");
  EXPECT_NE(EventOf(*store, "new"), "(none)");
  store.reset();

  RawFolder raw(dir.path());
  EXPECT_EQ(raw.Get("meta", "schema_version"), "2") << "a clean close";
  EXPECT_FALSE(raw.HasTable("events"));
  EXPECT_FALSE(raw.HasTable("event_time"));
  EXPECT_EQ(raw.LogOrder(), (std::vector<std::string>{"unindexed", "new"}))
      << "after the expired ones: the unindexed one, then what came after the upgrade";
}

TEST(StoreUpgradeTest, ExpiryAndTheSequenceGoOnAfterTheUpgrade) {
  TempDir dir;
  {
    RawFolder raw(dir.path());
    raw.Put({{"meta", "schema_version", "1 (open)"},  // left by a crash of a version 1 broker
             {"events", "old", EventJson("old")},
             {"event_time", TimeKey(1000, "old"), ""}});
  }
  {
    auto store = OpenStore(dir.path());
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(Ingest(*store, "fresh", 9000), IngestStatus::kAccepted);
  }
  // Opened again: version 2, nothing to move; the sequence continues after the last event.
  auto store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Ingest(*store, "fresher", 9500), IngestStatus::kAccepted);

  FakeClock clock(10000);
  HistoryOptions options;
  options.retention = std::chrono::milliseconds(5000);  // cutoff 5000
  HistoryCollector collector(*store, clock, options);
  EXPECT_EQ(collector.RunOnce().events, 1u);
  EXPECT_EQ(EventOf(*store, "old"), "(none)");
  EXPECT_NE(EventOf(*store, "fresh"), "(none)");
  EXPECT_NE(EventOf(*store, "fresher"), "(none)");
  EXPECT_EQ(Ingest(*store, "old", 10000), IngestStatus::kAccepted) << "its id is free again";
  store.reset();

  RawFolder raw(dir.path());
  EXPECT_EQ(raw.LogOrder(), (std::vector<std::string>{"fresh", "fresher", "old"}));
}

TEST(StoreUpgradeTest, AFolderOfALaterVersionIsRefusedAndLeftAsItWas) {
  TempDir dir;
  {
    RawFolder raw(dir.path());
    raw.Put({{"meta", "schema_version", "3"}, {"events", "e", EventJson("e")}});
  }
  auto refused = Store::Open(StoreOptions{dir.path(), 64ULL << 20, 126});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "storage_error");
  EXPECT_NE(refused.error().message.find("schema version 3"), std::string::npos)
      << refused.error().message;
  RawFolder raw(dir.path());
  EXPECT_EQ(raw.Get("meta", "schema_version"), "3");
  EXPECT_EQ(raw.Get("events", "e"), EventJson("e"));
  EXPECT_FALSE(raw.HasTable("event_log"));
}

}  // namespace
}  // namespace hookbroker::testing
