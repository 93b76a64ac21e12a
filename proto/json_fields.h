// Lenient readers of optional fields in a stored event's JSON, for the payload renderers: a
// field that is absent, null or of another type reads as "not there". The event was validated
// at ingest; a renderer only has to tolerate what validation allowed. No I/O; pure functions.
//
// Returned views and pointers point into `obj` and are valid as long as it is.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string_view>

namespace hookbroker::json_fields {

// The string at `key`, or "" when there is none.
inline std::string_view String(const boost::json::object& obj, std::string_view key) {
  const boost::json::value* v = obj.if_contains(key);
  if (v == nullptr || !v->is_string()) return {};
  const boost::json::string& s = v->get_string();
  return {s.data(), s.size()};
}

inline const boost::json::object* Object(const boost::json::object& obj, std::string_view key) {
  const boost::json::value* v = obj.if_contains(key);
  return v == nullptr ? nullptr : v->if_object();
}

inline const boost::json::array* Array(const boost::json::object& obj, std::string_view key) {
  const boost::json::value* v = obj.if_contains(key);
  return v == nullptr ? nullptr : v->if_array();
}

// An integral number (int64, or uint64 that fits), else nullopt.
inline std::optional<std::int64_t> Int(const boost::json::object& obj, std::string_view key) {
  const boost::json::value* v = obj.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (const std::int64_t* i = v->if_int64()) return *i;
  if (const std::uint64_t* u = v->if_uint64()) {
    if (*u <= static_cast<std::uint64_t>(INT64_MAX)) return static_cast<std::int64_t>(*u);
  }
  return std::nullopt;
}

// The event's `data` object, or an empty one.
inline const boost::json::object& Data(const boost::json::object& event) {
  static const boost::json::object kEmpty;
  const boost::json::object* data = Object(event, "data");
  return data != nullptr ? *data : kEmpty;
}

}  // namespace hookbroker::json_fields
