// What a bot's answer to an outgoing webhook makes: the reply body (JSON: text, username,
// icon_url, attachments, props, type, response_type) read into the chat posts to make, as
// Mattermost's outgoing webhook handling does (/work/shared/DIALECTS.md). No I/O.
//
//  - An empty body, or one with neither `text` nor `attachments`, makes nothing.
//  - Every post carries props.from_webhook "true" (so it never fires an outgoing webhook
//    itself); the reply's props are kept except from_webhook and the override_* ones, which only
//    the broker sets; attachments go into props.attachments, as Mattermost stores them.
//  - username / icon_url (else the hook's own) become props.override_username /
//    override_icon_url when overrides are allowed.
//  - `response_type: "comment"` makes a thread reply: root_id = the triggering post's thread root
//    (its root_id, else the post itself).
//  - A `type` starting with `system_` is refused; text longer than kMaxPostMessageChars is split
//    into several posts (the attachments ride on the last one).
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "broker/chat_post.h"
#include "broker/outgoing_hook.h"
#include "proto/result.h"

namespace hookbroker {

inline constexpr std::size_t kMaxPostMessageChars = 16383;  // Mattermost's post size, in runes

// The message a hook fired on.
struct TriggeringPost {
  std::string channel_id;
  std::string post_id;
  std::string root_id;  // "" unless the message was itself a thread reply
};

// The posts to make (empty: nothing to post). Errors: "invalid_reply" (not a JSON object, a
// field of the wrong type), "refused_type" (a system_ type).
Result<std::vector<ChatPost>> ChatPostsFromReply(std::string_view body, const OutgoingHook& hook,
                                                 const TriggeringPost& trigger,
                                                 bool allow_overrides);

}  // namespace hookbroker
