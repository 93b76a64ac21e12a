// ReceivedStore: a receiver's durable record of the callbacks it accepted, in LMDB. One write
// transaction both checks the webhook-id and stores the callback, so a redelivered callback (the
// broker retries until it sees a 2xx) is recognised and never stored twice, even when two attempts
// race. Stored callbacks are numbered in arrival order; a "forwarded up to" mark lets a consumer
// (hooksink's forwarder) hand each one on after a crash or restart.
//
// Layout (one environment in `dir`, fsync on every commit):
//   seen:      webhook-id        -> sequence number (8 bytes, big-endian)
//   callbacks: sequence number   -> received ms (8 bytes, big-endian), webhook-id length
//                                   (2 bytes), webhook-id, the record as given to StoreOnce
//   meta:      "forwarded"       -> highest sequence number handed on
//
// Thread-safety: every method may be called from any thread (LMDB serialises the writers; each
// reader uses its own short read transaction). Lifecycle: Open(), use, destroy. Open one store per
// directory per process (LMDB's rule).
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "proto/result.h"

namespace hookbroker::subscribers {

struct StoredCallback {
  std::uint64_t seq = 0;
  std::string record;
};

struct StoreOutcome {
  bool duplicate = false;  // the webhook-id was already stored; nothing was written
  std::uint64_t seq = 0;   // the callback's sequence number (the earlier one for a duplicate)
};

class ReceivedStore {
 public:
  // Creates `dir` if needed and opens (or creates) the store. `map_size` bounds the file.
  static Result<std::unique_ptr<ReceivedStore>> Open(const std::string& dir,
                                                     std::size_t map_size = std::size_t{1} << 30);
  ~ReceivedStore();
  ReceivedStore(const ReceivedStore&) = delete;
  ReceivedStore& operator=(const ReceivedStore&) = delete;

  // In one durable transaction: if `webhook_id` is known, returns its outcome as a duplicate;
  // otherwise stores `record` under the next sequence number and marks the id as seen, with the
  // time it was received (Unix ms, for Prune). Returns only after the commit reached the disk.
  // Errors: "storage_error", "storage_full", "invalid_field" (an id over 256 bytes).
  Result<StoreOutcome> StoreOnce(std::string_view webhook_id, std::string_view record,
                                 std::int64_t received_ms);

  // Whether `webhook_id` has been stored.
  Result<bool> Seen(std::string_view webhook_id) const;
  // Number of stored callbacks.
  Result<std::uint64_t> Count() const;
  // Up to `limit` stored callbacks with sequence numbers above `after`, in order.
  Result<std::vector<StoredCallback>> ReadAfter(std::uint64_t after, std::size_t limit) const;

  // The highest sequence number marked as handed on (0: none yet), and setting it.
  Result<std::uint64_t> Forwarded() const;
  Status MarkForwarded(std::uint64_t seq);

  // Deletes, oldest first, up to `limit` callbacks that are already forwarded and were received
  // before `cutoff_ms` (Unix ms; `received_ms` below), with their webhook-ids: a redelivery of
  // one after that is stored again. Stops at the first one that must stay. Returns how many went.
  Result<std::size_t> Prune(std::int64_t cutoff_ms, std::size_t limit);

 private:
  ReceivedStore() = default;

  // Constant after Open().
  MDB_env* env_ = nullptr;
  MDB_dbi seen_ = 0;
  MDB_dbi callbacks_ = 0;
  MDB_dbi meta_ = 0;
};

}  // namespace hookbroker::subscribers
