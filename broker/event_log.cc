#include "broker/event_log.h"

#include "broker/lmdb_txn.h"
#include "broker/store_codec.h"

namespace hookbroker {

int AppendEvent(MDB_txn* txn, MDB_dbi event_log, MDB_dbi event_ids, std::uint64_t seq,
                std::int64_t received_ms, std::string_view id, std::string_view json,
                std::string* scratch) {
  // Encoded before the first write, which may move the pages `id` and `json` point into; the id's
  // entry is that first write, so `id` is still valid for it. It finds duplicates before
  // anything is written for them.
  codec::EncodeEventRecord(received_ms, id, json, scratch);
  const std::string key = codec::U64Key(seq);
  int rc = lmdb::Put(txn, event_ids, id, key, MDB_NOOVERWRITE);
  if (rc != 0) return rc;
  rc = lmdb::Put(txn, event_log, key, *scratch, MDB_APPEND);
  return rc == MDB_KEYEXIST ? kEventSequenceTaken : rc;
}

int ReadEventJson(MDB_txn* txn, MDB_dbi event_log, MDB_dbi event_ids, std::string_view id,
                  std::string_view* json) {
  std::string_view seq_key;
  int rc = lmdb::GetValue(txn, event_ids, id, &seq_key);
  if (rc != 0) return rc;
  std::string_view bytes;
  rc = lmdb::GetValue(txn, event_log, seq_key, &bytes);
  if (rc == MDB_NOTFOUND) return kEventLogInconsistent;
  if (rc != 0) return rc;
  codec::EventRecordView event;
  if (!codec::DecodeEventRecord(bytes, &event) || event.event_id != id) {
    return kEventLogInconsistent;
  }
  *json = event.json;
  return 0;
}

}  // namespace hookbroker
