// OutgoingMessage: what the outgoing webhook firer keeps of a chat message while it waits for a
// worker: only the fields Mattermost's payload and the reply's threading need (group id, text,
// post id, root id, event id, timestamp, sender id and name, file ids), never the whole Event
// (up to 320 KiB of JSON), so a queue of them is small and cheap to fill on the ingest thread.
//
// Thread-safety: plain value and pure functions.
#pragma once

#include <cstddef>
#include <string>

#include "proto/event.h"
#include "proto/mattermost_payload.h"

namespace hookbroker {

struct OutgoingMessage {
  // Token, team and trigger word empty; channel_name = the event's groupName, if any.
  MattermostPayload payload;
  std::string root_id;  // data.rootId: the thread a reply joins ("" → the post itself)
};

// The message's fields, read as MattermostPayloadFromEvent reads them.
OutgoingMessage OutgoingMessageFromEvent(const Event& event);

// The heap and inline bytes the message holds, for the queue's byte bound.
std::size_t ApproximateBytes(const OutgoingMessage& message);

}  // namespace hookbroker
