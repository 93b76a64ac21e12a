// Upgrades of a data folder's layout, run by Store::Open inside the transaction that opens the
// store, so that an upgrade is all or nothing (docs/STORAGE.md, "Schema versions").
#pragma once

#include <lmdb.h>

#include <cstddef>
#include <cstdint>

namespace hookbroker {

// Schema 1 kept each event in `events` under its id, with a time index `event_time` (u64
// received ms + id). Appends every event to `event_log` under sequence numbers from *next_seq, in
// the time index's order (the received order), each with its `event_ids` entry, and drops both
// old tables. Events the time index does not name (none should exist) follow, as received at
// `now_ms`: expiry then takes them late, never early. *moved counts the events moved; it stays 0
// when the folder has no `events` table. Returns 0, an LMDB code, or kEventSequenceTaken
// (event_log.h: a number the upgrade takes is in event_log already, which schema 1 cannot have).
int MigrateEventsFromSchema1(MDB_txn* txn, MDB_dbi event_log, MDB_dbi event_ids,
                             std::int64_t now_ms, std::uint64_t* next_seq, std::size_t* moved);

}  // namespace hookbroker
