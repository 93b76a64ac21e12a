// MattermostPayload: the request body Mattermost's outgoing (trigger word) webhooks POST to
// their callback URLs, built from a broker Event, and its two encodings. The fields, units and
// encodings are those of /work/shared/DIALECTS.md "Mattermost outgoing webhooks"; the receiving
// side's parser is subscribers/outgoing_webhook.h. Used by the broker's outgoing webhooks and by
// the `mattermost` subscription payload format. No I/O.
//
// Thread-safety: plain value and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proto/event.h"

namespace hookbroker {

inline constexpr std::string_view kFormContentType = "application/x-www-form-urlencoded";
inline constexpr std::string_view kJsonContentType = "application/json";

struct MattermostPayload {
  std::string token;  // the hook's 26-character token, the receiver's proof of origin
  std::string team_id;
  std::string team_domain;
  std::string channel_id;
  std::string channel_name;
  std::int64_t timestamp_ms = 0;  // the post's creation time
  std::string user_id;
  std::string user_name;
  std::string post_id;
  std::string text;
  std::string trigger_word;  // the trigger word that matched; "" when the hook has none
  std::vector<std::string> file_ids;
};

// What the event does not carry about its channel.
struct MattermostChannelNames {
  std::string name;  // "" → the event's groupName, when it has one
  std::string team_id;
  std::string team_domain;
};

// The payload for a TextMessageCreated (or any chat) event, read as shared-event.md lays it out:
// channel_id = groupId, timestamp = the event's, user_id = fromUserId, user_name = fromUserName,
// text = data.text, post_id = data.postId (else the eventId), file_ids = data.fileIds. A field
// that is absent or not of the expected JSON type is left empty (events are validated at ingest
// only for the fields the broker matches on).
MattermostPayload MattermostPayloadFromEvent(const Event& event,
                                             const MattermostChannelNames& channel,
                                             std::string token, std::string trigger_word);

// The form encoding (Mattermost's default): every field, names in alphabetical order as Go's
// url.Values writes them, timestamp in whole seconds, file_ids comma-joined.
std::string MattermostFormBody(const MattermostPayload& payload);

// The JSON encoding (a hook whose content type is application/json): every field, timestamp in
// milliseconds, file_ids comma-joined (a string, as Mattermost sends it).
std::string MattermostJsonBody(const MattermostPayload& payload);

}  // namespace hookbroker
