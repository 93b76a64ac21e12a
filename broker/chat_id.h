// Ids of chat objects (posts, incoming webhooks, outgoing webhook tokens) as Mattermost shapes
// them: 26 characters of [a-z0-9], from a cryptographic random source (an incoming webhook's id
// is the secret in its URL). Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace hookbroker {

inline constexpr std::size_t kChatIdLength = 26;

std::string NewChatId();
bool IsChatIdShaped(std::string_view id);

}  // namespace hookbroker
