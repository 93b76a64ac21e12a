// Events to publish, read from a file or standard input, and cut into ingest requests.
//
// Accepted input: one JSON event object, a JSON array of events, or JSON lines (one event per
// line; blank lines skipped). docs/INGEST.md caps a request at 1000 events and 4 MiB, so
// larger inputs become several requests.
#pragma once

#include <boost/json.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "proto/result.h"

namespace hookctl {

struct InputEvent {
  boost::json::value event;
  std::size_t position = 0;  // 1-based: the line (JSON lines) or the item (array, object)
};

// Everything is parsed before anything is sent, so that a typo on line 900 does not leave
// lines 1-899 published and the rest not.
hookbroker::Result<std::vector<InputEvent>> ParseEventInput(std::string_view text);

struct Batch {
  std::size_t first = 0;  // index into the events
  std::size_t count = 0;
  std::string frame;  // the request: a JSON array of the events
};

// At most `max_events` events and, unless one event alone is larger, `max_bytes` per frame.
std::vector<Batch> MakeBatches(const std::vector<InputEvent>& events, std::size_t max_events,
                               std::size_t max_bytes);

}  // namespace hookctl
