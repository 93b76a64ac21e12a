// Chat ids as Mattermost makes them: 26 characters of [a-z0-9] (128 random bits in base32 with
// Mattermost's alphabet). Used for outgoing webhook ids and tokens. No I/O.
//
// Thread-safety: safe from any thread (OpenSSL's RNG).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hookbroker {

inline constexpr std::size_t kChatIdLength = 26;

// A new random id. Throws std::runtime_error when the RNG fails (a predictable token is worse
// than none).
std::string NewChatId();

// True for 26 characters of Mattermost's id alphabet.
bool IsChatId(std::string_view text);

}  // namespace hookbroker
