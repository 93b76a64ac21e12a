// How a ChatPost becomes a producer-style event (agreed between the issue-6 features; the
// mapping is written down in docs/CHAT.md):
//   eventId = post id; eventType = TextMessageCreated, or AttachmentCreated when the post has no
//   text and only attachments; groupId = channel_id; timestamp = create_at (ms);
//   fromUserId = user_id; fromUserName = props.override_username and fromUserProfilePic =
//   props.override_icon_url when set;
//   data = {text, postId, rootId, type, props}, and for an AttachmentCreated also
//   media: [{mediaUrl, mediaFileName}] from the attachments that carry a URL.
// Pure. The post must have its id and create_at assigned.
#pragma once

#include <boost/json/object.hpp>

#include "broker/chat_post.h"

namespace hookbroker {

boost::json::object PostToEvent(const ChatPost& post);

}  // namespace hookbroker
