// The raw LMDB baseline for durable ingest: batched appends of event-sized records (sequential
// 8-byte keys, MDB_APPEND), `per_txn` per transaction, fsync on (no MDB_NOSYNC), in a fresh
// environment of its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace hookbench {

struct LmdbBaselineResult {
  double records_per_second = 0;
  double seconds = 0;
  std::string error;
};

LmdbBaselineResult RunLmdbBaseline(const std::string& dir, std::size_t records, std::size_t per_txn,
                                   const std::string& record);

// The latency floor of a durable ack: records coming due at `rate` per second for `seconds`,
// each committed (fsync) by the first transaction after its due time together with every other
// record then due (group commit). The time from each record's due time to the end of its commit,
// in ns; a slow fsync delays every record that came due while it ran, as it delays a broker's
// acks.
struct LmdbLatencyResult {
  std::vector<std::int64_t> latencies_ns;  // one per record
  std::uint64_t commits = 0;
  std::int64_t slowest_commit_ns = 0;
  std::string error;  // set when the run stopped early; latencies_ns then holds only its start
};
LmdbLatencyResult RunLmdbCommitLatency(const std::string& dir, int rate, double seconds,
                                       const std::string& record);

}  // namespace hookbench
