#include "proto/event.h"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <boost/json/serializer.hpp>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>

#include "proto/json_writer.h"
#include "proto/limits.h"
#include "proto/signature.h"

namespace hookbroker {
namespace {

bool HasControlCharacter(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  });
}

// Lengths are in bytes: they bound storage keys and header sizes, which are byte-sized.
Result<std::string> RequiredString(const boost::json::value* v, std::string_view key,
                                   std::size_t max_len) {
  if (v == nullptr) return Error::Missing(std::string(key));
  const boost::json::string* s = v->if_string();
  if (s == nullptr || s->empty() || s->size() > max_len) {
    return Error::Invalid(std::string(key), std::string(key) +
                                                ": must be a non-empty string of at most " +
                                                std::to_string(max_len) + " characters");
  }
  return std::string(*s);
}

// Returns an empty string when the field is absent.
Result<std::string> OptionalString(const boost::json::value* v, std::string_view key,
                                   std::size_t max_len) {
  if (v == nullptr) return std::string();
  const boost::json::string* s = v->if_string();
  if (s == nullptr || s->size() > max_len) {
    return Error::Invalid(std::string(key), std::string(key) + ": must be a string of at most " +
                                                std::to_string(max_len) + " characters");
  }
  return std::string(*s);
}

std::optional<std::int64_t> NonNegativeInteger(const boost::json::value& v) {
  if (const std::int64_t* i = v.if_int64()) {
    if (*i >= 0) return *i;
    return std::nullopt;
  }
  if (const std::uint64_t* u = v.if_uint64()) {
    if (*u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return static_cast<std::int64_t>(*u);
    }
    return std::nullopt;
  }
  if (const double* d = v.if_double()) {
    // 2^63 is exactly representable; anything at or above it does not fit an int64.
    if (*d >= 0 && *d < 9223372036854775808.0 &&
        *d == static_cast<double>(static_cast<std::int64_t>(*d))) {
      return static_cast<std::int64_t>(*d);
    }
  }
  return std::nullopt;
}

// Boost.JSON reads a number too large for a double (1e400) as infinity, and writes infinity as
// `Infinity`, which is not JSON: an event holding one would be stored, and sent to receivers, as
// text that no JSON parser reads back. The parse limited the depth, so the recursion is bounded.
bool HasNonFiniteNumber(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::double_:
      return !std::isfinite(v.get_double());
    case boost::json::kind::array:
      return std::any_of(v.get_array().begin(), v.get_array().end(), HasNonFiniteNumber);
    case boost::json::kind::object:
      return std::any_of(v.get_object().begin(), v.get_object().end(),
                         [](const auto& member) { return HasNonFiniteNumber(member.value()); });
    default:
      return false;
  }
}

// The fields ParseEvent reads, found in one pass over the object, where looking each one up by
// name walked the object's keys eleven times (docs/PERFORMANCE.md, section 1). Keys are unique:
// Boost.JSON's parser keeps the last of duplicate keys. A field given as null is left
// null here: producers often write `"field": null` for "not set", and treating it as absent
// saves them a rejection that would tell them nothing useful.
enum Field : std::size_t {
  kEventType,
  kGroupId,
  kActionPackageId,
  kActionId,
  kEventId,
  kFromUser,
  kFromUserId,
  kFromUserName,
  kFromUserProfilePic,
  kTimestamp,
  kData,
  kFieldCount
};
constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "eventType",  "groupId",      "actionPackageId",    "actionId",  "eventId", "fromUser",
    "fromUserId", "fromUserName", "fromUserProfilePic", "timestamp", "data"};

struct Fields {
  std::array<boost::json::value*, kFieldCount> present{};  // null when absent or null
  // The first member, in the object's order, holding a number too large for a double.
  std::string_view non_finite_key;
  bool has_non_finite = false;

  boost::json::value* operator[](Field f) const { return present[f]; }
};

Fields FindFields(boost::json::object& obj) {
  Fields fields;
  for (auto& member : obj) {
    const std::string_view key = member.key();
    boost::json::value& value = member.value();
    for (std::size_t f = 0; f < kFieldCount; ++f) {
      if (key == kFieldNames[f]) {
        if (!value.is_null()) fields.present[f] = &value;
        break;
      }
    }
    if (!fields.has_non_finite && HasNonFiniteNumber(value)) {
      fields.has_non_finite = true;
      fields.non_finite_key = key;
    }
  }
  return fields;
}

// What AssignDefaults may append to the stored form: `,"eventId":` with a generated UUID and
// `,"timestamp":` with up to 20 digits.
constexpr std::size_t kDefaultsRoom = 96;

// `obj` serialized as boost::json::serialize writes it, in a string with `room` bytes of spare
// capacity: AssignDefaults then appends the broker's defaults without reallocating and copying
// the whole event.
std::string SerializeWithRoom(const boost::json::object& obj, std::size_t room) {
  boost::json::serializer serializer;
  serializer.reset(&obj);
  char buffer[4096];
  std::string out;
  boost::json::string_view part = serializer.read(buffer);
  if (serializer.done()) {
    out.reserve(part.size() + room);
    out.append(part.data(), part.size());
    return out;
  }
  out.append(part.data(), part.size());
  while (!serializer.done()) {
    part = serializer.read(buffer);
    out.append(part.data(), part.size());
  }
  out.reserve(out.size() + room);
  return out;
}

bool IsNameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool IsNameChar(char c) {
  return IsNameStart(c) || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

}  // namespace

bool IsKaizalaEventType(std::string_view name) {
  return std::find(kKaizalaEventTypes.begin(), kKaizalaEventTypes.end(), name) !=
         kKaizalaEventTypes.end();
}

bool IsValidEventTypeName(std::string_view name) {
  if (IsKaizalaEventType(name)) return true;
  if (name.empty() || name.size() > 64 || !IsNameStart(name[0])) return false;
  return std::all_of(name.begin(), name.end(), IsNameChar);
}

Result<Event> ParseEvent(const boost::json::value& value) {
  return ParseEvent(boost::json::value(value));
}

Result<Event> ParseEvent(boost::json::value&& value) {
  boost::json::object* source = value.if_object();
  if (source == nullptr) return Error{"invalid_event", "an event must be a JSON object", ""};
  // Move-constructed, so the object keeps its storage (the ingest frame's arena). Assigning it
  // to a default-constructed object would copy every element into the heap instead: Boost.JSON
  // moves only between objects of the same memory resource.
  Event event{.id = {},
              .type = {},
              .group_id = {},
              .action_package_id = {},
              .action_id = {},
              .timestamp_ms = 0,
              .source = boost::json::object(std::move(*source)),
              .stored_json = {},
              .arena = nullptr};
  const Fields fields = FindFields(event.source);

  const boost::json::value* type = fields[kEventType];
  if (type == nullptr) return Error::Missing("eventType");
  if (!type->is_string() || !IsValidEventTypeName(type->get_string())) {
    return Error::Invalid("eventType",
                          "eventType: must be a Kaizala event type or a name matching "
                          "[A-Za-z][A-Za-z0-9_.-]{0,63}");
  }
  event.type = std::string(type->get_string());

  Result<std::string> group =
      RequiredString(fields[kGroupId], "groupId", limits::kMaxObjectIdLength);
  if (!group) return group.error();
  event.group_id = std::move(group).value();

  Result<std::string> package =
      OptionalString(fields[kActionPackageId], "actionPackageId", limits::kMaxObjectIdLength);
  if (!package) return package.error();
  event.action_package_id = std::move(package).value();

  Result<std::string> action =
      OptionalString(fields[kActionId], "actionId", limits::kMaxObjectIdLength);
  if (!action) return action.error();
  event.action_id = std::move(action).value();

  if (const boost::json::value* id = fields[kEventId]) {
    const boost::json::string* s = id->if_string();
    if (s == nullptr || s->empty() || s->size() > limits::kMaxEventIdLength ||
        HasControlCharacter(*s)) {
      return Error::Invalid("eventId", "eventId: must be a non-empty string of at most " +
                                           std::to_string(limits::kMaxEventIdLength) +
                                           " characters without control characters");
    }
    event.id = EventId(std::string(*s));
  }

  for (Field user : {kFromUser, kFromUserId, kFromUserName, kFromUserProfilePic}) {
    Result<std::string> field =
        OptionalString(fields[user], kFieldNames[user], limits::kMaxUserFieldLength);
    if (!field) return field.error();
  }

  if (boost::json::value* ts = fields[kTimestamp]) {
    const std::optional<std::int64_t> ms = NonNegativeInteger(*ts);
    if (!ms) {
      return Error::Invalid("timestamp",
                            "timestamp: must be a non-negative integer (epoch milliseconds)");
    }
    event.timestamp_ms = *ms;
    // A producer's 1.7e12 would otherwise reach receivers as a float. Written through the
    // pointer: object::operator[] grows the table first even for a key it has (Boost 1.81),
    // which would free what the other pointers in `fields` point into.
    *ts = *ms;
  }

  if (fields.has_non_finite) {
    const std::string key(fields.non_finite_key);
    return Error::Invalid(key, key + ": holds a number too large for a double");
  }

  const boost::json::value* data = fields[kData];
  if (data != nullptr && !data->is_object()) {
    return Error::Invalid("data", "data: must be a JSON object");
  }
  // One serialization of the whole event bounds both; `data` on its own needs a second one only
  // when the whole event is larger than `data` may be.
  event.stored_json = SerializeWithRoom(event.source, kDefaultsRoom);
  const std::size_t event_bytes = event.stored_json.size();
  if (data != nullptr && event_bytes > limits::kMaxEventDataBytes &&
      boost::json::serialize(*data).size() > limits::kMaxEventDataBytes) {
    return Error::Invalid("data", "data: larger than " +
                                      std::to_string(limits::kMaxEventDataBytes) +
                                      " bytes when serialized");
  }
  if (event_bytes > limits::kMaxEventBytes) {
    return Error{"event_too_large",
                 "event: larger than " + std::to_string(limits::kMaxEventBytes) +
                     " bytes when serialized (unknown fields included)",
                 ""};
  }
  return event;
}

namespace {

// Sets source[key] and keeps stored_json in step: a key that is new goes to the end of the
// object (Boost.JSON keeps insertion order), so its serialization is the old one with
// `,"key":value` before the closing brace; a replaced key clears it (serialized on commit).
// `append_value` writes the value's JSON text (json_writer.h: as boost::json would).
template <typename AppendValue>
void SetSourceField(Event& event, std::string_view key, boost::json::value value,
                    AppendValue append_value) {
  // One lookup: emplace leaves an existing key (and `value`) as they are.
  const auto [member, appended] = event.source.emplace(key, value);
  if (!appended) member->value() = std::move(value);
  std::string& json = event.stored_json;
  if (appended && json.size() >= 2 && json.back() == '}') {
    json.pop_back();
    if (json.size() > 1) json += ',';
    AppendJsonString(json, key);
    json += ':';
    append_value(json);
    json += '}';
  } else {
    json.clear();
  }
}

}  // namespace

void AssignDefaults(Event& event, const EventId& generated_id, std::int64_t now_ms) {
  if (event.id.value().empty()) {
    event.id = generated_id;
    const std::string& id = generated_id.value();
    SetSourceField(event, "eventId", boost::json::value(id),
                   [&id](std::string& out) { AppendJsonString(out, id); });
  }
  if (event.timestamp_ms == 0) {
    event.timestamp_ms = now_ms;
    SetSourceField(event, "timestamp", boost::json::value(now_ms),
                   [now_ms](std::string& out) { AppendJsonInt(out, now_ms); });
  }
}

const boost::json::object& EventJson(const Event& event) { return event.source; }

std::string_view StoredEventJson(const Event& event, std::string& scratch) {
  if (!event.stored_json.empty()) return event.stored_json;
  scratch = boost::json::serialize(event.source);
  return scratch;
}

std::string GenerateUuid() {
  unsigned char b[16];
  // Throws rather than give guessable ids, which would let one producer's events collide with
  // another's on purpose.
  FillRandomBytes(b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0x0f]);
  }
  return out;
}

}  // namespace hookbroker
