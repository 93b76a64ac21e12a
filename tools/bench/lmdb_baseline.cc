#include "tools/bench/lmdb_baseline.h"

#include <lmdb.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <thread>

namespace hookbench {
namespace {

// A new environment in `dir`, fsync on (no MDB_NOSYNC). On failure returns the LMDB error and
// leaves *env null.
int OpenEnv(const std::string& dir, std::size_t map_bytes, MDB_env** env) {
  mkdir(dir.c_str(), 0755);
  *env = nullptr;
  int rc = mdb_env_create(env);
  if (rc == 0) rc = mdb_env_set_mapsize(*env, map_bytes);
  if (rc == 0) rc = mdb_env_open(*env, dir.c_str(), MDB_NOTLS, 0644);
  if (rc != 0 && *env != nullptr) {
    mdb_env_close(*env);
    *env = nullptr;
  }
  return rc;
}

// Appends `record` under record number `n` as an 8-byte big-endian key: ascending numbers are
// ascending keys, as MDB_APPEND requires.
int AppendRecord(MDB_txn* txn, MDB_dbi dbi, std::uint64_t n, const std::string& record) {
  unsigned char key_bytes[8];
  for (int b = 0; b < 8; ++b) key_bytes[b] = static_cast<unsigned char>(n >> (56 - 8 * b));
  MDB_val key{sizeof(key_bytes), key_bytes};
  MDB_val value{record.size(), const_cast<char*>(record.data())};
  return mdb_put(txn, dbi, &key, &value, MDB_APPEND);
}

}  // namespace

LmdbBaselineResult RunLmdbBaseline(const std::string& dir, std::size_t records, std::size_t per_txn,
                                   const std::string& record) {
  LmdbBaselineResult result;
  MDB_env* env = nullptr;
  int rc = OpenEnv(dir, 16ULL << 30, &env);
  if (rc != 0) {
    result.error = std::string("lmdb: ") + mdb_strerror(rc);
    return result;
  }
  MDB_dbi dbi = 0;
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t next = 0;
  while (next < records && rc == 0) {
    MDB_txn* txn = nullptr;
    if ((rc = mdb_txn_begin(env, nullptr, 0, &txn)) != 0) break;
    if ((rc = mdb_dbi_open(txn, nullptr, 0, &dbi)) != 0) {
      mdb_txn_abort(txn);
      break;
    }
    for (std::size_t i = 0; i < per_txn && next < records && rc == 0; ++i, ++next) {
      rc = AppendRecord(txn, dbi, next, record);
    }
    if (rc != 0) {
      mdb_txn_abort(txn);
      break;
    }
    rc = mdb_txn_commit(txn);  // fsync: the environment has no MDB_NOSYNC
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (rc != 0) result.error = std::string("lmdb: ") + mdb_strerror(rc);
  result.records_per_second = static_cast<double>(next) / result.seconds;
  mdb_env_close(env);
  return result;
}

LmdbLatencyResult RunLmdbCommitLatency(const std::string& dir, int rate, double seconds,
                                       const std::string& record) {
  LmdbLatencyResult result;
  std::vector<std::int64_t>& latencies = result.latencies_ns;
  MDB_env* env = nullptr;
  int rc = OpenEnv(dir, 1ULL << 30, &env);
  if (rc != 0) {
    result.error = std::string("lmdb: ") + mdb_strerror(rc);
    return result;
  }
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto interval = std::chrono::nanoseconds(1000000000LL / rate);
  const auto count = static_cast<std::uint64_t>(seconds * rate);
  auto due = [&](std::uint64_t n) { return start + n * interval; };
  latencies.reserve(count);
  std::uint64_t next = 0;
  while (next < count) {
    std::this_thread::sleep_until(due(next));
    // Every record due by now goes into this transaction, as a group-committing broker would
    // put every event that arrived while the previous commit was syncing.
    const auto now = Clock::now();
    std::uint64_t end = next + 1;
    while (end < count && due(end) <= now) ++end;
    MDB_txn* txn = nullptr;
    if ((rc = mdb_txn_begin(env, nullptr, 0, &txn)) != 0) break;
    MDB_dbi dbi = 0;
    rc = mdb_dbi_open(txn, nullptr, 0, &dbi);
    for (std::uint64_t n = next; rc == 0 && n < end; ++n) rc = AppendRecord(txn, dbi, n, record);
    if (rc != 0) {
      mdb_txn_abort(txn);
      break;
    }
    const auto commit_start = Clock::now();
    // fsync: the environment has no MDB_NOSYNC. A failed commit frees the transaction.
    if ((rc = mdb_txn_commit(txn)) != 0) break;
    const auto done = Clock::now();
    ++result.commits;
    result.slowest_commit_ns = std::max<std::int64_t>(
        result.slowest_commit_ns,
        std::chrono::duration_cast<std::chrono::nanoseconds>(done - commit_start).count());
    // From the record's due time, not from the commit's start: a record that waited behind a
    // slow fsync waited (the paced producer's acks count that wait too).
    for (; next < end; ++next) {
      latencies.push_back(
          std::chrono::duration_cast<std::chrono::nanoseconds>(done - due(next)).count());
    }
  }
  if (rc != 0) {
    result.error = std::string("lmdb: ") + mdb_strerror(rc) + " after " +
                   std::to_string(latencies.size()) + " of " + std::to_string(count) + " records";
  }
  mdb_env_close(env);
  return result;
}

}  // namespace hookbench
