#include "tools/hookctl/event_input.h"

namespace hookctl {
namespace {

namespace json = boost::json;
using hookbroker::Error;

// Deeper than the broker allows (32), so that such an event reaches the broker and gets its
// verdict instead of a second, differently worded one here.
constexpr std::size_t kParseDepth = 64;

json::value Parse(std::string_view text, boost::system::error_code& ec) {
  json::parse_options opts;
  opts.max_depth = kParseDepth;
  return json::parse(text, ec, {}, opts);
}

bool IsBlank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

hookbroker::Result<std::vector<InputEvent>> ParseEventInput(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a UTF-8 byte order mark
  if (IsBlank(text)) return Error{"no_events", "no events in the input", ""};

  std::vector<InputEvent> events;
  boost::system::error_code ec;
  json::value whole = Parse(text, ec);
  if (!ec) {
    if (whole.is_array()) {
      std::size_t position = 0;
      for (json::value& e : whole.as_array()) events.push_back({std::move(e), ++position});
      if (events.empty()) return Error{"no_events", "the input is an empty JSON array", ""};
      return events;
    }
    if (whole.is_object()) {
      events.push_back({std::move(whole), 1});
      return events;
    }
    return Error{"invalid_input",
                 "the input is JSON but not an event: expected an object, an array of objects, "
                 "or JSON lines",
                 ""};
  }

  // Not one JSON value: JSON lines, one event per line.
  std::size_t line_number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    ++line_number;
    start = end + 1;
    if (IsBlank(line)) continue;
    boost::system::error_code line_ec;
    json::value v = Parse(line, line_ec);
    if (line_ec) {
      return Error{
          "invalid_input",
          "input line " + std::to_string(line_number) +
              " is not JSON (input must be one JSON object, a JSON array, or JSON lines): " +
              line_ec.message(),
          ""};
    }
    events.push_back({std::move(v), line_number});
  }
  return events;
}

std::vector<Batch> MakeBatches(const std::vector<InputEvent>& events, std::size_t max_events,
                               std::size_t max_bytes) {
  std::vector<Batch> batches;
  Batch current;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const std::string text = json::serialize(events[i].event);
    // "[" + "]" and one "," per event beyond the first.
    const bool full = current.count == max_events ||
                      (current.count > 0 && current.frame.size() + text.size() + 2 > max_bytes);
    if (full) {
      current.frame += "]";
      batches.push_back(std::move(current));
      current = Batch{};
    }
    if (current.count == 0) {
      current.first = i;
      current.frame = "[";
    } else {
      current.frame += ",";
    }
    current.frame += text;
    ++current.count;
  }
  if (current.count > 0) {
    current.frame += "]";
    batches.push_back(std::move(current));
  }
  return batches;
}

}  // namespace hookctl
