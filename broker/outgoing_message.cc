#include "broker/outgoing_message.h"

#include <boost/json.hpp>

namespace hookbroker {

OutgoingMessage OutgoingMessageFromEvent(const Event& event) {
  OutgoingMessage m;
  m.payload = MattermostPayloadFromEvent(event, MattermostChannelNames{}, "", "");
  const boost::json::value* data = event.source.if_contains("data");
  if (data != nullptr && data->is_object()) {
    const boost::json::value* root = data->get_object().if_contains("rootId");
    if (root != nullptr && root->is_string()) m.root_id = root->get_string();
  }
  return m;
}

std::size_t ApproximateBytes(const OutgoingMessage& message) {
  const MattermostPayload& p = message.payload;
  std::size_t bytes = sizeof(OutgoingMessage) + message.root_id.capacity();
  for (const std::string* s : {&p.token, &p.team_id, &p.team_domain, &p.channel_id, &p.channel_name,
                               &p.user_id, &p.user_name, &p.post_id, &p.text, &p.trigger_word}) {
    bytes += s->capacity();
  }
  bytes += p.file_ids.capacity() * sizeof(std::string);
  for (const std::string& id : p.file_ids) bytes += id.capacity();
  return bytes;
}

}  // namespace hookbroker
