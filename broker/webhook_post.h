// The posts an incoming webhook request makes (docs/CHAT.md), from its hook, the channel it
// posts to and its payload, as Mattermost builds them:
//  - the message is the payload's text with Slack markup turned into Markdown; longer than a
//    post holds, it is split (message_split.h) into several posts, in order;
//  - props: the payload's own props, then override_username (payload, else the hook's, else
//    "webhook"), override_icon_url (payload, else the hook's, else null), override_icon_emoji
//    (colons trimmed, else null), webhook_display_name, attachments (Slack markup translated;
//    on the last post, [] on the others), priority (when given) and from_webhook "true" (which
//    a payload cannot change);
//  - user_id: the hook's owner; type: the payload's.
// Ids and times are left for the PostSink. Pure.
#pragma once

#include <vector>

#include "broker/chat_post.h"
#include "broker/incoming_hook.h"
#include "broker/webhook_payload.h"

namespace hookbroker {

std::vector<ChatPost> BuildWebhookPosts(const IncomingHook& hook, const Channel& channel,
                                        IncomingPayload payload);

}  // namespace hookbroker
