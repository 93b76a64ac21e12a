// Throw-away measurement of 2026-12-04 (docs/PERFORMANCE.md, section 1, "Where the writer's
// cycle goes"): ENVS LMDB environments under DIR, one writer thread each, appending the raw
// baseline's 400-byte records with sequential keys, PER_TXN per fsynced transaction, TOTAL
// records in all; prints the records/s of all of them together. Not part of the build:
//   g++ -O2 -std=c++20 docs/perf/writers-2026-12-04.cc -llmdb -o /tmp/writers
//   rm -rf /tmp/w && /tmp/writers 2 500 600000 /tmp/w
#include <lmdb.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace {

void Fail(const char* what, int rc) {
  std::fprintf(stderr, "%s: %s\n", what, mdb_strerror(rc));
  std::exit(1);
}

void Write(const std::string& dir, long records, int per_txn) {
  std::filesystem::create_directories(dir);
  MDB_env* env = nullptr;
  if (int rc = mdb_env_create(&env)) Fail("create", rc);
  mdb_env_set_mapsize(env, std::size_t{4} << 30);
  if (int rc = mdb_env_open(env, dir.c_str(), 0, 0600)) Fail("open", rc);
  MDB_txn* txn = nullptr;
  MDB_dbi dbi = 0;
  if (int rc = mdb_txn_begin(env, nullptr, 0, &txn)) Fail("begin", rc);
  if (int rc = mdb_dbi_open(txn, nullptr, 0, &dbi)) Fail("dbi", rc);
  if (int rc = mdb_txn_commit(txn)) Fail("commit", rc);
  std::string value(400, 'x');
  unsigned long long seq = 0;
  for (long done = 0; done < records;) {
    if (int rc = mdb_txn_begin(env, nullptr, 0, &txn)) Fail("begin", rc);
    for (int i = 0; i < per_txn && done < records; ++i, ++done) {
      unsigned long long key_bytes = __builtin_bswap64(++seq);  // big-endian: appended in order
      MDB_val key{sizeof key_bytes, &key_bytes};
      MDB_val val{value.size(), value.data()};
      if (int rc = mdb_put(txn, dbi, &key, &val, MDB_APPEND)) Fail("put", rc);
    }
    if (int rc = mdb_txn_commit(txn)) Fail("commit", rc);
  }
  mdb_env_close(env);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s ENVS PER_TXN TOTAL DIR\n", argv[0]);
    return 2;
  }
  const int envs = std::atoi(argv[1]);
  const int per_txn = std::atoi(argv[2]);
  const long total = std::atol(argv[3]);
  const std::string dir = argv[4];
  if (envs < 1 || per_txn < 1 || total < envs) {
    std::fprintf(stderr, "ENVS, PER_TXN >= 1 and TOTAL >= ENVS\n");
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> writers;
  for (int e = 0; e < envs; ++e) {
    writers.emplace_back(Write, dir + "/" + std::to_string(e), total / envs, per_txn);
  }
  for (auto& w : writers) w.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("envs=%d per_txn=%d total=%ld: %.0f records/s\n", envs, per_txn, total / envs * envs,
              static_cast<double>(total / envs * envs) / seconds);
  return 0;
}
