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

// The latency floor of a durable ack: one-record transactions (fsync each) at `rate` per second
// for `seconds`; the commit time of each, in ns.
std::vector<std::int64_t> RunLmdbCommitLatency(const std::string& dir, int rate, double seconds,
                                               const std::string& record);

}  // namespace hookbench
