// Fuzz target: one ZeroMQ ingest request frame (proto/ingest_codec), as a producer sends it.
// Properties: decoding never crashes; a decoded request has one rejected-id slot per event; every
// accepted event, once the broker fills in its defaults, is accepted again when decoded from its
// stored form (what receivers and replays see); the reply encodes.
#include <boost/json/serialize.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "proto/ingest_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hookbroker;
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  Result<IngestRequest> request = DecodeIngestFrame(frame);
  if (!request) {
    FUZZ_CHECK(!request.error().message.empty());
    (void)EncodeIngestError(request.error().message);
    return 0;
  }
  FUZZ_CHECK(!request->events.empty());
  FUZZ_CHECK(request->events.size() == request->rejected_ids.size());
  std::vector<IngestItemResult> results;
  for (std::size_t i = 0; i < request->events.size(); ++i) {
    Result<Event>& event = request->events[i];
    IngestItemResult r;
    if (!event) {
      FUZZ_CHECK(!event.error().message.empty());
      r.event_id = request->rejected_ids[i];
      r.error = event.error().message;
    } else {
      AssignDefaults(*event, EventId("00000000-0000-4000-8000-000000000000"), 1700000000000);
      const std::string stored = boost::json::serialize(EventJson(*event));
      Result<IngestRequest> again = DecodeIngestFrame(stored);
      FUZZ_CHECK(again.ok() && again->events.size() == 1 && again->events[0].ok());
      const Event& reread = *again->events[0];
      FUZZ_CHECK(reread.id.value() == event->id.value());
      FUZZ_CHECK(reread.type == event->type);
      FUZZ_CHECK(reread.group_id == event->group_id);
      FUZZ_CHECK(reread.timestamp_ms == event->timestamp_ms);
      r.event_id = event->id.value();
      r.status = IngestStatus::kAccepted;
    }
    results.push_back(std::move(r));
  }
  (void)EncodeIngestReply(results);
  return 0;
}
