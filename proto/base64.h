// Standard base64 (RFC 4648, with padding). No I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hookbroker {

std::string Base64Encode(std::string_view bytes);
// nullopt on any character outside the alphabet or bad padding.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace hookbroker
