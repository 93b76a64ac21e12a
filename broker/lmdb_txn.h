// The LMDB adapter used by Store: RAII transactions and cursors, and LMDB error codes turned into
// Error values. Internal to the broker.
//
// Lifetime: string_views returned by Cursor and GetValue point into the map and are valid only
// until the transaction ends or the next write in it.
#pragma once

#include <errno.h>
#include <lmdb.h>

#include <string>
#include <string_view>

#include "proto/result.h"

namespace hookbroker::lmdb {

inline Error ToError(std::string_view what, int rc) {
  // The map used up and the disk full (ENOSPC from the write or fsync) are both "full": the
  // operator's fix is space, not a repair.
  std::string code = rc == MDB_MAP_FULL || rc == ENOSPC ? "storage_full" : "storage_error";
  return Error{code, std::string(what) + ": " + mdb_strerror(rc), ""};
}

inline MDB_val Val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }
inline std::string_view View(const MDB_val& v) {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
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
  // Commits (and, for a write transaction, fsyncs); the transaction is over either way.
  int Commit() {
    int rc = mdb_txn_commit(txn_);
    txn_ = nullptr;
    return rc;
  }

 private:
  MDB_txn* txn_ = nullptr;
  int rc_ = 0;
};

// A cursor must be closed before its write transaction commits: LMDB frees a write
// transaction's cursors with it, so closing one afterwards is a double free. Declare cursors after
// their Txn (so they are destroyed first) and Close() them before Txn::Commit().
class Cursor {
 public:
  Cursor(MDB_txn* txn, MDB_dbi dbi) { rc_ = mdb_cursor_open(txn, dbi, &cursor_); }
  ~Cursor() { Close(); }
  void Close() {
    if (rc_ == 0 && cursor_ != nullptr) mdb_cursor_close(cursor_);
    cursor_ = nullptr;
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
  // Deletes the entry under the cursor (write transactions).
  int Delete() { return mdb_cursor_del(cursor_, 0); }
  std::string_view key() const { return View(key_); }
  std::string_view value() const { return View(val_); }

 private:
  bool Get(MDB_cursor_op op) { return mdb_cursor_get(cursor_, &key_, &val_, op) == 0; }
  MDB_cursor* cursor_ = nullptr;
  int rc_ = 0;
  MDB_val key_{};
  MDB_val val_{};
};

// 0 and *out set, MDB_NOTFOUND, or another LMDB error.
inline int GetValue(MDB_txn* txn, MDB_dbi dbi, std::string_view key, std::string_view* out) {
  MDB_val k = Val(key);
  MDB_val v;
  int rc = mdb_get(txn, dbi, &k, &v);
  if (rc == 0) *out = View(v);
  return rc;
}

inline int Put(MDB_txn* txn, MDB_dbi dbi, std::string_view key, std::string_view value,
               unsigned flags = 0) {
  MDB_val k = Val(key);
  MDB_val v = Val(value);
  return mdb_put(txn, dbi, &k, &v, flags);
}

// Deleting what is not there is not an error.
inline int Del(MDB_txn* txn, MDB_dbi dbi, std::string_view key) {
  MDB_val k = Val(key);
  int rc = mdb_del(txn, dbi, &k, nullptr);
  return rc == MDB_NOTFOUND ? 0 : rc;
}

}  // namespace hookbroker::lmdb
