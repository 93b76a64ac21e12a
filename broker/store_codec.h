// How Store encodes its keys and records (docs/STORAGE.md). Internal to the broker; pure.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "broker/api_key_record.h"
#include "broker/delivery.h"
#include "proto/subscription.h"

namespace hookbroker::codec {

// Integers in keys: 8 bytes big-endian, so byte order is numeric order.
void AppendU64(std::string& out, std::uint64_t v);
std::uint64_t ReadU64(std::string_view s, std::size_t at = 0);
std::string U64Key(std::uint64_t v);

std::string DueKey(std::int64_t due_ms, std::uint64_t delivery_id);
std::string AttemptKey(std::uint64_t delivery_id, int number);
// attempt_log: recorded ms + delivery id + attempt number.
std::string AttemptLogKey(std::int64_t recorded_ms, std::uint64_t delivery_id, int number);
// "<text>\0<id>": by_subscription and by_event keys.
std::string TextIdKey(std::string_view text, std::uint64_t id);
// event_log value: u64 received ms + u16 eventId length + eventId + the event JSON as stored.
// Appends it to `out` (cleared first), so that one buffer serves a whole commit.
void EncodeEventRecord(std::int64_t received_ms, std::string_view event_id, std::string_view json,
                       std::string* out);
struct EventRecordView {
  std::int64_t received_ms = 0;
  std::string_view event_id;
  std::string_view json;
};
// Views into `bytes`; false if they are not an event_log value.
bool DecodeEventRecord(std::string_view bytes, EventRecordView* out);

// scope_index: "G"/"P"/"A" + objectId + "\0" (+ subscription id).
std::string ScopePrefix(ObjectType type, std::string_view object_id);
// validity + event types: matching reads only this.
std::string ScopeValue(const Subscription& sub);
bool ScopeMatches(std::string_view value, std::string_view event_type, std::int64_t now_ms);
// A scope_index key's object; false if it is not one.
bool ParseScopeKey(std::string_view key, ObjectType* type, std::string_view* object_id);
// Calls fn(event type) for each event type in a ScopeValue.
template <typename F>
void ForEachScopeType(std::string_view value, F&& fn) {
  if (value.size() < 8) return;
  for (std::string_view types = value.substr(8); !types.empty();) {
    const std::size_t nl = types.find('\n');
    fn(types.substr(0, nl));
    if (nl == std::string_view::npos) break;
    types.remove_prefix(nl + 1);
  }
}

std::string EncodeDelivery(const DeliveryRecord& d);
bool DecodeDelivery(std::uint64_t id, std::string_view bytes, DeliveryRecord* d);

std::string EncodeAttempt(const AttemptRecord& a);
bool DecodeAttempt(std::string_view bytes, AttemptRecord* a);

// Per-subscription lifetime counters.
struct StatsRecord {
  std::int64_t pending = 0;
  std::int64_t delivered = 0;
  std::int64_t failed = 0;
  std::int64_t attempts = 0;
  std::int64_t last_success_ms = 0;
  std::int64_t last_failure_ms = 0;
  std::array<std::int64_t, kLatencyBucketCount> latency{};  // attempts per latency bucket
  // The first failure after the last success (0: the last attempt succeeded, or none failed).
  // Absent from records written before it: read as 0.
  std::int64_t failing_since_ms = 0;
};
std::string EncodeStats(const StatsRecord& s);
bool DecodeStats(std::string_view bytes, StatsRecord* s);

// api_keys: JSON {"v":1,"kind","label","hash","created","revoked"}; the id is the table key.
std::string EncodeApiKey(const ApiKeyRecord& k);
bool DecodeApiKey(std::string_view id, std::string_view bytes, ApiKeyRecord* k);

}  // namespace hookbroker::codec
