// The event tables of schema version 2 (docs/STORAGE.md): `event_log` holds each event under a
// u64 sequence number (codec::EncodeEventRecord), appended; `event_ids` maps an event id to its
// number. Writing and reading an event through here keeps the two tables in step. Internal to
// the store.
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace hookbroker {

// event_ids and event_log disagree: an id entry names no record, or another event's record. The
// store's own tables, not LMDB's file, are inconsistent (storage_corrupt).
inline constexpr int kEventLogInconsistent = -1;
// AppendEvent's `seq` is already in event_log: the caller's counter is behind the log.
inline constexpr int kEventSequenceTaken = -2;

// Stores event `id` (received at `received_ms`, stored JSON `json`) under sequence number `seq`.
// The record is encoded into *scratch first, so `id` and `json` may point into this
// transaction's pages (read since its last write). Returns 0; MDB_KEYEXIST when an event with this
// id is stored already (nothing written); kEventSequenceTaken; or LMDB's error.
int AppendEvent(MDB_txn* txn, MDB_dbi event_log, MDB_dbi event_ids, std::uint64_t seq,
                std::int64_t received_ms, std::string_view id, std::string_view json,
                std::string* scratch);

// The stored JSON of event `id` (a view into the transaction's pages): 0, MDB_NOTFOUND when no
// event has that id, kEventLogInconsistent, or LMDB's error.
int ReadEventJson(MDB_txn* txn, MDB_dbi event_log, MDB_dbi event_ids, std::string_view id,
                  std::string_view* json);

}  // namespace hookbroker
