#include "broker/store.h"

#include <lmdb.h>
#include <sys/stat.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <system_error>

#include "proto/url.h"

namespace hookbroker {
namespace {

// ---- LMDB adapter: errors become Error values, transactions are RAII. -------------------------

Error LmdbError(std::string_view what, int rc) {
  std::string code = rc == MDB_MAP_FULL ? "storage_full" : "storage_error";
  return Error{code, std::string(what) + ": " + mdb_strerror(rc), ""};
}

class Txn {
 public:
  Txn(MDB_env* env, bool write) {
    rc_ = mdb_txn_begin(env, nullptr, write ? 0 : MDB_RDONLY, &txn_);
    if (rc_ != 0) txn_ = nullptr;
  }
  ~Txn() {
    if (txn_ != nullptr) mdb_txn_abort(txn_);
  }
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;

  int begin_rc() const { return rc_; }
  MDB_txn* get() const { return txn_; }
  int Commit() {
    int rc = mdb_txn_commit(txn_);
    txn_ = nullptr;
    return rc;
  }

 private:
  MDB_txn* txn_ = nullptr;
  int rc_ = 0;
};

class Cursor {
 public:
  Cursor(MDB_txn* txn, MDB_dbi dbi) { rc_ = mdb_cursor_open(txn, dbi, &cursor_); }
  ~Cursor() {
    if (rc_ == 0) mdb_cursor_close(cursor_);
  }
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;
  int rc() const { return rc_; }

  // Positions at the first key >= `key`; false when there is none.
  bool Seek(std::string_view key) {
    key_ = Val(key);
    return Get(MDB_SET_RANGE);
  }
  bool First() { return Get(MDB_FIRST); }
  bool Last() { return Get(MDB_LAST); }
  bool Next() { return Get(MDB_NEXT); }
  bool Prev() { return Get(MDB_PREV); }
  std::string_view key() const { return {static_cast<const char*>(key_.mv_data), key_.mv_size}; }
  std::string_view value() const { return {static_cast<const char*>(val_.mv_data), val_.mv_size}; }

  static MDB_val Val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }

 private:
  bool Get(MDB_cursor_op op) { return mdb_cursor_get(cursor_, &key_, &val_, op) == 0; }
  MDB_cursor* cursor_ = nullptr;
  int rc_ = 0;
  MDB_val key_{};
  MDB_val val_{};
};

MDB_val Val(std::string_view s) { return Cursor::Val(s); }

// Returns 0 and sets *out, MDB_NOTFOUND, or another LMDB error.
int GetValue(MDB_txn* txn, MDB_dbi dbi, std::string_view key, std::string_view* out) {
  MDB_val k = Val(key);
  MDB_val v;
  int rc = mdb_get(txn, dbi, &k, &v);
  if (rc == 0) *out = {static_cast<const char*>(v.mv_data), v.mv_size};
  return rc;
}

int Put(MDB_txn* txn, MDB_dbi dbi, std::string_view key, std::string_view value) {
  MDB_val k = Val(key);
  MDB_val v = Val(value);
  return mdb_put(txn, dbi, &k, &v, 0);
}

int Del(MDB_txn* txn, MDB_dbi dbi, std::string_view key) {
  MDB_val k = Val(key);
  int rc = mdb_del(txn, dbi, &k, nullptr);
  return rc == MDB_NOTFOUND ? 0 : rc;
}

// ---- Key encodings (docs/STORAGE.md). ---------------------------------------------------------

void AppendU64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}

std::uint64_t ReadU64(std::string_view s, std::size_t at = 0) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

std::string U64Key(std::uint64_t v) {
  std::string k;
  AppendU64(k, v);
  return k;
}

std::string DueKey(std::int64_t due_ms, std::uint64_t id) {
  std::string k;
  AppendU64(k, static_cast<std::uint64_t>(std::max<std::int64_t>(due_ms, 0)));
  AppendU64(k, id);
  return k;
}

std::string AttemptKey(std::uint64_t id, int number) {
  std::string k = U64Key(id);
  k.push_back(static_cast<char>((number >> 8) & 0xff));
  k.push_back(static_cast<char>(number & 0xff));
  return k;
}

// "<text>\0<delivery id>": by_sub and by_event keys.
std::string TextIdKey(std::string_view text, std::uint64_t id) {
  std::string k(text);
  k.push_back('\0');
  AppendU64(k, id);
  return k;
}

char ScopeChar(ObjectType type) {
  switch (type) {
    case ObjectType::kGroup:
      return 'G';
    case ObjectType::kActionPackage:
      return 'P';
    case ObjectType::kAction:
      return 'A';
  }
  return '?';
}

std::string ScopePrefix(ObjectType type, std::string_view object_id) {
  std::string k(1, ScopeChar(type));
  k.append(object_id);
  k.push_back('\0');
  return k;
}

// Scope index value: validity (8 bytes) then the event types joined by '\n'. Matching reads only
// this, never the subscription record.
std::string ScopeValue(const Subscription& sub) {
  std::string v;
  AppendU64(v, static_cast<std::uint64_t>(sub.validity_ms));
  for (std::size_t i = 0; i < sub.event_types.size(); ++i) {
    if (i > 0) v.push_back('\n');
    v.append(sub.event_types[i]);
  }
  return v;
}

bool ScopeMatches(std::string_view value, std::string_view event_type, std::int64_t now_ms) {
  if (value.size() < 8) return false;
  if (static_cast<std::int64_t>(ReadU64(value)) <= now_ms) return false;
  std::string_view types = value.substr(8);
  while (!types.empty()) {
    std::size_t nl = types.find('\n');
    std::string_view t = types.substr(0, nl);
    if (t == "*" || t == event_type) return true;
    if (nl == std::string_view::npos) break;
    types.remove_prefix(nl + 1);
  }
  return false;
}

// ---- Delivery record codec: version byte, fixed fields, length-prefixed strings. -------------

constexpr std::uint8_t kDeliveryRecordVersion = 1;

void AppendStr(std::string& out, std::string_view s) {
  std::uint16_t n = static_cast<std::uint16_t>(std::min<std::size_t>(s.size(), 0xffff));
  out.push_back(static_cast<char>(n >> 8));
  out.push_back(static_cast<char>(n & 0xff));
  out.append(s.substr(0, n));
}

std::string EncodeDelivery(const DeliveryRecord& d) {
  std::string out;
  out.reserve(64 + d.subscription_id.value().size() + d.event_id.value().size());
  out.push_back(static_cast<char>(kDeliveryRecordVersion));
  out.push_back(static_cast<char>(d.status));
  AppendU64(out, static_cast<std::uint64_t>(d.attempts));
  AppendU64(out, static_cast<std::uint64_t>(d.created_ms));
  AppendU64(out, static_cast<std::uint64_t>(d.next_attempt_ms));
  AppendU64(out, static_cast<std::uint64_t>(d.updated_ms));
  AppendU64(out, static_cast<std::uint64_t>(d.last_http_status));
  AppendStr(out, d.subscription_id.value());
  AppendStr(out, d.event_id.value());
  AppendStr(out, d.event_type);
  AppendStr(out, d.last_error);
  return out;
}

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  bool U8(std::uint8_t* v) {
    if (s_.size() < 1) return false;
    *v = static_cast<std::uint8_t>(s_[0]);
    s_.remove_prefix(1);
    return true;
  }
  bool I64(std::int64_t* v) {
    if (s_.size() < 8) return false;
    *v = static_cast<std::int64_t>(ReadU64(s_));
    s_.remove_prefix(8);
    return true;
  }
  bool Str(std::string* v) {
    if (s_.size() < 2) return false;
    std::size_t n = (static_cast<unsigned char>(s_[0]) << 8) | static_cast<unsigned char>(s_[1]);
    if (s_.size() < 2 + n) return false;
    v->assign(s_.substr(2, n));
    s_.remove_prefix(2 + n);
    return true;
  }

 private:
  std::string_view s_;
};

bool DecodeDelivery(std::uint64_t id, std::string_view bytes, DeliveryRecord* d) {
  Reader r(bytes);
  std::uint8_t version = 0, status = 0;
  std::int64_t attempts = 0, http_status = 0;
  std::string sub, event;
  if (!r.U8(&version) || version != kDeliveryRecordVersion || !r.U8(&status) || status > 2 ||
      !r.I64(&attempts) || !r.I64(&d->created_ms) || !r.I64(&d->next_attempt_ms) ||
      !r.I64(&d->updated_ms) || !r.I64(&http_status) || !r.Str(&sub) || !r.Str(&event) ||
      !r.Str(&d->event_type) || !r.Str(&d->last_error)) {
    return false;
  }
  d->id = DeliveryId(id);
  d->status = static_cast<DeliveryStatus>(status);
  d->attempts = static_cast<int>(attempts);
  d->last_http_status = static_cast<int>(http_status);
  d->subscription_id = SubscriptionId(std::move(sub));
  d->event_id = EventId(std::move(event));
  return true;
}

std::string EncodeAttempt(const AttemptRecord& a) {
  boost::json::object o;
  o["n"] = a.number;
  o["startedAt"] = a.started_ms;
  o["durationMs"] = a.duration_ms;
  o["outcome"] = ToString(a.outcome);
  o["httpStatus"] = a.http_status;
  o["error"] = a.error;
  o["response"] = a.response_excerpt;
  return boost::json::serialize(o);
}

std::optional<AttemptOutcome> ParseOutcome(std::string_view s) {
  for (auto o : {AttemptOutcome::kDelivered, AttemptOutcome::kHttpError,
                 AttemptOutcome::kConnectError, AttemptOutcome::kTimeout, AttemptOutcome::kTlsError,
                 AttemptOutcome::kForbidden, AttemptOutcome::kCancelled}) {
    if (ToString(o) == s) return o;
  }
  return std::nullopt;
}

bool DecodeAttempt(std::string_view bytes, AttemptRecord* a) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(bytes, ec);
  if (ec || !v.is_object()) return false;
  const auto& o = v.as_object();
  try {
    a->number = static_cast<int>(o.at("n").to_number<std::int64_t>());
    a->started_ms = o.at("startedAt").to_number<std::int64_t>();
    a->duration_ms = o.at("durationMs").to_number<std::int64_t>();
    auto outcome = ParseOutcome(o.at("outcome").as_string());
    if (!outcome) return false;
    a->outcome = *outcome;
    a->http_status = static_cast<int>(o.at("httpStatus").to_number<std::int64_t>());
    a->error = o.at("error").as_string();
    a->response_excerpt = o.at("response").as_string();
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

Error Corrupt(std::string_view what) {
  return Error{"storage_corrupt", "stored " + std::string(what) + " could not be decoded", ""};
}

Result<Subscription> DecodeSubscription(std::string_view bytes) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(bytes, ec);
  if (ec) return Corrupt("subscription");
  return SubscriptionFromStorageJson(v);
}

constexpr std::string_view kNextDeliveryKey = "next_delivery_id";
constexpr std::string_view kSchemaKey = "schema_version";
constexpr std::string_view kSchemaVersion = "1";

}  // namespace

struct Store::Dbs {
  MDB_dbi meta, events, subs, scope, deliveries, due, attempts, by_sub, by_event;
};

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  std::error_code fs_ec;
  std::filesystem::create_directories(options.dir, fs_ec);
  if (fs_ec) {
    return Error{"storage_error",
                 "cannot create data folder " + options.dir + ": " + fs_ec.message(), ""};
  }
  MDB_env* env = nullptr;
  int rc = mdb_env_create(&env);
  if (rc != 0) return LmdbError("mdb_env_create", rc);
  auto fail = [&](std::string_view what, int code) -> Error {
    mdb_env_close(env);
    return LmdbError(std::string(what) + " (" + options.dir + ")", code);
  };
  if ((rc = mdb_env_set_mapsize(env, options.map_size_bytes)) != 0) return fail("set map size", rc);
  if ((rc = mdb_env_set_maxdbs(env, 16)) != 0) return fail("set max dbs", rc);
  if ((rc = mdb_env_set_maxreaders(env, options.max_readers)) != 0) return fail("set readers", rc);
  // MDB_NOTLS: read transactions are not tied to threads (HTTP and worker pools would exhaust the
  // reader table otherwise). No MDB_NOSYNC: a commit returns after fsync.
  rc = mdb_env_open(env, options.dir.c_str(), MDB_NOTLS, 0600);
  if (rc != 0) return fail("open environment", rc);

  auto dbs = std::make_unique<Dbs>();
  {
    Txn txn(env, /*write=*/true);
    if (txn.begin_rc() != 0) return fail("begin", txn.begin_rc());
    struct Named {
      const char* name;
      MDB_dbi* dbi;
    } named[] = {{"meta", &dbs->meta},
                 {"events", &dbs->events},
                 {"subscriptions", &dbs->subs},
                 {"scope_index", &dbs->scope},
                 {"deliveries", &dbs->deliveries},
                 {"due_index", &dbs->due},
                 {"attempts", &dbs->attempts},
                 {"by_subscription", &dbs->by_sub},
                 {"by_event", &dbs->by_event}};
    for (const auto& n : named) {
      if ((rc = mdb_dbi_open(txn.get(), n.name, MDB_CREATE, n.dbi)) != 0) {
        return fail(std::string("open table ") + n.name, rc);
      }
    }
    std::string_view schema;
    rc = GetValue(txn.get(), dbs->meta, kSchemaKey, &schema);
    if (rc == MDB_NOTFOUND) {
      if ((rc = Put(txn.get(), dbs->meta, kSchemaKey, kSchemaVersion)) != 0) {
        return fail("write schema version", rc);
      }
    } else if (rc != 0) {
      return fail("read schema version", rc);
    } else if (schema != kSchemaVersion) {
      mdb_env_close(env);
      return Error{"storage_error",
                   "data folder " + options.dir + " has schema version " + std::string(schema) +
                       "; this broker reads version " + std::string(kSchemaVersion),
                   ""};
    }
    if ((rc = txn.Commit()) != 0) return fail("commit", rc);
  }
  auto store = std::unique_ptr<Store>(new Store(env));
  store->dbs_ = std::move(dbs);
  return store;
}

Store::Store(MDB_env* env) : env_(env) {}

Store::~Store() { mdb_env_close(env_); }

Result<std::vector<EventCommit>> Store::CommitEvents(std::span<const Event> events,
                                                     std::int64_t now_ms,
                                                     std::vector<NewDelivery>* deliveries) {
  Txn txn(env_, true);
  if (txn.begin_rc() != 0) return LmdbError("begin ingest commit", txn.begin_rc());
  MDB_txn* t = txn.get();
  std::uint64_t next_id = 1;
  std::string_view counter;
  int rc = GetValue(t, dbs_->meta, kNextDeliveryKey, &counter);
  if (rc == 0 && counter.size() == 8) {
    next_id = ReadU64(counter);
  } else if (rc != 0 && rc != MDB_NOTFOUND) {
    return LmdbError("read delivery counter", rc);
  }
  const std::uint64_t first_id = next_id;
  const std::size_t deliveries_before = deliveries->size();

  std::vector<EventCommit> results;
  results.reserve(events.size());
  Cursor scope(t, dbs_->scope);
  if (scope.rc() != 0) return LmdbError("open scope cursor", scope.rc());
  std::string event_bytes;
  for (const Event& event : events) {
    const std::string& event_id = event.id.value();
    MDB_val key = Val(event_id);
    event_bytes = boost::json::serialize(EventJson(event));
    MDB_val value = Val(event_bytes);
    rc = mdb_put(t, dbs_->events, &key, &value, MDB_NOOVERWRITE);
    if (rc == MDB_KEYEXIST) {
      results.push_back({IngestStatus::kDuplicate, 0});
      continue;
    }
    if (rc != 0) return LmdbError("store event", rc);

    EventCommit commit{IngestStatus::kAccepted, 0};
    auto match_scope = [&](ObjectType type, const std::string& object_id) -> int {
      if (object_id.empty()) return 0;
      const std::string prefix = ScopePrefix(type, object_id);
      for (bool found = scope.Seek(prefix); found && scope.key().starts_with(prefix);
           found = scope.Next()) {
        if (!ScopeMatches(scope.value(), event.type, now_ms)) continue;
        std::string_view sub_id = scope.key().substr(prefix.size());
        DeliveryRecord d;
        d.id = DeliveryId(next_id++);
        d.subscription_id = SubscriptionId(std::string(sub_id));
        d.event_id = event.id;
        d.event_type = event.type;
        d.created_ms = now_ms;
        d.next_attempt_ms = now_ms;
        d.updated_ms = now_ms;
        const std::uint64_t id = d.id.value();
        int put_rc;
        if ((put_rc = Put(t, dbs_->deliveries, U64Key(id), EncodeDelivery(d))) != 0 ||
            (put_rc = Put(t, dbs_->due, DueKey(now_ms, id), "")) != 0 ||
            (put_rc = Put(t, dbs_->by_sub, TextIdKey(sub_id, id), "")) != 0 ||
            (put_rc = Put(t, dbs_->by_event, TextIdKey(event_id, id), "")) != 0) {
          return put_rc;
        }
        deliveries->push_back({d.id, d.subscription_id, now_ms});
        ++commit.deliveries;
      }
      return 0;
    };
    if ((rc = match_scope(ObjectType::kGroup, event.group_id)) != 0 ||
        (rc = match_scope(ObjectType::kActionPackage, event.action_package_id)) != 0 ||
        (rc = match_scope(ObjectType::kAction, event.action_id)) != 0) {
      deliveries->resize(deliveries_before);
      return LmdbError("store deliveries", rc);
    }
    results.push_back(commit);
  }
  if (next_id != first_id) {
    if ((rc = Put(t, dbs_->meta, kNextDeliveryKey, U64Key(next_id))) != 0) {
      deliveries->resize(deliveries_before);
      return LmdbError("write delivery counter", rc);
    }
  }
  if ((rc = txn.Commit()) != 0) {
    deliveries->resize(deliveries_before);
    return LmdbError("commit events", rc);
  }
  return results;
}

Status Store::PutSubscription(const Subscription& sub) {
  Txn txn(env_, true);
  if (txn.begin_rc() != 0) return LmdbError("begin", txn.begin_rc());
  const std::string& id = sub.id.value();
  const std::string record = boost::json::serialize(SubscriptionToStorageJson(sub));
  int rc = Put(txn.get(), dbs_->subs, id, record);
  if (rc == 0 && !sub.deleted) {
    rc = Put(txn.get(), dbs_->scope, ScopePrefix(sub.object_type, sub.object_id) + id,
             ScopeValue(sub));
  }
  if (rc != 0) return LmdbError("store subscription", rc);
  if ((rc = txn.Commit()) != 0) return LmdbError("commit subscription", rc);
  return Status::Ok();
}

Result<std::optional<Subscription>> Store::GetSubscription(const SubscriptionId& id) const {
  Txn txn(env_, false);
  if (txn.begin_rc() != 0) return LmdbError("begin", txn.begin_rc());
  std::string_view bytes;
  int rc = GetValue(txn.get(), dbs_->subs, id.value(), &bytes);
  if (rc == MDB_NOTFOUND) return std::optional<Subscription>();
  if (rc != 0) return LmdbError("read subscription", rc);
  auto sub = DecodeSubscription(bytes);
  if (!sub) return sub.error();
  if (sub->deleted) return std::optional<Subscription>();
  return std::optional<Subscription>(std::move(sub).value());
}

Result<SubscriptionPage> Store::ListSubscriptions(const SubscriptionFilter& filter) const {
  Txn txn(env_, false);
  if (txn.begin_rc() != 0) return LmdbError("begin", txn.begin_rc());
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
      int rc = GetValue(txn.get(), dbs_->subs, c.key().substr(prefix.size()), &bytes);
      if (rc != 0) continue;
      auto sub = DecodeSubscription(bytes);
      if (!sub) return sub.error();
      if (!accept(std::move(sub).value())) break;
    }
    return page;
  }
  Cursor c(txn.get(), dbs_->subs);
  bool ok = filter.after_id.empty() ? c.First() : c.Seek(filter.after_id);
  if (ok && !filter.after_id.empty() && c.key() == filter.after_id) ok = c.Next();
  for (; ok; ok = c.Next()) {
    auto sub = DecodeSubscription(c.value());
    if (!sub) return sub.error();
    if (sub->deleted) continue;
    if (filter.object_type && sub->object_type != *filter.object_type) continue;
    if (filter.object_id && sub->object_id != *filter.object_id) continue;
    if (!accept(std::move(sub).value())) break;
  }
  return page;
}

Result<bool> Store::DeleteSubscription(const SubscriptionId& id, std::int64_t now_ms) {
  Txn txn(env_, true);
  if (txn.begin_rc() != 0) return LmdbError("begin", txn.begin_rc());
  std::string_view bytes;
  int rc = GetValue(txn.get(), dbs_->subs, id.value(), &bytes);
  if (rc == MDB_NOTFOUND) return false;
  if (rc != 0) return LmdbError("read subscription", rc);
  auto sub = DecodeSubscription(bytes);
  if (!sub) return sub.error();
  if (sub->deleted) return false;
  sub->deleted = true;
  sub->deleted_ms = now_ms;
  const std::string record = boost::json::serialize(SubscriptionToStorageJson(*sub));
  if ((rc = Put(txn.get(), dbs_->subs, id.value(), record)) != 0 ||
      (rc = Del(txn.get(), dbs_->scope,
                ScopePrefix(sub->object_type, sub->object_id) + id.value())) != 0) {
    return LmdbError("delete subscription", rc);
  }
  if ((rc = txn.Commit()) != 0) return LmdbError("commit delete", rc);
  return true;
}

Result<std::vector<std::string>> Store::CallbackOrigins(std::span<const SubscriptionId> ids) const {
  Txn txn(env_, false);
  if (txn.begin_rc() != 0) return LmdbError("begin", txn.begin_rc());
  std::vector<std::string> origins;
  origins.reserve(ids.size());
  for (const auto& id : ids) {
    std::string_view bytes;
    std::string origin;
    if (GetValue(txn.get(), dbs_->subs, id.value(), &bytes) == 0) {
      auto sub = DecodeSubscription(bytes);
      if (sub) {
        auto url = ParseUrl(sub->callback_url);
        if (url) origin = url->Origin();
      }
    }
    origins.push_back(std::move(origin));
  }
  return origins;
}

Result<DeliveryJob> Store::LoadDeliveryJob(const DeliveryId& id) const {
  Txn txn(env_, false);
  if (txn.begin_rc() != 0) return LmdbError("begin", txn.begin_rc());
  DeliveryJob job;
  std::string_view bytes;
  int rc = GetValue(txn.get(), dbs_->deliveries, U64Key(id.value()), &bytes);
  if (rc == MDB_NOTFOUND) {
    return Error{"not_found", "delivery " + std::to_string(id.value()) + " not found", ""};
  }
  if (rc != 0) return LmdbError("read delivery", rc);
  if (!DecodeDelivery(id.value(), bytes, &job.delivery)) return Corrupt("delivery");
  if (GetValue(txn.get(), dbs_->subs, job.delivery.subscription_id.value(), &bytes) == 0) {
    auto sub = DecodeSubscription(bytes);
    if (!sub) return sub.error();
    if (!sub->deleted) job.subscription = std::move(sub).value();
  }
  rc = GetValue(txn.get(), dbs_->events, job.delivery.event_id.value(), &bytes);
  if (rc != 0) return LmdbError("read event of delivery", rc);
  job.event_json.assign(bytes);
  return job;
}

Status Store::RecordAttempts(std::span<const AttemptUpdate> updates) {
  if (updates.empty()) return Status::Ok();
  Txn txn(env_, true);
  if (txn.begin_rc() != 0) return LmdbError("begin", txn.begin_rc());
  MDB_txn* t = txn.get();
  for (const AttemptUpdate& u : updates) {
    const std::uint64_t id = u.delivery_id.value();
    const std::string key = U64Key(id);
    std::string_view bytes;
    int rc = GetValue(t, dbs_->deliveries, key, &bytes);
    if (rc == MDB_NOTFOUND) continue;  // removed meanwhile (history expiry): nothing to update
    if (rc != 0) return LmdbError("read delivery", rc);
    DeliveryRecord d;
    if (!DecodeDelivery(id, bytes, &d)) return Corrupt("delivery");
    if (d.status == DeliveryStatus::kPending) {
      if ((rc = Del(t, dbs_->due, DueKey(d.next_attempt_ms, id))) != 0) {
        return LmdbError("update due index", rc);
      }
    }
    d.status = u.new_status;
    d.attempts = std::max(d.attempts, u.attempt.number);
    d.updated_ms = u.attempt.started_ms + u.attempt.duration_ms;
    d.next_attempt_ms = u.new_status == DeliveryStatus::kPending ? u.next_attempt_ms : 0;
    d.last_http_status = u.attempt.http_status;
    d.last_error = u.attempt.error;
    if ((rc = Put(t, dbs_->attempts, AttemptKey(id, u.attempt.number), EncodeAttempt(u.attempt))) !=
            0 ||
        (rc = Put(t, dbs_->deliveries, key, EncodeDelivery(d))) != 0) {
      return LmdbError("store attempt", rc);
    }
    if (d.status == DeliveryStatus::kPending &&
        (rc = Put(t, dbs_->due, DueKey(d.next_attempt_ms, id), "")) != 0) {
      return LmdbError("update due index", rc);
    }
  }
  int rc = txn.Commit();
  if (rc != 0) return LmdbError("commit attempts", rc);
  return Status::Ok();
}

Status Store::ForEachPending(
    const std::function<void(const DeliveryId&, const SubscriptionId&, std::int64_t)>& fn) const {
  constexpr std::size_t kPage = 4096;
  std::string resume;  // due key to continue after
  struct Item {
    std::uint64_t id;
    std::int64_t due;
    std::string sub;
  };
  std::vector<Item> page;
  for (;;) {
    page.clear();
    {
      Txn txn(env_, false);
      if (txn.begin_rc() != 0) return LmdbError("begin", txn.begin_rc());
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
            {id, static_cast<std::int64_t>(ReadU64(c.key())), d.subscription_id.value()});
        resume.assign(c.key());
      }
    }
    for (const Item& item : page) fn(DeliveryId(item.id), SubscriptionId(item.sub), item.due);
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
  if (txn.begin_rc() != 0) return LmdbError("begin", txn.begin_rc());
  MDB_txn* t = txn.get();
  DeliveryPage page;
  const std::size_t limit = std::max<std::size_t>(filter.limit, 1);
  const std::uint64_t before = filter.before_id.value_or(UINT64_MAX);

  // Walks ids newest first, from an index (by_event / by_sub: "<text>\0<id>") or the table.
  auto visit = [&](std::uint64_t id) -> Result<bool> {  // false: page full, stop
    std::string_view bytes;
    if (GetValue(t, dbs_->deliveries, U64Key(id), &bytes) != 0) return true;
    DeliveryWithAttempts item;
    if (!DecodeDelivery(id, bytes, &item.delivery)) return Corrupt("delivery");
    if (filter.status && item.delivery.status != *filter.status) return true;
    if (filter.subscription_id && item.delivery.subscription_id != *filter.subscription_id) {
      return true;
    }
    if (filter.event_id && item.delivery.event_id != *filter.event_id) return true;
    if (page.deliveries.size() == limit) {
      page.next_before_id = page.deliveries.back().delivery.id.value();
      return false;
    }
    Status s = ReadAttempts(t, dbs_->attempts, id, &item.attempts);
    if (!s) return s.error();
    page.deliveries.push_back(std::move(item));
    return true;
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
  // Position on the last key < start.
  bool ok = c.Seek(start) ? c.Prev() : c.Last();
  for (; ok; ok = c.Prev()) {
    std::uint64_t id;
    if (prefix) {
      if (!c.key().starts_with(*prefix) || c.key().size() != prefix->size() + 8) break;
      id = ReadU64(c.key(), prefix->size());
    } else {
      id = ReadU64(c.key());
    }
    if (id >= before) continue;
    auto more = visit(id);
    if (!more) return more.error();
    if (!*more) break;
  }
  return page;
}

Result<std::optional<DeliveryWithAttempts>> Store::GetDelivery(const DeliveryId& id) const {
  Txn txn(env_, false);
  if (txn.begin_rc() != 0) return LmdbError("begin", txn.begin_rc());
  std::string_view bytes;
  int rc = GetValue(txn.get(), dbs_->deliveries, U64Key(id.value()), &bytes);
  if (rc == MDB_NOTFOUND) return std::optional<DeliveryWithAttempts>();
  if (rc != 0) return LmdbError("read delivery", rc);
  DeliveryWithAttempts item;
  if (!DecodeDelivery(id.value(), bytes, &item.delivery)) return Corrupt("delivery");
  Status s = ReadAttempts(txn.get(), dbs_->attempts, id.value(), &item.attempts);
  if (!s) return s.error();
  return std::optional<DeliveryWithAttempts>(std::move(item));
}

Result<std::optional<std::string>> Store::GetEventJson(const EventId& id) const {
  Txn txn(env_, false);
  if (txn.begin_rc() != 0) return LmdbError("begin", txn.begin_rc());
  std::string_view bytes;
  int rc = GetValue(txn.get(), dbs_->events, id.value(), &bytes);
  if (rc == MDB_NOTFOUND) return std::optional<std::string>();
  if (rc != 0) return LmdbError("read event", rc);
  return std::optional<std::string>(std::string(bytes));
}

}  // namespace hookbroker
