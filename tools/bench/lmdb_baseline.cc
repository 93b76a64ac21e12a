#include "tools/bench/lmdb_baseline.h"

#include <lmdb.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdint>
#include <thread>

namespace hookbench {

LmdbBaselineResult RunLmdbBaseline(const std::string& dir, std::size_t records, std::size_t per_txn,
                                   const std::string& record) {
  LmdbBaselineResult result;
  mkdir(dir.c_str(), 0755);
  MDB_env* env = nullptr;
  int rc = mdb_env_create(&env);
  if (rc == 0) rc = mdb_env_set_mapsize(env, 16ULL << 30);
  if (rc == 0) rc = mdb_env_open(env, dir.c_str(), MDB_NOTLS, 0644);
  if (rc != 0) {
    result.error = std::string("lmdb: ") + mdb_strerror(rc);
    if (env != nullptr) mdb_env_close(env);
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
      unsigned char key_bytes[8];
      for (int b = 0; b < 8; ++b) key_bytes[b] = static_cast<unsigned char>(next >> (56 - 8 * b));
      MDB_val key{sizeof(key_bytes), key_bytes};
      MDB_val value{record.size(), const_cast<char*>(record.data())};
      rc = mdb_put(txn, dbi, &key, &value, MDB_APPEND);
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

std::vector<std::int64_t> RunLmdbCommitLatency(const std::string& dir, int rate, double seconds,
                                               const std::string& record) {
  std::vector<std::int64_t> latencies;
  mkdir(dir.c_str(), 0755);
  MDB_env* env = nullptr;
  int rc = mdb_env_create(&env);
  if (rc == 0) rc = mdb_env_set_mapsize(env, 1ULL << 30);
  if (rc == 0) rc = mdb_env_open(env, dir.c_str(), MDB_NOTLS, 0644);
  if (rc != 0) {
    if (env != nullptr) mdb_env_close(env);
    return latencies;
  }
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto interval = std::chrono::nanoseconds(1000000000LL / rate);
  const auto count = static_cast<std::uint64_t>(seconds * rate);
  for (std::uint64_t n = 0; n < count; ++n) {
    std::this_thread::sleep_until(start + n * interval);
    const auto t0 = Clock::now();
    MDB_txn* txn = nullptr;
    if (mdb_txn_begin(env, nullptr, 0, &txn) != 0) break;
    MDB_dbi dbi = 0;
    unsigned char key_bytes[8];
    for (int b = 0; b < 8; ++b) key_bytes[b] = static_cast<unsigned char>(n >> (56 - 8 * b));
    MDB_val key{sizeof(key_bytes), key_bytes};
    MDB_val value{record.size(), const_cast<char*>(record.data())};
    if (mdb_dbi_open(txn, nullptr, 0, &dbi) != 0 || mdb_put(txn, dbi, &key, &value, 0) != 0) {
      mdb_txn_abort(txn);
      break;
    }
    if (mdb_txn_commit(txn) != 0) break;
    latencies.push_back(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count());
  }
  mdb_env_close(env);
  return latencies;
}

}  // namespace hookbench
