#include "broker/store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iterator>
#include <mutex>
#include <span>
#include <string_view>
#include <system_error>
#include <thread>
#include <unordered_map>

#include "broker/event_log.h"
#include "broker/lmdb_txn.h"
#include "broker/log.h"
#include "broker/scope_filter.h"
#include "broker/stats_write_back.h"
#include "broker/store_codec.h"
#include "broker/store_upgrade.h"
#include "broker/subscription_cache.h"
#include "proto/url.h"

namespace hookbroker {

using namespace codec;  // NOLINT: the key and record encodings are this file's vocabulary
using lmdb::Cursor;
using lmdb::Del;
using lmdb::GetValue;
using lmdb::Put;
using lmdb::Txn;

namespace {

Error Corrupt(std::string_view what) {
  return Error{"storage_corrupt", "stored " + std::string(what) + " could not be decoded", ""};
}

// LMDB's map is larger than --map-size-mb by this reserve, which ingest never uses: once ingest
// has filled the configured size, expiry (whose deletes need fresh pages for copy-on-write and
// for the free list) and attempt records can still commit, so space can come back without a
// restart. At least 2 MiB, else 1/64 of the configured size.
std::uint64_t MapReserve(std::uint64_t configured) {
  return std::max<std::uint64_t>(2ULL << 20, configured / 64);
}

// Pages the data holds as of this transaction (its own writes included): every table's tree,
// plus LMDB's main and free-list trees. Free pages are not counted, so space that expiry
// freed counts as free again.
std::uint64_t PagesInUse(MDB_txn* t, std::span<const MDB_dbi> tables) {
  std::uint64_t pages = 0;
  auto add = [&](MDB_dbi dbi) {
    MDB_stat st;
    if (mdb_stat(t, dbi, &st) == 0) {
      pages += st.ms_branch_pages + st.ms_leaf_pages + st.ms_overflow_pages;
    }
  };
  add(0);  // FREE_DBI
  add(1);  // MAIN_DBI
  for (MDB_dbi dbi : tables) add(dbi);
  return pages;
}

// storage_full when the data, with `t`'s writes, exceeds `configured` bytes (--map-size-mb).
Status WithinConfiguredSize(MDB_env* env, MDB_txn* t, std::span<const MDB_dbi> tables,
                            std::uint64_t configured) {
  MDB_stat env_stat;
  mdb_env_stat(env, &env_stat);
  const std::uint64_t used = PagesInUse(t, tables) * env_stat.ms_psize;
  if (used <= configured) return Status::Ok();
  return Error{"storage_full",
               "store events: the data would take " + std::to_string(used >> 20) + " MiB of the " +
                   std::to_string(configured >> 20) + " MiB that --map-size-mb allows",
               ""};
}

// A commit that failed because the disk filled: LMDB says ENOSPC, or EIO when a write came up
// short. Either is reported as storage_full when the data folder's file system has less than
// 1 MiB left; other failures keep LMDB's own code and message.
Error CommitError(MDB_env* env, std::string_view what, int rc) {
  constexpr std::uint64_t kDiskFullBytes = 1 << 20;
  const char* path = nullptr;
  struct statvfs fs {};
  if ((rc == EIO || rc == ENOSPC) && mdb_env_get_path(env, &path) == 0 && path != nullptr &&
      ::statvfs(path, &fs) == 0) {
    const std::uint64_t free_bytes = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
    if (free_bytes < kDiskFullBytes) {
      return Error{"storage_full",
                   std::string(what) + ": disk full (" + std::to_string(free_bytes >> 10) +
                       " KiB free in " + path + "): " + mdb_strerror(rc),
                   ""};
    }
  }
  return lmdb::ToError(what, rc);
}

constexpr std::string_view kNextDeliveryKey = "next_delivery_id";
constexpr std::string_view kSchemaKey = "schema_version";
constexpr std::string_view kLastExpiryKey = "last_expiry_ms";
// Version 2 keeps events in event_log under sequence numbers, with event_ids; version 1 kept
// them in `events` under their ids, with the time index `event_time`. A version 1 folder is
// upgraded when the store opens it (store_upgrade.h); every broker that reads only version 1
// refuses a version 2 folder.
constexpr std::string_view kSchemaVersion = "2";
// schema_version while a broker has the folder open; a clean close puts "2" back. The mark came
// with version 1, when a broker from before the in-memory delivery counter, which reads only
// "1", had to refuse a folder left by a crash (its meta/next_delivery_id may be behind the
// deliveries). Since version 2 that broker refuses the folder anyway; the mark stays as the
// sign of a folder a crash left.
constexpr std::string_view kSchemaOpen = "2 (open)";
constexpr std::string_view kSchemaVersion1 = "1";
constexpr std::string_view kSchemaOpen1 = "1 (open)";

// "5 days", "36 hours", "1728 ms": the largest unit the span is a whole number of.
std::string DescribeSpan(std::int64_t ms) {
  constexpr std::int64_t kHour = 3'600'000;
  if (ms % (24 * kHour) == 0) return std::to_string(ms / (24 * kHour)) + " days";
  if (ms % kHour == 0) return std::to_string(ms / kHour) + " hours";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

std::string Hex(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::optional<std::string> Unhex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = digit(hex[i]), lo = digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

}  // namespace

// What the in-memory views of the subscriptions (the scope filter, the subscription cache) see of
// one write transaction that may write subscriptions. The filter (scope_filter.h): a subscription
// added to scope_index counts at once, so no event committed after the transaction can miss it;
// one removed stops counting only once the transaction has committed. If the transaction does not
// commit, the additions are taken back. The cache (subscription_cache.h): once a transaction that
// wrote a subscription has committed, no cached entry is current until read again. Declared
// before the Txn, so the Txn is over before the destructor runs.
class SubscriptionChanges {
 public:
  SubscriptionChanges(ScopeFilter* filter, SubscriptionCache* cache)
      : filter_(filter), cache_(cache) {}
  ~SubscriptionChanges() {
    if (committed_) return;
    for (std::uint64_t key : added_) filter_->Remove(key);
  }
  SubscriptionChanges(const SubscriptionChanges&) = delete;
  SubscriptionChanges& operator=(const SubscriptionChanges&) = delete;

  void Wrote() { wrote_ = true; }
  void Added(std::uint64_t key, std::uint32_t bits) {
    filter_->Add(key, bits);
    added_.push_back(key);
  }
  void Widened(std::uint64_t key, std::uint32_t bits) { filter_->Widen(key, bits); }
  void Removed(std::uint64_t key) { removed_.push_back(key); }
  // After the transaction committed.
  void Committed() {
    committed_ = true;
    for (std::uint64_t key : removed_) filter_->Remove(key);
    if (wrote_) cache_->Changed();
  }

 private:
  ScopeFilter* filter_;
  SubscriptionCache* cache_;
  std::vector<std::uint64_t> added_;
  std::vector<std::uint64_t> removed_;
  bool wrote_ = false;
  bool committed_ = false;
};

namespace {

// The last key of a table keyed by u64 (`deliveries`, `event_log`): 0 and *id set, or
// MDB_NOTFOUND when the table is empty, MDB_CORRUPTED when the key is not 8 bytes, or LMDB's
// error.
int LastU64Key(MDB_txn* txn, MDB_dbi table, std::uint64_t* id) {
  MDB_cursor* cursor = nullptr;
  if (int rc = mdb_cursor_open(txn, table, &cursor); rc != 0) return rc;
  MDB_val key{}, value{};
  int rc = mdb_cursor_get(cursor, &key, &value, MDB_LAST);
  mdb_cursor_close(cursor);
  if (rc != 0) return rc;
  if (key.mv_size != 8) return MDB_CORRUPTED;
  *id = ReadU64(std::string_view(static_cast<const char*>(key.mv_data), 8));
  return 0;
}

// The object an event names at one scope; empty if none.
const std::string& ScopeObjectId(const Event& event, ObjectType type) {
  switch (type) {
    case ObjectType::kGroup:
      return event.group_id;
    case ObjectType::kActionPackage:
      return event.action_package_id;
    case ObjectType::kAction:
      return event.action_id;
  }
  return event.group_id;
}

// The filter's type bits of one scope_index value: the same whether it was just written or is
// read back when the store opens.
std::uint32_t ScopeValueBits(std::string_view value) {
  std::uint32_t bits = 0;
  ForEachScopeType(value, [&](std::string_view t) { bits |= ScopeFilter::SubscribedBit(t); });
  return bits;
}

}  // namespace

// An exclusive lock on `dir`/broker.lock, held while its descriptor is open: another process (or
// another Store in this one) opening the same folder gets a clear error instead of a share.
class FolderLock {
 public:
  explicit FolderLock(int fd) : fd_(fd) {}
  ~FolderLock() { ::close(fd_); }
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int fd_;
};

namespace {

Result<std::unique_ptr<FolderLock>> LockDataFolder(const std::string& dir) {
  const std::string path = dir + "/broker.lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Error{"storage_error", "cannot open " + path + ": " + std::strerror(errno), ""};
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return Error{
          "storage_busy",
          "data folder " + dir + " is in use by another hookbroker (" + path + " is locked)", ""};
    }
    if (err == ENOLCK || err == EOPNOTSUPP) {  // e.g. NFS without locking: run, but say so
      LogWarn("store", "cannot lock " + path + " (" + std::strerror(err) +
                           "): nothing stops a second hookbroker from opening " + dir +
                           ", which would make both deliver wrongly");
      return std::unique_ptr<FolderLock>();
    }
    return Error{"storage_error", "cannot lock " + path + ": " + std::strerror(err), ""};
  }
  return std::make_unique<FolderLock>(fd);
}

}  // namespace

struct Store::Dbs {
  MDB_dbi meta, event_log, event_ids, subs, scope, stats, stats_journal, deliveries, due, pending,
      attempts, attempt_log, by_sub, by_event, api_keys, records;

  std::array<MDB_dbi, 14> Tables() const {
    return {meta,       event_log, event_ids, subs,     scope,       stats,  stats_journal,
            deliveries, due,       pending,   attempts, attempt_log, by_sub, by_event};
  }

  // Writes a subscription's record and keeps the scope index (what matching reads) to exactly the
  // subscriptions that should get new deliveries: not deleted, not disabled. The scope filter
  // follows the index, and the subscription cache the record, through `changes`.
  int WriteSubscription(MDB_txn* t, const Subscription& sub, SubscriptionChanges* changes) const {
    const std::string& id = sub.id.value();
    int rc = Put(t, subs, id, boost::json::serialize(SubscriptionToStorageJson(sub)));
    if (rc != 0) return rc;
    changes->Wrote();
    const std::string scope_key = ScopePrefix(sub.object_type, sub.object_id) + id;
    std::string_view indexed;
    rc = GetValue(t, scope, scope_key, &indexed);
    if (rc != 0 && rc != MDB_NOTFOUND) return rc;
    const bool was_indexed = rc == 0;
    const std::uint64_t filter_key = ScopeFilter::KeyOf(sub.object_type, sub.object_id);
    if (!sub.deleted && !sub.disabled()) {
      const std::string value = ScopeValue(sub);
      if ((rc = Put(t, scope, scope_key, value)) != 0) return rc;
      if (was_indexed) {
        changes->Widened(filter_key, ScopeValueBits(value));
      } else {
        changes->Added(filter_key, ScopeValueBits(value));
      }
      return 0;
    }
    if (!was_indexed) return 0;
    if ((rc = Del(t, scope, scope_key)) != 0) return rc;
    changes->Removed(filter_key);
    return 0;
  }

  // A final delivery back to pending (redeliver, replay).
  int Requeue(MDB_txn* t, DeliveryRecord& d, std::int64_t now_ms,
              StatsWriteBack::Changes* stats_changes) const {
    const DeliveryStatus was = d.status;
    d.status = DeliveryStatus::kPending;
    d.round_start = d.attempts;
    d.next_attempt_ms = now_ms;
    d.updated_ms = now_ms;
    const std::uint64_t id = d.id.value();
    int rc;
    if ((rc = Put(t, deliveries, U64Key(id), EncodeDelivery(d))) != 0 ||
        (rc = Put(t, due, DueKey(now_ms, id), "")) != 0 ||
        (rc = Put(t, pending, U64Key(id), "")) != 0) {
      return rc;
    }
    return stats_changes->Update(d.subscription_id.value(), [&](StatsRecord& s) {
      ++s.pending;
      if (was == DeliveryStatus::kDelivered) --s.delivered;
      if (was == DeliveryStatus::kFailed) --s.failed;
    });
  }
};

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  std::error_code fs_ec;
  std::filesystem::create_directories(options.dir, fs_ec);
  if (fs_ec) {
    return Error{"storage_error",
                 "cannot create data folder " + options.dir + ": " + fs_ec.message(), ""};
  }
  // One broker per data folder: the scope filter and the dispatcher's queue are this process's
  // view of the store, which writes by another process would silently make wrong.
  auto lock = LockDataFolder(options.dir);
  if (!lock) return lock.error();
  MDB_env* env = nullptr;
  auto open_env = [&]() -> Status {
    int rc = mdb_env_create(&env);
    if (rc != 0) return lmdb::ToError("mdb_env_create", rc);
    auto fail = [&](std::string_view what, int code) -> Error {
      mdb_env_close(env);
      env = nullptr;
      return lmdb::ToError(what, code);
    };
    rc = mdb_env_set_mapsize(env, options.map_size_bytes + MapReserve(options.map_size_bytes));
    if (rc != 0) return fail("set map size", rc);
    if ((rc = mdb_env_set_maxdbs(env, 24)) != 0) return fail("set max dbs", rc);
    if ((rc = mdb_env_set_maxreaders(env, options.max_readers)) != 0) {
      return fail("set readers", rc);
    }
    // MDB_NOTLS: read transactions are not tied to threads (HTTP and worker pools would exhaust
    // the reader table otherwise). No MDB_NOSYNC: a commit returns after fsync.
    rc = mdb_env_open(env, options.dir.c_str(), MDB_NOTLS, 0600);
    if (rc != 0) return fail("open environment", rc);
    return Status::Ok();
  };
  Status opened = open_env();

  auto dbs = std::make_unique<Dbs>();
  std::uint64_t next_delivery_id = 1;
  std::uint64_t next_event_seq = 1;
  std::size_t upgraded_events = 0;  // moved by an upgrade from schema version 1
  // Opens the tables and checks the schema in one transaction, which is over (committed or
  // aborted) before the environment may be closed on failure.
  auto open_tables = [&]() -> Status {
    Txn txn(env, /*write=*/true);
    if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
    struct Named {
      const char* name;
      MDB_dbi* dbi;
    } named[] = {{"meta", &dbs->meta},
                 {"event_log", &dbs->event_log},
                 {"event_ids", &dbs->event_ids},
                 {"subscriptions", &dbs->subs},
                 {"scope_index", &dbs->scope},
                 {"subscription_stats", &dbs->stats},
                 {"stats_journal", &dbs->stats_journal},
                 {"deliveries", &dbs->deliveries},
                 {"due_index", &dbs->due},
                 {"pending_index", &dbs->pending},
                 {"attempts", &dbs->attempts},
                 {"attempt_log", &dbs->attempt_log},
                 {"by_subscription", &dbs->by_sub},
                 {"by_event", &dbs->by_event},
                 {"api_keys", &dbs->api_keys},
                 {"records", &dbs->records}};
    for (const auto& n : named) {
      if (int r = mdb_dbi_open(txn.get(), n.name, MDB_CREATE, n.dbi); r != 0) {
        return lmdb::ToError(std::string("open table ") + n.name, r);
      }
    }
    std::string_view schema;
    int r = GetValue(txn.get(), dbs->meta, kSchemaKey, &schema);
    if (r != 0 && r != MDB_NOTFOUND) return lmdb::ToError("read schema version", r);
    if (r == 0 && schema != kSchemaVersion && schema != kSchemaOpen && schema != kSchemaVersion1 &&
        schema != kSchemaOpen1) {
      return Error{"storage_error",
                   "data folder has schema version " + std::string(schema) +
                       "; this broker reads versions 1 (upgrading it) and " +
                       std::string(kSchemaVersion),
                   ""};
    }
    const bool upgrade = r == MDB_NOTFOUND || schema == kSchemaVersion1 || schema == kSchemaOpen1;
    if ((r = LastU64Key(txn.get(), dbs->event_log, &next_event_seq)) == 0) {
      ++next_event_seq;
    } else if (r != MDB_NOTFOUND) {
      return lmdb::ToError("read the last event's sequence number", r);
    }
    if (upgrade) {
      const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count();
      r = MigrateEventsFromSchema1(txn.get(), dbs->event_log, dbs->event_ids, now_ms,
                                   &next_event_seq, &upgraded_events);
      if (r == MDB_MAP_FULL) {
        return Error{"storage_full",
                     "upgrading the data folder to schema version 2 needs room for a second copy "
                     "of its events in the map: start once with a larger --map-size-mb (the "
                     "folder is unchanged)",
                     ""};
      }
      if (r == kEventSequenceTaken) {
        return Error{"storage_corrupt",
                     "upgrading the data folder to schema version 2: a sequence number it took "
                     "is already in event_log (the folder is unchanged)",
                     ""};
      }
      if (r != 0) return lmdb::ToError("upgrade events to schema version 2", r);
    }
    if ((r = Put(txn.get(), dbs->meta, kSchemaKey, kSchemaOpen)) != 0) {
      return lmdb::ToError("write schema version", r);
    }
    // Ingest commits do not write the counter; meta has it as of the last clean close or
    // expiry step (which may have removed the newest deliveries), the table the ids since.
    std::string_view counter;
    r = GetValue(txn.get(), dbs->meta, kNextDeliveryKey, &counter);
    if (r == 0 && counter.size() == 8) {
      next_delivery_id = std::max<std::uint64_t>(ReadU64(counter), 1);
    } else if (r != 0 && r != MDB_NOTFOUND) {
      return lmdb::ToError("read delivery counter", r);
    }
    // Only an empty table may go unread: taking meta's value after a failed read would give
    // ids again.
    std::uint64_t last = 0;
    if ((r = LastU64Key(txn.get(), dbs->deliveries, &last)) == 0) {
      next_delivery_id = std::max(next_delivery_id, last + 1);
    } else if (r != MDB_NOTFOUND) {
      return lmdb::ToError("read the last delivery id", r);
    }
    if ((r = txn.Commit()) != 0) return CommitError(env, "commit the opening", r);
    return Status::Ok();
  };
  const auto started = std::chrono::steady_clock::now();
  if (opened) opened = open_tables();
  if (opened && upgraded_events > 0) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
    LogInfo("store", "upgraded the data folder to schema version 2: events moved to event_log: " +
                         std::to_string(upgraded_events) + ", in " + std::to_string(ms) +
                         " ms (committed)");
    // LMDB keeps the pages of a write transaction's buffers for the environment's life: after an
    // upgrade of a large folder, hundreds of MiB. Opening the environment again frees them.
    mdb_env_close(env);
    env = nullptr;
    dbs = std::make_unique<Dbs>();
    opened = open_env();
    if (opened) opened = open_tables();
  }
  if (!opened) {
    if (env != nullptr) mdb_env_close(env);
    Error e = opened.error();
    e.message += " (" + options.dir + ")";
    return e;
  }
  auto store = std::unique_ptr<Store>(new Store(env, options.map_size_bytes));
  store->stats_write_back_ = std::make_unique<StatsWriteBack>(
      dbs->stats, dbs->stats_journal,
      StatsWriteBackOptions{options.stats_write_back_interval, options.stats_write_back_records});
  store->dbs_ = std::move(dbs);
  store->next_delivery_id_.store(next_delivery_id, std::memory_order_relaxed);
  store->next_event_seq_.store(next_event_seq, std::memory_order_relaxed);
  store->commit_group_ = std::make_unique<CommitGroup>(
      options.record_patience, [raw = store.get()](std::span<CommitGroup::Member* const> group) {
        raw->CommitWrites(group);
      });
  store->lock_ = std::move(lock).value();
  if (Status s = store->RecoverStats(); !s) {
    Error e = s.error();
    e.message += " (" + options.dir + ")";
    return e;
  }
  if (options.stats_write_back_interval.count() > 0) {
    store->stats_flusher_ =
        std::make_unique<StatsFlusher>(store.get(), store->stats_write_back_.get());
  }
  if (Status s = store->LoadScopeFilter(); !s) {
    Error e = s.error();
    e.message += " (" + options.dir + ")";
    return e;
  }
  return store;
}

Store::Store(MDB_env* env, std::uint64_t map_size)
    : env_(env),
      map_size_(map_size),
      sub_cache_(std::make_unique<SubscriptionCache>()),
      scope_filter_(std::make_unique<ScopeFilter>()) {}

std::size_t Store::StatsHeld() const { return stats_write_back_->HeldCount(); }

Status Store::RecoverStats() {
  std::size_t records = 0;
  {
    Txn txn(env_, false);
    if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
    const int rc = stats_write_back_->Recover(txn.get(), &records);
    if (rc == -1) return Corrupt("stats journal");
    if (rc != 0) return lmdb::ToError("read the stats journal", rc);
  }
  if (records == 0) return Status::Ok();
  if (Status s = WriteBackStats(); !s) return s;
  LogInfo("store", "subscription counters: wrote back " + std::to_string(records) +
                       " records left in the journal");
  return Status::Ok();
}

Status Store::LoadScopeFilter() {
  Txn txn(env_, false);
  if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
  Cursor c(txn.get(), dbs_->scope);
  if (c.rc() != 0) return lmdb::ToError("open scope cursor", c.rc());
  for (bool ok = c.First(); ok; ok = c.Next()) {
    ObjectType type;
    std::string_view object_id;
    if (!ParseScopeKey(c.key(), &type, &object_id)) return Corrupt("scope index key");
    scope_filter_->Add(ScopeFilter::KeyOf(type, object_id), ScopeValueBits(c.value()));
  }
  return Status::Ok();
}

std::size_t Store::ScopeFilterScopes() const { return scope_filter_->scopes(); }
std::size_t Store::ScopeFilterBytes() const { return scope_filter_->bytes(); }

// Writes held subscription counters back once they are due, while no transaction that changes
// counters comes along to do it (stats_write_back.h). One thread, for the store's life.
class StatsFlusher {
 public:
  StatsFlusher(Store* store, const StatsWriteBack* write_back)
      : store_(store), write_back_(write_back), thread_([this] { Run(); }) {}
  ~StatsFlusher() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  StatsFlusher(const StatsFlusher&) = delete;
  StatsFlusher& operator=(const StatsFlusher&) = delete;

 private:
  void Run() {
    bool failing = false;
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, write_back_->PollPeriod(), [this] { return stopping_; })) {
      if (!write_back_->Due()) continue;
      lock.unlock();
      const Status s = store_->WriteBackStats();
      if (!s && !failing) {
        LogWarn("store",
                "subscription counters: write-back failed, will retry: " + s.error().message);
      } else if (s && failing) {
        LogInfo("store", "subscription counters: write-back succeeded again");
      }
      failing = !s;
      lock.lock();
    }
  }

  Store* const store_;
  const StatsWriteBack* const write_back_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;     // last: starts once the rest is built
};

Store::~Store() {
  stats_flusher_.reset();
  // A clean close leaves the stats journal empty; if this fails, the next open recovers it.
  if (Status s = WriteBackStats(); !s) LogWarn("store", s.error().message);
  if (Status s = MarkClosed(); !s) {
    LogWarn("store",
            s.error().message + "; the folder stays marked open (\"2 (open)\"), as after a crash");
  }
  mdb_env_close(env_);
}  // then lock_ releases the folder

Status Store::WriteBackStats() {
  if (stats_write_back_->HeldCount() == 0) return Status::Ok();
  Txn txn(env_, true);
  if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
  StatsWriteBack::Changes stats(stats_write_back_.get(), txn.get());
  if (int rc = stats.WriteBack(); rc != 0)
    return lmdb::ToError("write back subscription stats", rc);
  if (int rc = txn.Commit(); rc != 0) return lmdb::ToError("commit subscription stats", rc);
  stats.Committed();
  return Status::Ok();
}

Status Store::MarkClosed() {
  // Only the closing thread is left; nothing else takes ids any more.
  const std::uint64_t next = next_delivery_id_.load(std::memory_order_relaxed);
  Txn txn(env_, true);
  if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
  int rc = 0;
  if ((rc = Put(txn.get(), dbs_->meta, kNextDeliveryKey, U64Key(next))) != 0) {
    return lmdb::ToError("write delivery counter", rc);
  }
  if ((rc = Put(txn.get(), dbs_->meta, kSchemaKey, kSchemaVersion)) != 0) {
    return lmdb::ToError("write schema version", rc);
  }
  if ((rc = txn.Commit()) != 0) return lmdb::ToError("commit the close", rc);
  return Status::Ok();
}

// One write of a group commit (commit_group.h): `write` puts its changes into the group's
// transaction and may be run again, alone, when another write of its group fails, so it keeps
// its results in its own state until the commit, and starts each run afresh.
struct Store::GroupWrite : CommitGroup::Member {
  const char* what = "";  // for errors: "events", "attempt records"
  std::function<Status(MDB_txn*, StatsWriteBack::Changes&)> write;
  // The transaction may not grow the data past the configured size (new events; the rest may
  // use the map's reserve).
  bool check_size = false;
  // Runs right after the commit, on the committing thread (may be empty).
  std::function<void()> committed;
};

void Store::CommitWrites(std::span<CommitGroup::Member* const> group) {
  if (group.size() > 1) {
    const Status together = CommitTogether(group);
    if (together) {
      for (CommitGroup::Member* m : group) m->status = Status::Ok();
      return;
    }
    // One write's error must not fail the others: each again, in a transaction of its own.
  }
  for (CommitGroup::Member* m : group) m->status = CommitTogether(std::span(&m, 1));
}

Status Store::CommitTogether(std::span<CommitGroup::Member* const> group) {
  bool check_size = false;
  for (CommitGroup::Member* m : group) check_size |= static_cast<GroupWrite*>(m)->check_size;
  // Names the writes, for an error only (not built on the commit path).
  auto what = [group] {
    std::string names;
    for (CommitGroup::Member* m : group) {
      names += names.empty() ? "" : " and ";
      names += static_cast<GroupWrite*>(m)->what;
    }
    return names;
  };
  Txn txn(env_, true);
  if (txn.begin_rc() != 0) return lmdb::ToError("begin commit of " + what(), txn.begin_rc());
  MDB_txn* t = txn.get();
  StatsWriteBack::Changes stats(stats_write_back_.get(), t);
  for (CommitGroup::Member* m : group) {
    if (Status s = static_cast<GroupWrite*>(m)->write(t, stats); !s) return s;
  }
  if (int rc = stats.Write(); rc != 0) return lmdb::ToError("write subscription stats", rc);
  if (check_size) {
    if (Status room = WithinConfiguredSize(env_, t, dbs_->Tables(), map_size_); !room) return room;
  }
  if (int rc = txn.Commit(); rc != 0) return CommitError(env_, "commit " + what(), rc);
  stats.Committed();
  for (CommitGroup::Member* m : group) {
    if (const auto& after = static_cast<GroupWrite*>(m)->committed; after) after();
  }
  group_commits_.fetch_add(1, std::memory_order_relaxed);
  group_writes_.fetch_add(group.size(), std::memory_order_relaxed);
  return Status::Ok();
}

Result<std::vector<EventCommit>> Store::CommitEvents(std::span<const Event> events,
                                                     std::int64_t now_ms,
                                                     std::vector<NewDelivery>* deliveries) {
  std::vector<EventCommit> results;
  std::vector<NewDelivery> added;
  GroupWrite w;
  w.what = "events";
  w.check_size = true;
  w.write = [&](MDB_txn* t, StatsWriteBack::Changes& stats) {
    results.clear();
    added.clear();
    return WriteEvents(t, stats, events, now_ms, &results, &added);
  };
  if (Status s = commit_group_->Commit(w); !s) return s.error();
  deliveries->insert(deliveries->end(), std::make_move_iterator(added.begin()),
                     std::make_move_iterator(added.end()));
  return results;
}

Status Store::WriteEvents(MDB_txn* t, StatsWriteBack::Changes& stats, std::span<const Event> events,
                          std::int64_t now_ms, std::vector<EventCommit>* results,
                          std::vector<NewDelivery>* deliveries) {
  std::uint64_t next_id = next_delivery_id_.load(std::memory_order_relaxed);
  std::uint64_t next_seq = next_event_seq_.load(std::memory_order_relaxed);
  std::string record;
  int rc = 0;
  results->reserve(events.size());
  std::unordered_map<std::string, std::int64_t> new_pending;  // per subscription
  Cursor scope(t, dbs_->scope);
  if (scope.rc() != 0) return lmdb::ToError("open scope cursor", scope.rc());
  std::string scratch;
  // The filter's answers for every scope of every event first, in one pass that overlaps their
  // cache misses (scope_filter.h). Inside the write transaction: no subscription can be added
  // meanwhile, and one removed meanwhile is only a wrong "maybe".
  constexpr ObjectType kScopes[] = {ObjectType::kGroup, ObjectType::kActionPackage,
                                    ObjectType::kAction};
  std::vector<ScopeFilter::Probe> probes;
  probes.reserve(events.size() * 3);
  for (const Event& event : events) {
    const std::uint32_t bits = ScopeFilter::EventBits(event.type);
    for (ObjectType type : kScopes) {
      const std::string& object_id = ScopeObjectId(event, type);
      probes.push_back({object_id.empty() ? 0 : ScopeFilter::KeyOf(type, object_id), bits});
    }
  }
  std::vector<bool> may_match;
  scope_filter_->MayMatchMany(probes, &may_match);
  std::size_t probe = 0;
  for (const Event& event : events) {
    const std::size_t event_probes = probe;
    probe += 3;
    const std::string& event_id = event.id.value();
    const std::string_view event_bytes = StoredEventJson(event, scratch);
    // Appended under the next sequence number: the log's end is one leaf whatever the ids, and
    // its order is the received order expiry walks. The id's entry finds duplicates.
    rc = AppendEvent(t, dbs_->event_log, dbs_->event_ids, next_seq, now_ms, event_id, event_bytes,
                     &record);
    if (rc == MDB_KEYEXIST) {
      results->push_back({IngestStatus::kDuplicate, 0});
      continue;
    }
    if (rc == kEventSequenceTaken) {
      // The counter is behind the log, which open should make impossible: this write fails, and
      // the next one (a group's write run again alone, too) takes numbers after the last event.
      std::uint64_t last = 0;
      LastU64Key(t, dbs_->event_log, &last);  // 0 if it cannot be read
      next_event_seq_.store(std::max(next_seq, last + 1), std::memory_order_relaxed);
      LogError("store", "event sequence number " + std::to_string(next_seq) +
                            " is taken (the last is " + std::to_string(last) +
                            "): the counter moves past it; this write fails");
      return lmdb::ToError("store event", MDB_KEYEXIST);
    }
    if (rc != 0) return lmdb::ToError("store event", rc);
    ++next_seq;

    EventCommit commit{IngestStatus::kAccepted, 0};
    auto match_scope = [&](int scope_number) -> int {
      // Most events of a busy broker have no subscription at their scope for their type: the
      // filter said so from memory, and the descent into scope_index is skipped.
      if (!may_match[event_probes + scope_number]) return 0;
      const ObjectType type = kScopes[scope_number];
      const std::string& object_id = ScopeObjectId(event, type);
      const std::string prefix = ScopePrefix(type, object_id);
      for (bool found = scope.Seek(prefix); found && scope.key().starts_with(prefix);
           found = scope.Next()) {
        if (!ScopeMatches(scope.value(), event.type, now_ms)) continue;
        const std::string_view sub_id = scope.key().substr(prefix.size());
        DeliveryRecord d;
        d.id = DeliveryId(next_id++);
        d.subscription_id = SubscriptionId(std::string(sub_id));
        d.event_id = event.id;
        d.event_type = event.type;
        d.created_ms = now_ms;
        d.next_attempt_ms = now_ms;
        d.updated_ms = now_ms;
        const std::uint64_t id = d.id.value();
        const std::string key = U64Key(id);
        // Appended: ids only grow, and an id at or below the last one fails (MDB_KEYEXIST)
        // instead of overwriting the delivery that has it.
        int put_rc = Put(t, dbs_->deliveries, key, EncodeDelivery(d), MDB_APPEND);
        if (put_rc == MDB_KEYEXIST) {
          // The counter is behind the table, which open and expiry should make impossible:
          // this commit is refused, and the next one takes ids after the last delivery.
          std::uint64_t last = 0;
          LastU64Key(t, dbs_->deliveries, &last);  // 0 if it cannot be read
          next_delivery_id_.store(std::max(next_id, last + 1), std::memory_order_relaxed);
          LogError("store", "delivery id " + std::to_string(id) + " is taken (the last is " +
                                std::to_string(last) +
                                "): the delivery counter moves past it; this commit is refused");
          return put_rc;
        }
        if (put_rc != 0 || (put_rc = Put(t, dbs_->due, DueKey(now_ms, id), "")) != 0 ||
            (put_rc = Put(t, dbs_->pending, key, "")) != 0 ||
            (put_rc = Put(t, dbs_->by_sub, TextIdKey(sub_id, id), "")) != 0 ||
            (put_rc = Put(t, dbs_->by_event, TextIdKey(event_id, id), "")) != 0) {
          return put_rc;
        }
        ++new_pending[d.subscription_id.value()];
        deliveries->push_back({d.id, d.subscription_id, now_ms});
        ++commit.deliveries;
      }
      return 0;
    };
    if ((rc = match_scope(0)) != 0 || (rc = match_scope(1)) != 0 || (rc = match_scope(2)) != 0) {
      return lmdb::ToError("store deliveries", rc);
    }
    results->push_back(commit);
  }
  for (const auto& [sub_id, count] : new_pending) {
    const std::int64_t added = count;  // clang: a lambda may not capture a structured binding
    rc = stats.Update(sub_id, [added](StatsRecord& s) { s.pending += added; });
    if (rc != 0) return lmdb::ToError("update subscription stats", rc);
  }
  // Taken even if the transaction aborts after this: a gap in the ids, never an id given twice.
  next_delivery_id_.store(next_id, std::memory_order_relaxed);
  next_event_seq_.store(next_seq, std::memory_order_relaxed);
  return Status::Ok();
}

Status Store::PutSubscription(const Subscription& sub) {
  return PutSubscriptions(std::span<const Subscription>(&sub, 1));
}

Status Store::PutSubscriptions(std::span<const Subscription> subs) {
  SubscriptionChanges sub_changes(scope_filter_.get(), sub_cache_.get());
  Txn txn(env_, true);
  if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
  for (const Subscription& sub : subs) {
    if (int rc = dbs_->WriteSubscription(txn.get(), sub, &sub_changes); rc != 0) {
      return lmdb::ToError("store subscription", rc);
    }
  }
  if (int rc = txn.Commit(); rc != 0) return lmdb::ToError("commit subscription", rc);
  sub_changes.Committed();
  return Status::Ok();
}

namespace {

// The live (not deleted) subscription `id` in `txn`; nullopt when unknown or deleted.
Result<std::optional<Subscription>> ReadLiveSubscription(MDB_txn* txn, MDB_dbi subs,
                                                         const SubscriptionId& id) {
  std::string_view bytes;
  int rc = GetValue(txn, subs, id.value(), &bytes);
  if (rc == MDB_NOTFOUND) return std::optional<Subscription>();
  if (rc != 0) return lmdb::ToError("read subscription", rc);
  auto sub = DecodeStoredSubscription(bytes);
  if (!sub) return sub.error();
  if (sub->deleted) return std::optional<Subscription>();
  return std::optional<Subscription>(std::move(sub).value());
}

// Subscription `id` for the delivery path, deleted or not: the cache's current entry without a
// read, or the record read in `txn` (begun after cache.Version() returned `version`) and decoded
// through the cache; null when there is no record.
Result<std::shared_ptr<const Subscription>> CachedSubscription(SubscriptionCache& cache,
                                                               MDB_txn* txn, MDB_dbi subs,
                                                               std::string_view id,
                                                               std::uint64_t version) {
  if (auto current = cache.Current(id)) return current;
  std::string_view bytes;
  if (GetValue(txn, subs, id, &bytes) != 0) return std::shared_ptr<const Subscription>();
  return cache.Decode(id, bytes, version);
}

}  // namespace

Result<std::optional<Subscription>> Store::GetSubscription(const SubscriptionId& id) const {
  Txn txn(env_, false);
  if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
  return ReadLiveSubscription(txn.get(), dbs_->subs, id);
}

Result<std::optional<Subscription>> Store::UpdateSubscription(
    const SubscriptionId& id, const std::function<Status(Subscription&)>& change) {
  SubscriptionChanges sub_changes(scope_filter_.get(), sub_cache_.get());
  Txn txn(env_, true);
  if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
  auto current = ReadLiveSubscription(txn.get(), dbs_->subs, id);
  if (!current || !*current) return current;
  Subscription changed = std::move(**current);
  int rc = 0;
  if (Status s = change(changed); !s) return s.error();
  if ((rc = dbs_->WriteSubscription(txn.get(), changed, &sub_changes)) != 0) {
    return lmdb::ToError("store subscription", rc);
  }
  if ((rc = txn.Commit()) != 0) return lmdb::ToError("commit subscription", rc);
  sub_changes.Committed();
  return std::optional<Subscription>(std::move(changed));
}

Result<std::optional<SubscriptionStats>> Store::GetSubscriptionStats(
    const SubscriptionId& id) const {
  // Held counters first, then the transaction: a write-back commits before it lets go of what it
  // wrote, so a record is always in one place or the other (stats_write_back.h).
  const std::optional<StatsRecord> held = stats_write_back_->Held(id.value());
  Txn txn(env_, false);
  if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
  std::string_view bytes;
  if (GetValue(txn.get(), dbs_->subs, id.value(), &bytes) != 0) {
    return std::optional<SubscriptionStats>();
  }
  StatsRecord s;
  if (held) {
    s = *held;
  } else {
    int rc = GetValue(txn.get(), dbs_->stats, id.value(), &bytes);
    if (rc == 0 && !DecodeStats(bytes, &s)) return Corrupt("subscription stats");
    if (rc != 0 && rc != MDB_NOTFOUND) return lmdb::ToError("read stats", rc);
  }
  SubscriptionStats out;
  out.pending = s.pending;
  out.delivered = s.delivered;
  out.failed = s.failed;
  out.attempts = s.attempts;
  out.last_success_ms = s.last_success_ms;
  out.last_failure_ms = s.last_failure_ms;
  out.latency = s.latency;
  return std::optional<SubscriptionStats>(out);
}

Result<SubscriptionPage> Store::ListSubscriptions(const SubscriptionFilter& filter) const {
  Txn txn(env_, false);
  if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
  SubscriptionPage page;
  const std::size_t limit = std::max<std::size_t>(filter.limit, 1);
  auto accept = [&](Subscription sub) -> bool {  // false when the page is full
    if (page.subscriptions.size() == limit) {
      page.next_after_id = page.subscriptions.back().id.value();
      return false;
    }
    page.subscriptions.push_back(std::move(sub));
    return true;
  };
  if (filter.object_type && filter.object_id) {
    // The scope index holds exactly the live subscriptions of one object, ordered by id.
    const std::string prefix = ScopePrefix(*filter.object_type, *filter.object_id);
    Cursor c(txn.get(), dbs_->scope);
    for (bool ok = c.Seek(prefix + filter.after_id + (filter.after_id.empty() ? "" : "\x01"));
         ok && c.key().starts_with(prefix); ok = c.Next()) {
      std::string_view bytes;
      if (GetValue(txn.get(), dbs_->subs, c.key().substr(prefix.size()), &bytes) != 0) continue;
      auto sub = DecodeStoredSubscription(bytes);
      if (!sub) return sub.error();
      if (!accept(std::move(sub).value())) break;
    }
    return page;
  }
  Cursor c(txn.get(), dbs_->subs);
  bool ok = filter.after_id.empty() ? c.First() : c.Seek(filter.after_id);
  if (ok && !filter.after_id.empty() && c.key() == filter.after_id) ok = c.Next();
  for (; ok; ok = c.Next()) {
    auto sub = DecodeStoredSubscription(c.value());
    if (!sub) return sub.error();
    if (sub->deleted) continue;
    if (filter.object_type && sub->object_type != *filter.object_type) continue;
    if (filter.object_id && sub->object_id != *filter.object_id) continue;
    if (!accept(std::move(sub).value())) break;
  }
  return page;
}

Result<bool> Store::DeleteSubscription(const SubscriptionId& id, std::int64_t now_ms) {
  SubscriptionChanges sub_changes(scope_filter_.get(), sub_cache_.get());
  Txn txn(env_, true);
  if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
  std::string_view bytes;
  int rc = GetValue(txn.get(), dbs_->subs, id.value(), &bytes);
  if (rc == MDB_NOTFOUND) return false;
  if (rc != 0) return lmdb::ToError("read subscription", rc);
  auto sub = DecodeStoredSubscription(bytes);
  if (!sub) return sub.error();
  if (sub->deleted) return false;
  sub->deleted = true;
  sub->deleted_ms = now_ms;
  if ((rc = dbs_->WriteSubscription(txn.get(), *sub, &sub_changes)) != 0) {
    return lmdb::ToError("delete subscription", rc);
  }
  if ((rc = txn.Commit()) != 0) return lmdb::ToError("commit delete", rc);
  sub_changes.Committed();
  return true;
}

Result<std::vector<std::string>> Store::CallbackOrigins(std::span<const SubscriptionId> ids) const {
  const std::uint64_t version = sub_cache_->Version();  // before the transaction
  Txn txn(env_, false);
  if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
  std::vector<std::string> origins;
  origins.reserve(ids.size());
  // A commit's deliveries often repeat a subscription: read each once. Keyed by views of `ids`.
  std::unordered_map<std::string_view, std::string> seen;
  seen.reserve(ids.size());
  for (const auto& id : ids) {
    auto it = seen.find(id.value());
    if (it == seen.end()) {
      std::string origin;
      auto sub = CachedSubscription(*sub_cache_, txn.get(), dbs_->subs, id.value(), version);
      if (sub && *sub) {
        auto url = ParseUrl((*sub)->callback_url);
        if (url) origin = url->Origin();
      }
      it = seen.emplace(id.value(), std::move(origin)).first;
    }
    origins.push_back(it->second);
  }
  return origins;
}

Result<DeliveryJob> Store::LoadDeliveryJob(const DeliveryId& id) const {
  const std::uint64_t version = sub_cache_->Version();  // before the transaction
  Txn txn(env_, false);
  if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
  DeliveryJob job;
  std::string_view bytes;
  int rc = GetValue(txn.get(), dbs_->deliveries, U64Key(id.value()), &bytes);
  if (rc == MDB_NOTFOUND) {
    return Error{"not_found", "delivery " + std::to_string(id.value()) + " not found", ""};
  }
  if (rc != 0) return lmdb::ToError("read delivery", rc);
  if (!DecodeDelivery(id.value(), bytes, &job.delivery)) return Corrupt("delivery");
  // Usually decoded moments ago for the delivery's callback origin (CallbackOrigins), and still
  // current: no read of the subscription's record at all.
  auto sub = CachedSubscription(*sub_cache_, txn.get(), dbs_->subs,
                                job.delivery.subscription_id.value(), version);
  if (!sub) return sub.error();
  if (*sub && !(*sub)->deleted) job.subscription = std::move(sub).value();
  rc = ReadEventJson(txn.get(), dbs_->event_log, dbs_->event_ids, job.delivery.event_id.value(),
                     &bytes);
  if (rc == kEventLogInconsistent) return Corrupt("event record");
  if (rc != 0) return lmdb::ToError("read event of delivery", rc);
  job.event_json.assign(bytes);
  return job;
}

Status Store::RecordAttempts(std::span<const AttemptUpdate> updates, std::int64_t disable_after_ms,
                             std::vector<DisabledSubscription>* disabled) {
  if (updates.empty()) return Status::Ok();
  std::vector<DisabledSubscription> to_disable;
  std::optional<SubscriptionChanges> sub_changes;
  GroupWrite w;
  w.what = "attempt records";
  w.patient = true;
  w.write = [&](MDB_txn* t, StatsWriteBack::Changes& stats) {
    to_disable.clear();
    sub_changes.emplace(scope_filter_.get(), sub_cache_.get());
    return WriteAttempts(t, stats, updates, disable_after_ms, &*sub_changes, &to_disable);
  };
  w.committed = [&] { sub_changes->Committed(); };
  if (Status s = commit_group_->Commit(w); !s) return s;
  if (disabled != nullptr) *disabled = std::move(to_disable);
  return Status::Ok();
}

Status Store::WriteAttempts(MDB_txn* t, StatsWriteBack::Changes& stats,
                            std::span<const AttemptUpdate> updates, std::int64_t disable_after_ms,
                            SubscriptionChanges* sub_changes,
                            std::vector<DisabledSubscription>* to_disable) {
  for (const AttemptUpdate& u : updates) {
    const std::uint64_t id = u.delivery_id.value();
    const std::string key = U64Key(id);
    std::string_view bytes;
    int rc = GetValue(t, dbs_->deliveries, key, &bytes);
    if (rc == MDB_NOTFOUND) continue;  // removed meanwhile (history expiry): nothing to update
    if (rc != 0) return lmdb::ToError("read delivery", rc);
    DeliveryRecord d;
    if (!DecodeDelivery(id, bytes, &d)) return Corrupt("delivery");
    const DeliveryStatus was = d.status;
    if (was == DeliveryStatus::kPending &&
        (rc = Del(t, dbs_->due, DueKey(d.next_attempt_ms, id))) != 0) {
      return lmdb::ToError("update due index", rc);
    }
    const AttemptRecord& a = u.attempt;
    d.status = u.new_status;
    d.attempts = std::max(d.attempts, a.number);
    d.updated_ms = a.recorded_ms;
    d.next_attempt_ms = u.new_status == DeliveryStatus::kPending ? u.next_attempt_ms : 0;
    d.last_http_status = a.http_status;
    d.last_error = a.error;
    if ((rc = Put(t, dbs_->attempts, AttemptKey(id, a.number), EncodeAttempt(a))) != 0 ||
        (rc = Put(t, dbs_->attempt_log, AttemptLogKey(a.recorded_ms, id, a.number), "")) != 0 ||
        (rc = Put(t, dbs_->deliveries, key, EncodeDelivery(d))) != 0) {
      return lmdb::ToError("store attempt", rc);
    }
    if (d.status == DeliveryStatus::kPending) {
      rc = Put(t, dbs_->due, DueKey(d.next_attempt_ms, id), "");
    } else {
      rc = Del(t, dbs_->pending, key);
    }
    if (rc != 0) return lmdb::ToError("update due index", rc);
    std::string disable_reason = u.disable_subscription;
    rc = stats.Update(d.subscription_id.value(), [&](StatsRecord& s) {
      if (a.outcome == AttemptOutcome::kCancelled) {
        // No request was made: not an attempt for the statistics.
      } else {
        ++s.attempts;
        if (a.http_status != 0) ++s.latency[LatencyBucket(a.duration_ms)];
        if (a.outcome == AttemptOutcome::kDelivered) {
          s.last_success_ms = a.recorded_ms;
          s.failing_since_ms = 0;
        } else {
          s.last_failure_ms = a.recorded_ms;
          if (s.failing_since_ms == 0) s.failing_since_ms = a.recorded_ms;
          if (disable_after_ms > 0 && disable_reason.empty() &&
              a.recorded_ms - s.failing_since_ms >= disable_after_ms) {
            disable_reason = "no successful callback for " + DescribeSpan(disable_after_ms);
          }
        }
      }
      if (was == DeliveryStatus::kPending && d.status != DeliveryStatus::kPending) {
        --s.pending;
        if (d.status == DeliveryStatus::kDelivered) ++s.delivered;
        if (d.status == DeliveryStatus::kFailed) ++s.failed;
      }
    });
    if (rc != 0) return lmdb::ToError("update subscription stats", rc);
    if (!disable_reason.empty()) {
      auto sub = ReadLiveSubscription(t, dbs_->subs, d.subscription_id);
      if (!sub) return sub.error();
      if (*sub && !(*sub)->disabled()) {
        (*sub)->disabled_ms = std::max<std::int64_t>(a.recorded_ms, 1);
        (*sub)->disabled_reason = disable_reason;
        if ((rc = dbs_->WriteSubscription(t, **sub, sub_changes)) != 0) {
          return lmdb::ToError("disable subscription", rc);
        }
        to_disable->push_back({d.subscription_id, std::move(disable_reason)});
      }
    }
  }
  return Status::Ok();
}

Status Store::ForEachPending(const std::function<void(const NewDelivery&)>& fn) const {
  constexpr std::size_t kPage = 4096;
  std::string resume;  // due key to continue after
  std::vector<NewDelivery> page;
  for (;;) {
    page.clear();
    {
      Txn txn(env_, false);
      if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
      Cursor c(txn.get(), dbs_->due);
      bool ok = resume.empty() ? c.First() : c.Seek(resume);
      if (ok && !resume.empty() && c.key() == resume) ok = c.Next();
      for (; ok && page.size() < kPage; ok = c.Next()) {
        if (c.key().size() != 16) continue;
        const std::uint64_t id = ReadU64(c.key(), 8);
        std::string_view bytes;
        DeliveryRecord d;
        if (GetValue(txn.get(), dbs_->deliveries, U64Key(id), &bytes) != 0 ||
            !DecodeDelivery(id, bytes, &d)) {
          continue;
        }
        page.push_back(
            {d.id, d.subscription_id, static_cast<std::int64_t>(ReadU64(c.key())), d.attempts > 0});
        resume.assign(c.key());
      }
    }
    for (const NewDelivery& item : page) fn(item);
    if (page.size() < kPage) return Status::Ok();
  }
}

namespace {

Status ReadAttempts(MDB_txn* txn, MDB_dbi dbi, std::uint64_t id, std::vector<AttemptRecord>* out) {
  Cursor c(txn, dbi);
  const std::string prefix = U64Key(id);
  for (bool ok = c.Seek(prefix); ok && c.key().starts_with(prefix); ok = c.Next()) {
    AttemptRecord a;
    if (!DecodeAttempt(c.value(), &a)) return Corrupt("attempt");
    out->push_back(std::move(a));
  }
  return Status::Ok();
}

}  // namespace

Result<DeliveryPage> Store::ListDeliveries(const DeliveryFilter& filter) const {
  Txn txn(env_, false);
  if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
  MDB_txn* t = txn.get();
  DeliveryPage page;
  const std::size_t limit = std::max<std::size_t>(filter.limit, 1);
  const std::uint64_t before = filter.before_id.value_or(UINT64_MAX);

  enum class Visit { kSkip, kTake, kStop };
  auto visit = [&](std::uint64_t id) -> Result<Visit> {
    std::string_view bytes;
    if (GetValue(t, dbs_->deliveries, U64Key(id), &bytes) != 0) return Visit::kSkip;
    DeliveryWithAttempts item;
    if (!DecodeDelivery(id, bytes, &item.delivery)) return Corrupt("delivery");
    const DeliveryRecord& d = item.delivery;
    // Ids grow with creation time: walking newest first, "too old" ends the walk.
    if (filter.since_ms && d.created_ms < *filter.since_ms) return Visit::kStop;
    if (filter.until_ms && d.created_ms > *filter.until_ms) return Visit::kSkip;
    if (filter.status && d.status != *filter.status) return Visit::kSkip;
    if (filter.subscription_id && d.subscription_id != *filter.subscription_id) return Visit::kSkip;
    if (filter.event_id && d.event_id != *filter.event_id) return Visit::kSkip;
    if (filter.event_type && d.event_type != *filter.event_type) return Visit::kSkip;
    if (page.deliveries.size() == limit) {
      page.next_before_id = page.deliveries.back().delivery.id.value();
      return Visit::kStop;
    }
    Status s = ReadAttempts(t, dbs_->attempts, id, &item.attempts);
    if (!s) return s.error();
    page.deliveries.push_back(std::move(item));
    return Visit::kTake;
  };

  std::optional<std::string> prefix;
  MDB_dbi dbi = dbs_->deliveries;
  if (filter.event_id) {
    prefix = filter.event_id->value() + std::string(1, '\0');
    dbi = dbs_->by_event;
  } else if (filter.subscription_id) {
    prefix = filter.subscription_id->value() + std::string(1, '\0');
    dbi = dbs_->by_sub;
  }
  Cursor c(t, dbi);
  const std::string start =
      prefix ? TextIdKey(prefix->substr(0, prefix->size() - 1), before) : U64Key(before);
  // Start on the last key < start.
  for (bool ok = c.Seek(start) ? c.Prev() : c.Last(); ok; ok = c.Prev()) {
    std::uint64_t id;
    if (prefix) {
      if (!c.key().starts_with(*prefix) || c.key().size() != prefix->size() + 8) break;
      id = ReadU64(c.key(), prefix->size());
    } else {
      id = ReadU64(c.key());
    }
    if (id >= before) continue;
    auto step = visit(id);
    if (!step) return step.error();
    if (*step == Visit::kStop) break;
  }
  return page;
}

Result<std::optional<DeliveryWithAttempts>> Store::GetDelivery(const DeliveryId& id) const {
  Txn txn(env_, false);
  if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
  std::string_view bytes;
  int rc = GetValue(txn.get(), dbs_->deliveries, U64Key(id.value()), &bytes);
  if (rc == MDB_NOTFOUND) return std::optional<DeliveryWithAttempts>();
  if (rc != 0) return lmdb::ToError("read delivery", rc);
  DeliveryWithAttempts item;
  if (!DecodeDelivery(id.value(), bytes, &item.delivery)) return Corrupt("delivery");
  Status s = ReadAttempts(txn.get(), dbs_->attempts, id.value(), &item.attempts);
  if (!s) return s.error();
  return std::optional<DeliveryWithAttempts>(std::move(item));
}

Result<std::optional<std::string>> Store::GetEventJson(const EventId& id) const {
  Txn txn(env_, false);
  if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
  std::string_view bytes;
  int rc = ReadEventJson(txn.get(), dbs_->event_log, dbs_->event_ids, id.value(), &bytes);
  if (rc == kEventLogInconsistent) return Corrupt("event record");
  if (rc == MDB_NOTFOUND) return std::optional<std::string>();
  if (rc != 0) return lmdb::ToError("read event", rc);
  return std::optional<std::string>(std::string(bytes));
}

Result<std::optional<DeliveryRecord>> Store::Requeue(const DeliveryId& id, std::int64_t now_ms) {
  Txn txn(env_, true);
  if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
  std::string_view bytes;
  int rc = GetValue(txn.get(), dbs_->deliveries, U64Key(id.value()), &bytes);
  if (rc == MDB_NOTFOUND) return std::optional<DeliveryRecord>();
  if (rc != 0) return lmdb::ToError("read delivery", rc);
  DeliveryRecord d;
  if (!DecodeDelivery(id.value(), bytes, &d)) return Corrupt("delivery");
  if (d.status == DeliveryStatus::kPending) {
    return Error{"conflict",
                 "delivery " + std::to_string(id.value()) +
                     " is still pending; it will be attempted at its due time",
                 ""};
  }
  StatsWriteBack::Changes stats(stats_write_back_.get(), txn.get());
  if ((rc = dbs_->Requeue(txn.get(), d, now_ms, &stats)) != 0 || (rc = stats.Write()) != 0) {
    return lmdb::ToError("requeue", rc);
  }
  if ((rc = txn.Commit()) != 0) return lmdb::ToError("commit requeue", rc);
  stats.Committed();
  return std::optional<DeliveryRecord>(std::move(d));
}

Status Store::Replay(const SubscriptionId& id, std::int64_t since_ms, std::int64_t until_ms,
                     bool include_delivered, std::int64_t now_ms,
                     std::vector<NewDelivery>* requeued) {
  auto wanted = [&](const DeliveryRecord& d) {
    return d.created_ms >= since_ms && d.created_ms <= until_ms &&
           (d.status == DeliveryStatus::kFailed ||
            (include_delivered && d.status == DeliveryStatus::kDelivered));
  };
  std::vector<std::uint64_t> ids;
  {
    Txn txn(env_, false);
    if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
    const std::string prefix = id.value() + std::string(1, '\0');
    Cursor c(txn.get(), dbs_->by_sub);
    for (bool ok = c.Seek(prefix); ok && c.key().starts_with(prefix); ok = c.Next()) {
      if (c.key().size() != prefix.size() + 8) continue;
      const std::uint64_t delivery_id = ReadU64(c.key(), prefix.size());
      std::string_view bytes;
      DeliveryRecord d;
      if (GetValue(txn.get(), dbs_->deliveries, U64Key(delivery_id), &bytes) == 0 &&
          DecodeDelivery(delivery_id, bytes, &d) && wanted(d)) {
        ids.push_back(delivery_id);
      }
    }
  }
  constexpr std::size_t kChunk = 1000;
  for (std::size_t start = 0; start < ids.size(); start += kChunk) {
    Txn txn(env_, true);
    if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
    StatsWriteBack::Changes stats(stats_write_back_.get(), txn.get());
    std::vector<NewDelivery> chunk;
    for (std::size_t i = start; i < std::min(ids.size(), start + kChunk); ++i) {
      std::string_view bytes;
      DeliveryRecord d;
      // Read again: the delivery may have changed since the scan.
      if (GetValue(txn.get(), dbs_->deliveries, U64Key(ids[i]), &bytes) != 0 ||
          !DecodeDelivery(ids[i], bytes, &d) || !wanted(d)) {
        continue;
      }
      int rc = dbs_->Requeue(txn.get(), d, now_ms, &stats);
      if (rc != 0) return lmdb::ToError("replay", rc);
      chunk.push_back({d.id, d.subscription_id, now_ms});
    }
    if (int rc = stats.Write(); rc != 0) return lmdb::ToError("replay", rc);
    int rc = txn.Commit();
    if (rc != 0) return lmdb::ToError("commit replay", rc);
    stats.Committed();
    requeued->insert(requeued->end(), chunk.begin(), chunk.end());
  }
  return Status::Ok();
}

Result<AttemptLogPage> Store::ListAttemptLog(const AttemptLogFilter& filter) const {
  AttemptLogPage page;
  page.last_cursor = filter.after_cursor;
  std::string start;
  if (!filter.after_cursor.empty()) {
    auto key = Unhex(filter.after_cursor);
    if (!key || key->size() != 18) {
      return Error::Invalid("cursor", "cursor: not a cursor from a previous reply");
    }
    start = *key;
  }
  if (filter.since_ms) {
    const std::string since = AttemptLogKey(*filter.since_ms, 0, 0);
    if (since > start) start = since;
  }
  Txn txn(env_, false);
  if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
  Cursor c(txn.get(), dbs_->attempt_log);
  bool ok = start.empty() ? c.First() : c.Seek(start);
  if (ok && !filter.after_cursor.empty() && c.key() == start) ok = c.Next();
  const std::size_t limit = std::max<std::size_t>(filter.limit, 1);
  for (; ok && page.entries.size() < limit; ok = c.Next()) {
    const std::string_view key = c.key();
    if (key.size() != 18) continue;
    if (filter.until_ms && static_cast<std::int64_t>(ReadU64(key)) > *filter.until_ms) break;
    page.last_cursor = Hex(key);
    AttemptLogEntry entry;
    const std::uint64_t id = ReadU64(key, 8);
    const int number =
        (static_cast<unsigned char>(key[16]) << 8) | static_cast<unsigned char>(key[17]);
    std::string_view bytes;
    if (GetValue(txn.get(), dbs_->deliveries, U64Key(id), &bytes) != 0 ||
        !DecodeDelivery(id, bytes, &entry.delivery)) {
      continue;
    }
    if (filter.subscription_id && entry.delivery.subscription_id != *filter.subscription_id) {
      continue;
    }
    if (GetValue(txn.get(), dbs_->attempts, AttemptKey(id, number), &bytes) != 0 ||
        !DecodeAttempt(bytes, &entry.attempt)) {
      continue;
    }
    entry.cursor = page.last_cursor;
    page.entries.push_back(std::move(entry));
  }
  return page;
}

Result<GcResult> Store::CollectGarbage(std::int64_t cutoff_ms, std::size_t budget,
                                       GcPosition* position) {
  GcResult result;
  Txn txn(env_, true);
  if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
  MDB_txn* t = txn.get();
  int rc = 0;

  // Final deliveries created before the cutoff. Ids grow with creation time, so the walk stops
  // at the first newer one; pending ones are kept until they end.
  std::vector<DeliveryRecord> expired;
  std::size_t inspected = 0;
  {
    Cursor c(t, dbs_->deliveries);
    const std::string& after = position->delivery_key;
    bool ok = after.empty() ? c.First() : c.Seek(after);
    if (ok && !after.empty() && c.key() == after) ok = c.Next();
    for (; ok; ok = c.Next()) {
      if (expired.size() == budget || inspected == 4 * budget) {
        result.more = true;
        break;
      }
      ++inspected;
      DeliveryRecord d;
      if (!DecodeDelivery(ReadU64(c.key()), c.value(), &d)) continue;
      if (d.created_ms >= cutoff_ms) break;
      position->delivery_key.assign(c.key());
      if (d.status != DeliveryStatus::kPending) expired.push_back(std::move(d));
    }
  }
  for (const DeliveryRecord& d : expired) {
    const std::uint64_t id = d.id.value();
    std::vector<std::string> attempt_keys, log_keys;
    {
      Cursor c(t, dbs_->attempts);
      const std::string prefix = U64Key(id);
      for (bool ok = c.Seek(prefix); ok && c.key().starts_with(prefix); ok = c.Next()) {
        attempt_keys.emplace_back(c.key());
        AttemptRecord a;
        if (DecodeAttempt(c.value(), &a)) {
          log_keys.push_back(AttemptLogKey(a.recorded_ms, id, a.number));
        }
      }
    }
    for (const auto& k : attempt_keys) {
      if ((rc = Del(t, dbs_->attempts, k)) != 0) return lmdb::ToError("expire attempts", rc);
    }
    for (const auto& k : log_keys) {
      if ((rc = Del(t, dbs_->attempt_log, k)) != 0) return lmdb::ToError("expire attempts", rc);
    }
    if ((rc = Del(t, dbs_->by_sub, TextIdKey(d.subscription_id.value(), id))) != 0 ||
        (rc = Del(t, dbs_->by_event, TextIdKey(d.event_id.value(), id))) != 0 ||
        (rc = Del(t, dbs_->deliveries, U64Key(id))) != 0) {
      return lmdb::ToError("expire delivery", rc);
    }
  }
  result.deliveries = expired.size();
  if (!expired.empty()) {
    // The newest deliveries may be among them: meta keeps the counter, so that the next open
    // does not take the last remaining id + 1 and give removed ids again. This transaction holds
    // the writer lock, so every id given so far is counted.
    const std::uint64_t next = next_delivery_id_.load(std::memory_order_relaxed);
    if ((rc = Put(t, dbs_->meta, kNextDeliveryKey, U64Key(next))) != 0) {
      return lmdb::ToError("write delivery counter", rc);
    }
  }

  // Events received before the cutoff that no delivery refers to any more. The log is in the
  // order the events were stored, the received order unless the clock went back; the walk stops
  // at the first newer one, so an event stored after a newer one waits for it (late, never
  // early).
  struct ExpiredEvent {
    std::string seq_key;
    std::string id;
  };
  std::vector<ExpiredEvent> expired_events;
  inspected = 0;
  {
    Cursor c(t, dbs_->event_log);
    Cursor refs(t, dbs_->by_event);
    const std::string& after = position->event_key;
    bool ok = after.empty() ? c.First() : c.Seek(after);
    if (ok && !after.empty() && c.key() == after) ok = c.Next();
    for (; ok; ok = c.Next()) {
      if (expired_events.size() == budget || inspected == 4 * budget) {
        result.more = true;
        break;
      }
      ++inspected;
      EventRecordView event;
      if (!DecodeEventRecord(c.value(), &event)) continue;
      if (event.received_ms >= cutoff_ms) break;
      position->event_key.assign(c.key());
      const std::string prefix = std::string(event.event_id) + std::string(1, '\0');
      if (refs.Seek(prefix) && refs.key().starts_with(prefix)) continue;
      expired_events.push_back({std::string(c.key()), std::string(event.event_id)});
    }
  }
  for (const auto& e : expired_events) {
    if ((rc = Del(t, dbs_->event_log, e.seq_key)) != 0 ||
        (rc = Del(t, dbs_->event_ids, e.id)) != 0) {
      return lmdb::ToError("expire event", rc);
    }
  }
  result.events = expired_events.size();
  if ((rc = txn.Commit()) != 0) return lmdb::ToError("commit expiry", rc);
  return result;
}

Status Store::FinishExpiryPass(std::int64_t now_ms) {
  Txn txn(env_, true);
  if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
  if (int rc =
          Put(txn.get(), dbs_->meta, kLastExpiryKey, U64Key(static_cast<std::uint64_t>(now_ms)));
      rc != 0) {
    return lmdb::ToError("record the expiry pass", rc);
  }
  if (int rc = txn.Commit(); rc != 0) return CommitError(env_, "commit the expiry pass", rc);
  return Status::Ok();
}

Result<StoreInfo> Store::Info() const {
  StoreInfo info;
  info.map_bytes = map_size_;
  MDB_envinfo env_info;
  MDB_stat env_stat;
  mdb_env_info(env_, &env_info);
  mdb_env_stat(env_, &env_stat);
  info.used_bytes = static_cast<std::uint64_t>(env_info.me_last_pgno + 1) * env_stat.ms_psize;
  const char* path = nullptr;
  mdb_env_get_path(env_, &path);
  struct stat st {};
  if (path != nullptr && ::stat((std::string(path) + "/data.mdb").c_str(), &st) == 0) {
    info.file_bytes = static_cast<std::uint64_t>(st.st_size);
  }
  info.group_commits = group_commits_.load(std::memory_order_relaxed);
  info.group_writes = group_writes_.load(std::memory_order_relaxed);
  Txn txn(env_, false);
  if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
  MDB_stat pending_stat;
  if (mdb_stat(txn.get(), dbs_->pending, &pending_stat) == 0)
    info.pending = pending_stat.ms_entries;
  Cursor c(txn.get(), dbs_->pending);
  if (c.First()) {
    std::string_view bytes;
    DeliveryRecord d;
    const std::uint64_t id = ReadU64(c.key());
    if (GetValue(txn.get(), dbs_->deliveries, c.key(), &bytes) == 0 &&
        DecodeDelivery(id, bytes, &d)) {
      info.oldest_pending_created_ms = d.created_ms;
    }
  }
  return info;
}

Status Store::PutApiKey(const ApiKeyRecord& key) {
  Txn txn(env_, true);
  if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
  // A new id never replaces a stored key (or its revocation).
  if (int rc = Put(txn.get(), dbs_->api_keys, key.id.value(), EncodeApiKey(key), MDB_NOOVERWRITE);
      rc != 0) {
    return lmdb::ToError("store API key", rc);
  }
  if (int rc = txn.Commit(); rc != 0) return lmdb::ToError("commit API key", rc);
  return Status::Ok();
}

Result<std::vector<ApiKeyRecord>> Store::ListApiKeys() const {
  Txn txn(env_, false);
  if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
  std::vector<ApiKeyRecord> keys;
  Cursor c(txn.get(), dbs_->api_keys);
  if (c.rc() != 0) return lmdb::ToError("open API key cursor", c.rc());
  for (bool ok = c.First(); ok; ok = c.Next()) {
    ApiKeyRecord k;
    if (!DecodeApiKey(c.key(), c.value(), &k)) return Corrupt("API key");
    keys.push_back(std::move(k));
  }
  return keys;
}

Result<std::optional<ApiKeyRecord>> Store::RevokeApiKey(const ApiKeyId& id, std::int64_t now_ms) {
  Txn txn(env_, true);
  if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
  std::string_view bytes;
  int rc = GetValue(txn.get(), dbs_->api_keys, id.value(), &bytes);
  if (rc == MDB_NOTFOUND) return std::optional<ApiKeyRecord>();
  if (rc != 0) return lmdb::ToError("read API key", rc);
  ApiKeyRecord k;
  if (!DecodeApiKey(id.value(), bytes, &k)) return Corrupt("API key");
  if (k.revoked_ms != 0) return std::optional<ApiKeyRecord>();
  k.revoked_ms = now_ms;
  if ((rc = Put(txn.get(), dbs_->api_keys, id.value(), EncodeApiKey(k))) != 0) {
    return lmdb::ToError("revoke API key", rc);
  }
  if ((rc = txn.Commit()) != 0) return lmdb::ToError("commit API key", rc);
  return std::optional<ApiKeyRecord>(std::move(k));
}

}  // namespace hookbroker

namespace hookbroker {
namespace {

std::string RecordKey(RecordKind kind, std::string_view key) {
  std::string k(1, static_cast<char>(kind));
  k.push_back('/');
  k.append(key);
  return k;
}

}  // namespace

Status Store::PutRecord(RecordKind kind, std::string_view key, std::string_view value) {
  Txn txn(env_, true);
  if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
  if (int rc = Put(txn.get(), dbs_->records, RecordKey(kind, key), value); rc != 0) {
    return lmdb::ToError("store record", rc);
  }
  if (int rc = txn.Commit(); rc != 0) return lmdb::ToError("commit record", rc);
  return Status::Ok();
}

Result<bool> Store::InsertRecord(RecordKind kind, std::string_view key, std::string_view value) {
  Txn txn(env_, true);
  if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
  int rc = Put(txn.get(), dbs_->records, RecordKey(kind, key), value, MDB_NOOVERWRITE);
  if (rc == MDB_KEYEXIST) return false;
  if (rc != 0) return lmdb::ToError("store record", rc);
  if ((rc = txn.Commit()) != 0) return lmdb::ToError("commit record", rc);
  return true;
}

Result<std::optional<std::string>> Store::GetRecord(RecordKind kind, std::string_view key) const {
  Txn txn(env_, false);
  if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
  std::string_view bytes;
  int rc = GetValue(txn.get(), dbs_->records, RecordKey(kind, key), &bytes);
  if (rc == MDB_NOTFOUND) return std::optional<std::string>();
  if (rc != 0) return lmdb::ToError("read record", rc);
  return std::optional<std::string>(std::string(bytes));
}

Result<std::vector<StoredRecord>> Store::ListRecords(RecordKind kind) const {
  Txn txn(env_, false);
  if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
  const std::string prefix = RecordKey(kind, "");
  std::vector<StoredRecord> out;
  Cursor c(txn.get(), dbs_->records);
  if (c.rc() != 0) return lmdb::ToError("open record cursor", c.rc());
  for (bool ok = c.Seek(prefix); ok && c.key().starts_with(prefix); ok = c.Next()) {
    out.push_back({std::string(c.key().substr(prefix.size())), std::string(c.value())});
  }
  return out;
}

Result<bool> Store::DeleteRecord(RecordKind kind, std::string_view key) {
  Txn txn(env_, true);
  if (txn.begin_rc() != 0) return lmdb::ToError("begin", txn.begin_rc());
  const std::string k = RecordKey(kind, key);
  std::string_view bytes;
  int rc = GetValue(txn.get(), dbs_->records, k, &bytes);
  if (rc == MDB_NOTFOUND) return false;
  if (rc != 0) return lmdb::ToError("read record", rc);
  if ((rc = Del(txn.get(), dbs_->records, k)) != 0) return lmdb::ToError("delete record", rc);
  if ((rc = txn.Commit()) != 0) return lmdb::ToError("commit record", rc);
  return true;
}

}  // namespace hookbroker
