// Event: what a producer publishes, validated and normalised. No I/O.
//
// An Event keeps the producer's JSON object (`source`, with unknown fields preserved) next to
// the typed fields the broker matches on. Thread-safety: plain value.
#pragma once

#include <array>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "proto/ids.h"
#include "proto/result.h"

namespace hookbroker {

// The 13 event types of Kaizala's webhook API.
inline constexpr std::array<std::string_view, 13> kKaizalaEventTypes = {
    "ActionCreated", "ActionResponse",     "SurveyCreated",     "JobCreated",   "SurveyResponse",
    "JobResponse",   "TextMessageCreated", "AttachmentCreated", "Announcement", "MemberAdded",
    "MemberRemoved", "GroupAdded",         "GroupRemoved"};

bool IsKaizalaEventType(std::string_view name);
// A Kaizala type, or a custom name matching [A-Za-z][A-Za-z0-9_.-]{0,63}.
bool IsValidEventTypeName(std::string_view name);

struct Event {
  EventId id;                     // empty until assigned when the producer gave none
  std::string type;               // eventType
  std::string group_id;           // groupId (required)
  std::string action_package_id;  // actionPackageId, may be empty
  std::string action_id;          // actionId, may be empty
  std::int64_t timestamp_ms = 0;  // 0 until filled in by the broker
  // The producer's object as received; AssignDefaults() and ToJson() keep it in step.
  boost::json::object source;
  // `source` serialized (the stored form), when ParseEvent() made it: it serializes the event
  // to bound its size anyway, and the commit then need not serialize it again. Empty when
  // unknown. Whoever changes `source` must update or clear it (AssignDefaults() does).
  std::string stored_json;
  // Keeps `source`'s memory alive when it lives in an ingest frame's arena (DecodeIngestFrame):
  // every Event from the frame shares it, and copies of an Event share it too. Null when
  // `source` owns its memory. A JSON value copied out of `source` on its own shares that memory
  // without keeping it alive: copy strings out, or give the copy its own storage. Likewise,
  // assigning one Event to another keeps the target's memory for `source` (Boost.JSON assigns
  // into the target's resource) while `arena` follows the source: move-construct Events from a
  // frame, never assign them (a vector of them may grow, not erase or sort).
  std::shared_ptr<const void> arena;
};

// Validates one event object. Errors name the field ("groupId: must be a non-empty string").
// Unknown fields are kept in `source`; the typed fields are copied out.
Result<Event> ParseEvent(const boost::json::value& value);
// The same, taking the value over instead of copying it (the hot path of the ingest).
Result<Event> ParseEvent(boost::json::value&& value);

// Fills in the id and timestamp when the producer gave none, in the typed fields and `source`.
void AssignDefaults(Event& event, const EventId& generated_id, std::int64_t now_ms);

// The stored (and "raw") form: the producer's object with eventId and timestamp set.
const boost::json::object& EventJson(const Event& event);
// The same, serialized: `stored_json` when known, else serialize(source) into `scratch`.
std::string_view StoredEventJson(const Event& event, std::string& scratch);

// Generates a random UUID v4 string (used for event and subscription ids).
std::string GenerateUuid();

}  // namespace hookbroker
