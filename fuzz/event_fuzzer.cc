// Fuzz target: one event object (proto/event) after JSON parsing with the ingest's depth limit.
// Properties: validation never crashes; an accepted event's typed fields are those of its source
// object; the copying and the moving ParseEvent agree.
#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "proto/event.h"
#include "proto/limits.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hookbroker;
  boost::json::parse_options options;
  options.max_depth = limits::kMaxJsonDepth;
  boost::json::error_code ec;
  boost::json::value value = boost::json::parse(
      std::string_view(reinterpret_cast<const char*>(data), size), ec, {}, options);
  if (ec) return 0;
  Result<Event> copied = ParseEvent(value);
  Result<Event> moved = ParseEvent(std::move(value));
  FUZZ_CHECK(copied.ok() == moved.ok());
  if (!copied) {
    FUZZ_CHECK(copied.error().code == moved.error().code);
    return 0;
  }
  FUZZ_CHECK(IsValidEventTypeName(copied->type));
  FUZZ_CHECK(!copied->group_id.empty() && copied->group_id.size() <= limits::kMaxObjectIdLength);
  FUZZ_CHECK(copied->id.value().size() <= limits::kMaxEventIdLength);
  FUZZ_CHECK(copied->timestamp_ms >= 0);
  FUZZ_CHECK(EventJson(*copied).at("groupId").as_string() == copied->group_id);
  FUZZ_CHECK(copied->group_id == moved->group_id && copied->type == moved->type);
  return 0;
}
