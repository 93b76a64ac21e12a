// The ZeroMQ ingest wire format (docs/INGEST.md): a request frame holds one JSON event object or
// a JSON array of up to limits::kMaxBatchEvents events; the reply frame holds one result per
// event in request order, or a frame-level error. No I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "proto/event.h"
#include "proto/result.h"

namespace hookbroker {

struct IngestRequest {
  // One entry per event in the frame, in order; a rejected entry carries its Error and, when
  // the event had a readable string eventId, that id in `rejected_ids`.
  std::vector<Result<Event>> events;
  std::vector<std::string> rejected_ids;  // same size as events; empty string when unknown
};

// Decodes one request frame. A frame that is not JSON, too large, too deep, an empty array,
// an array longer than the batch limit, or neither object nor array is an Error (the whole
// frame is answered with {"error": ...}).
Result<IngestRequest> DecodeIngestFrame(std::string_view frame);

enum class IngestStatus { kAccepted, kDuplicate, kRejected };
std::string_view ToString(IngestStatus status);

struct IngestItemResult {
  std::string event_id;  // may be empty for a rejected event without a usable id
  IngestStatus status = IngestStatus::kRejected;
  int deliveries = 0;
  std::string error;  // only for kRejected
};

// {"results":[{"eventId":"...","status":"accepted","deliveries":N}, ...]}; a rejected entry has
// "error" and no "deliveries"; "eventId" is omitted when empty.
std::string EncodeIngestReply(const std::vector<IngestItemResult>& results);
// {"error":"..."}
std::string EncodeIngestError(std::string_view message);

}  // namespace hookbroker
