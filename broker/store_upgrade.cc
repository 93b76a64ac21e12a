#include "broker/store_upgrade.h"

#include <string>
#include <string_view>

#include "broker/event_log.h"
#include "broker/lmdb_txn.h"
#include "broker/store_codec.h"

namespace hookbroker {

using codec::ReadU64;
using lmdb::Cursor;
using lmdb::GetValue;

int MigrateEventsFromSchema1(MDB_txn* txn, MDB_dbi event_log, MDB_dbi event_ids,
                             std::int64_t now_ms, std::uint64_t* next_seq, std::size_t* moved) {
  MDB_dbi events = 0;
  MDB_dbi event_time = 0;
  int rc = mdb_dbi_open(txn, "events", 0, &events);
  if (rc == MDB_NOTFOUND) return 0;
  if (rc != 0) return rc;
  rc = mdb_dbi_open(txn, "event_time", 0, &event_time);
  const bool has_time = rc == 0;
  if (rc != 0 && rc != MDB_NOTFOUND) return rc;
  std::string record;
  // MDB_KEYEXIST when the id has moved already (nothing written).
  auto append = [&](std::int64_t received_ms, std::string_view id, std::string_view json) {
    const int r = AppendEvent(txn, event_log, event_ids, *next_seq, received_ms, id, json, &record);
    if (r != 0) return r;
    ++*next_seq;
    ++*moved;
    return 0;
  };
  if (has_time) {
    Cursor c(txn, event_time);
    if (c.rc() != 0) return c.rc();
    for (bool ok = c.First(); ok; ok = c.Next()) {
      if (c.key().size() < 8) continue;
      const std::string_view id = c.key().substr(8);
      std::string_view json;
      rc = GetValue(txn, events, id, &json);
      if (rc == MDB_NOTFOUND) continue;  // an index entry without its event: nothing to keep
      if (rc != 0) return rc;
      rc = append(static_cast<std::int64_t>(ReadU64(c.key())), id, json);
      if (rc == MDB_KEYEXIST) continue;  // a second index entry of one event: it moved once
      if (rc != 0) return rc;
    }
  }
  MDB_stat stat{};
  if ((rc = mdb_stat(txn, events, &stat)) != 0) return rc;
  if (stat.ms_entries != *moved) {  // some event the time index does not name
    Cursor c(txn, events);
    if (c.rc() != 0) return c.rc();
    for (bool ok = c.First(); ok; ok = c.Next()) {
      rc = append(now_ms, c.key(), c.value());
      if (rc == MDB_KEYEXIST) continue;  // moved in received order above
      if (rc != 0) return rc;
    }
  }
  if ((rc = mdb_drop(txn, events, 1)) != 0) return rc;
  if (has_time && (rc = mdb_drop(txn, event_time, 1)) != 0) return rc;
  return 0;
}

}  // namespace hookbroker
