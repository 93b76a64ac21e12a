// Which outgoing webhooks a chat message fires, as Mattermost decides it
// (app/webhook.go handleWebhookEvents): a hook bound to the message's channel and without
// trigger words fires on every message there; otherwise the message's first word must equal
// (trigger_when 0) or start with (1) one of its trigger words, in its channel or, for a hook
// without channel, in any channel. A message without any word fires nothing. Trigger words are
// compared case-sensitively, as Mattermost does. No I/O.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "broker/outgoing_hook.h"

namespace hookbroker {

// The message's first whitespace-separated word; "" when it has none.
std::string_view FirstWord(std::string_view text);

// nullopt: the hook does not fire. Otherwise the trigger word to send: the matching trigger word,
// or "" for a channel hook without trigger words.
std::optional<std::string> MatchOutgoingHook(const OutgoingHook& hook, std::string_view channel_id,
                                             std::string_view text);

}  // namespace hookbroker
