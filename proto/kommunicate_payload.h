// The body of a Kommunicate-format callback: Kommunicate's message forwarding JSON
// (DIALECTS.md "Kommunicate message forwarding"; docs/CHAT.md "Payload formats"). No I/O; pure.
// The `Authentication: Basic base64(callBackToken)` header is added by callback_payload.h.
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "proto/subscription.h"

namespace hookbroker {

// From the stored event JSON (EventJson), in this key order:
//  key             data.postId, else eventId (the message's key)
//  from            fromUserId, else fromUser, else ""
//  groupId         the event's groupId as a JSON number when it is a canonical decimal integer
//                  that fits in 64 bits ("123456" -> 123456), else the groupId string
//  clientGroupId   the groupId, always a string
//  groupName       the event's groupName, else the groupId
//  conversationId  data.rootId, only when not empty (the thread the message belongs to)
//  message         EventText (event_text.h): the text a person would read
//  timeStamp       the event's timestamp, ms
//  receiverConnected false and receiverLastSeenAtTime 0: the broker does not know presence
//  file            only when data.media has an entry: its first one as {name (mediaFileName),
//                  url (mediaUrl), contentType (media_type.h, from the name or URL), size and
//                  thumbnailUrl (only when the media item carries them)}
//  metadata        strings only: every data.props entry (non-strings as JSON text), then
//                  "eventType", then "context" (the subscription's callBackContext) when set
// `to` is never sent: every event is a group's.
std::string BuildKommunicateMessage(const Subscription& sub, const boost::json::object& event_json);

}  // namespace hookbroker
