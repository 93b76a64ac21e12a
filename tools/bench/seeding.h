// The Store API (hookbroker_core) in this process: fast set-up of a data folder before the broker
// starts on it (the broker is not running: one LMDB environment, one process at a time), and the
// store's own ingest ceiling.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "tools/bench/producer.h"

namespace hookbench {

// `count` Group subscriptions, subscription i on group group_prefix + i, with the given event
// types, all calling back `url`. Transactions of 10,000 (Store::PutSubscriptions). "" or an error.
std::string SeedSubscriptions(const std::string& data_dir, std::size_t count,
                              const std::string& group_prefix,
                              const std::vector<std::string>& event_types, const std::string& url);

// One subscription on `group` calling back `url`, and `count` events on that group committed as
// the ingest would (Store::CommitEvents, 1,000 per transaction): `count` pending deliveries.
std::string SeedBacklog(const std::string& data_dir, std::size_t count, const std::string& group,
                        const std::string& url, std::size_t event_bytes);

// The store's own ceiling for durable ingest: the first `events` events a RunLoad of `spec`
// would send (the same ids, groups and size), committed by Store::CommitEvents in this process,
// `per_txn` per transaction (fsync on), into a new data folder with no subscriptions. Each
// transaction's events are decoded before it from frames of spec.batch events, as the broker's
// ingest thread decodes them (DecodeIngestFrame, then the receive time filled in; the events
// carry ids), and only CommitEvents is timed: what the store's layout and LMDB cost per event,
// without ZeroMQ, parsing or the broker's threads. The CPU of the decoding and of the commits
// (this thread's, user and system: LMDB, the kernel's copy of the written pages, the fsync
// call; not the kernel's work on other threads) is measured apart, per event: two of the three
// parts of an event's CPU floor (scenario 1).
struct StoreCeilingResult {
  double events_per_second = 0;
  double seconds = 0;        // inside CommitEvents
  double decode_cpu_us = 0;  // CPU per event decoding the frames
  double commit_cpu_us = 0;  // CPU per event inside CommitEvents
  std::string error;
};
StoreCeilingResult RunStoreCeiling(const std::string& data_dir, const LoadSpec& spec,
                                   std::size_t events, std::size_t per_txn);

}  // namespace hookbench
