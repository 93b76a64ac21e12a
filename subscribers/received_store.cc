#include "subscribers/received_store.h"

#include <filesystem>
#include <system_error>

namespace hookbroker::subscribers {
namespace {

constexpr std::string_view kForwardedKey = "forwarded";
constexpr std::size_t kMaxWebhookId = 256;  // LMDB keys are at most 511 bytes

// A callbacks value: received ms (8 bytes) + webhook-id length (2 bytes) + webhook-id + record.
struct Entry {
  std::int64_t received_ms = 0;
  std::string_view webhook_id;
  std::string_view record;
};

std::string EncodeEntry(std::int64_t received_ms, std::string_view webhook_id,
                        std::string_view record);
bool DecodeEntry(std::string_view value, Entry* out);

Error StorageError(std::string_view what, int rc) {
  return Error{rc == MDB_MAP_FULL ? "storage_full" : "storage_error",
               std::string(what) + ": " + mdb_strerror(rc), ""};
}

MDB_val Val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }
std::string_view View(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }

// Big-endian, so LMDB's byte order is numeric order.
std::string EncodeSeq(std::uint64_t seq) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, seq >>= 8) out[static_cast<std::size_t>(i)] = static_cast<char>(seq);
  return out;
}
std::uint64_t DecodeSeq(std::string_view bytes) {
  std::uint64_t seq = 0;
  for (char c : bytes) seq = (seq << 8) | static_cast<unsigned char>(c);
  return seq;
}

std::string EncodeEntry(std::int64_t received_ms, std::string_view webhook_id,
                        std::string_view record) {
  std::string out = EncodeSeq(static_cast<std::uint64_t>(received_ms));
  out.push_back(static_cast<char>(webhook_id.size() >> 8));
  out.push_back(static_cast<char>(webhook_id.size() & 0xff));
  out.append(webhook_id).append(record);
  return out;
}

bool DecodeEntry(std::string_view value, Entry* out) {
  if (value.size() < 10) return false;
  out->received_ms = static_cast<std::int64_t>(DecodeSeq(value.substr(0, 8)));
  const std::size_t id_size = static_cast<std::size_t>(DecodeSeq(value.substr(8, 2)));
  if (value.size() < 10 + id_size) return false;
  out->webhook_id = value.substr(10, id_size);
  out->record = value.substr(10 + id_size);
  return true;
}

// An LMDB transaction aborted unless committed.
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
  int rc() const { return rc_; }
  MDB_txn* get() const { return txn_; }
  int Commit() {
    const int rc = mdb_txn_commit(txn_);
    txn_ = nullptr;
    return rc;
  }

 private:
  MDB_txn* txn_ = nullptr;
  int rc_ = 0;
};

// 0 with *out set, MDB_NOTFOUND, or another error.
int Get(MDB_txn* txn, MDB_dbi dbi, std::string_view key, std::string_view* out) {
  MDB_val k = Val(key);
  MDB_val v;
  const int rc = mdb_get(txn, dbi, &k, &v);
  if (rc == 0) *out = View(v);
  return rc;
}

int Put(MDB_txn* txn, MDB_dbi dbi, std::string_view key, std::string_view value) {
  MDB_val k = Val(key);
  MDB_val v = Val(value);
  return mdb_put(txn, dbi, &k, &v, 0);
}

// The highest key of `dbi` as a sequence number, 0 when empty.
int LastSeq(MDB_txn* txn, MDB_dbi dbi, std::uint64_t* out) {
  MDB_cursor* cursor = nullptr;
  int rc = mdb_cursor_open(txn, dbi, &cursor);
  if (rc != 0) return rc;
  MDB_val k, v;
  rc = mdb_cursor_get(cursor, &k, &v, MDB_LAST);
  *out = rc == 0 ? DecodeSeq(View(k)) : 0;
  mdb_cursor_close(cursor);
  return rc == MDB_NOTFOUND ? 0 : rc;
}

}  // namespace

Result<std::unique_ptr<ReceivedStore>> ReceivedStore::Open(const std::string& dir,
                                                           std::size_t map_size) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error{"storage_error", "cannot create " + dir + ": " + ec.message(), "data-dir"};

  std::unique_ptr<ReceivedStore> store(new ReceivedStore());
  int rc = mdb_env_create(&store->env_);
  if (rc != 0) {
    store->env_ = nullptr;
    return StorageError("mdb_env_create", rc);
  }
  mdb_env_set_maxdbs(store->env_, 3);
  mdb_env_set_mapsize(store->env_, map_size);
  // MDB_NOTLS: HTTP worker threads come and go; without it each would pin a reader slot.
  rc = mdb_env_open(store->env_, dir.c_str(), MDB_NOTLS, 0600);
  if (rc != 0) return StorageError("cannot open the store in " + dir, rc);

  Txn txn(store->env_, true);
  if (txn.rc() != 0) return StorageError("mdb_txn_begin", txn.rc());
  for (auto [name, dbi] :
       {std::pair{"seen", &store->seen_}, std::pair{"callbacks", &store->callbacks_},
        std::pair{"meta", &store->meta_}}) {
    rc = mdb_dbi_open(txn.get(), name, MDB_CREATE, dbi);
    if (rc != 0) return StorageError(std::string("mdb_dbi_open ") + name, rc);
  }
  rc = txn.Commit();
  if (rc != 0) return StorageError("mdb_txn_commit", rc);
  return store;
}

ReceivedStore::~ReceivedStore() {
  if (env_ != nullptr) mdb_env_close(env_);
}

Result<StoreOutcome> ReceivedStore::StoreOnce(std::string_view webhook_id, std::string_view record,
                                              std::int64_t received_ms) {
  if (webhook_id.empty() || webhook_id.size() > kMaxWebhookId) {
    return Error::Invalid("webhook-id", "webhook-id must have 1 to 256 characters");
  }
  Txn txn(env_, true);
  if (txn.rc() != 0) return StorageError("mdb_txn_begin", txn.rc());
  std::string_view existing;
  int rc = Get(txn.get(), seen_, webhook_id, &existing);
  if (rc == 0) return StoreOutcome{.duplicate = true, .seq = DecodeSeq(existing)};
  if (rc != MDB_NOTFOUND) return StorageError("reading seen ids", rc);

  std::uint64_t last = 0;
  rc = LastSeq(txn.get(), callbacks_, &last);
  if (rc != 0) return StorageError("reading the last callback", rc);
  const std::string key = EncodeSeq(last + 1);
  rc = Put(txn.get(), callbacks_, key, EncodeEntry(received_ms, webhook_id, record));
  if (rc == 0) rc = Put(txn.get(), seen_, webhook_id, key);
  if (rc != 0) return StorageError("storing the callback", rc);
  rc = txn.Commit();
  if (rc != 0) return StorageError("committing the callback", rc);
  return StoreOutcome{.duplicate = false, .seq = last + 1};
}

Result<bool> ReceivedStore::Seen(std::string_view webhook_id) const {
  Txn txn(env_, false);
  if (txn.rc() != 0) return StorageError("mdb_txn_begin", txn.rc());
  std::string_view ignored;
  const int rc = Get(txn.get(), seen_, webhook_id, &ignored);
  if (rc != 0 && rc != MDB_NOTFOUND) return StorageError("reading seen ids", rc);
  return rc == 0;
}

Result<std::uint64_t> ReceivedStore::Count() const {
  Txn txn(env_, false);
  if (txn.rc() != 0) return StorageError("mdb_txn_begin", txn.rc());
  MDB_stat stat;
  const int rc = mdb_stat(txn.get(), callbacks_, &stat);
  if (rc != 0) return StorageError("mdb_stat", rc);
  return static_cast<std::uint64_t>(stat.ms_entries);
}

Result<std::vector<StoredCallback>> ReceivedStore::ReadAfter(std::uint64_t after,
                                                             std::size_t limit) const {
  Txn txn(env_, false);
  if (txn.rc() != 0) return StorageError("mdb_txn_begin", txn.rc());
  MDB_cursor* cursor = nullptr;
  int rc = mdb_cursor_open(txn.get(), callbacks_, &cursor);
  if (rc != 0) return StorageError("mdb_cursor_open", rc);
  std::vector<StoredCallback> out;
  const std::string start = EncodeSeq(after + 1);
  MDB_val k = Val(start), v;
  rc = mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE);
  while (rc == 0 && out.size() < limit) {
    Entry entry;
    if (!DecodeEntry(View(v), &entry)) {
      rc = MDB_CORRUPTED;
      break;
    }
    out.push_back({DecodeSeq(View(k)), std::string(entry.record)});  // copied out of the map
    rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT);
  }
  mdb_cursor_close(cursor);
  if (rc != 0 && rc != MDB_NOTFOUND) return StorageError("reading callbacks", rc);
  return out;
}

Result<std::uint64_t> ReceivedStore::Forwarded() const {
  Txn txn(env_, false);
  if (txn.rc() != 0) return StorageError("mdb_txn_begin", txn.rc());
  std::string_view value;
  const int rc = Get(txn.get(), meta_, kForwardedKey, &value);
  if (rc == MDB_NOTFOUND) return std::uint64_t{0};
  if (rc != 0) return StorageError("reading the forwarded mark", rc);
  return DecodeSeq(value);
}

Status ReceivedStore::MarkForwarded(std::uint64_t seq) {
  Txn txn(env_, true);
  if (txn.rc() != 0) return StorageError("mdb_txn_begin", txn.rc());
  int rc = Put(txn.get(), meta_, kForwardedKey, EncodeSeq(seq));
  if (rc == 0) rc = txn.Commit();
  if (rc != 0) return StorageError("storing the forwarded mark", rc);
  return Status::Ok();
}

Result<std::size_t> ReceivedStore::Prune(std::int64_t cutoff_ms, std::size_t limit) {
  Txn txn(env_, true);
  if (txn.rc() != 0) return StorageError("mdb_txn_begin", txn.rc());
  std::string_view mark;
  int rc = Get(txn.get(), meta_, kForwardedKey, &mark);
  if (rc != 0 && rc != MDB_NOTFOUND) return StorageError("reading the forwarded mark", rc);
  const std::uint64_t forwarded = rc == 0 ? DecodeSeq(mark) : 0;

  MDB_cursor* cursor = nullptr;
  rc = mdb_cursor_open(txn.get(), callbacks_, &cursor);
  if (rc != 0) return StorageError("mdb_cursor_open", rc);
  std::size_t pruned = 0;
  MDB_val k, v;
  rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST);
  while (rc == 0 && pruned < limit) {
    Entry entry;
    if (!DecodeEntry(View(v), &entry)) {
      rc = MDB_CORRUPTED;
      break;
    }
    if (DecodeSeq(View(k)) > forwarded || entry.received_ms >= cutoff_ms) {
      break;  // callbacks arrive in time order: everything after this one stays too
    }
    MDB_val seen_key = Val(entry.webhook_id);
    rc = mdb_del(txn.get(), seen_, &seen_key, nullptr);
    if (rc == MDB_NOTFOUND) rc = 0;
    if (rc == 0) rc = mdb_cursor_del(cursor, 0);
    if (rc != 0) break;
    ++pruned;
    rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT);
  }
  mdb_cursor_close(cursor);
  if (rc != 0 && rc != MDB_NOTFOUND) return StorageError("pruning callbacks", rc);
  rc = txn.Commit();
  if (rc != 0) return StorageError("committing the prune", rc);
  return pruned;
}

}  // namespace hookbroker::subscribers
