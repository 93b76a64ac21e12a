// Ids of chat objects (posts, incoming webhooks, outgoing webhook tokens) as Mattermost shapes
// them: 26 characters from a cryptographic random source (an incoming webhook's id is the secret
// in its URL). NewChatId() and kChatIdLength are proto/chat_id.h's, shared with the outgoing
// webhooks (one definition: both branches had one); this header adds the broker's shape check.
// Thread-safe.
#pragma once

#include <string_view>

#include "proto/chat_id.h"

namespace hookbroker {

// 26 characters of [a-z0-9]: looser than IsChatId (Mattermost's alphabet), so ids made before
// the two generators were merged still pass.
bool IsChatIdShaped(std::string_view id);

}  // namespace hookbroker
