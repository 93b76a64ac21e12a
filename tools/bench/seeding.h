// Fast set-up through the Store API (hookbroker_core), into a data folder before the broker
// starts on it (the broker is not running: one LMDB environment, one process at a time).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

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

}  // namespace hookbench
