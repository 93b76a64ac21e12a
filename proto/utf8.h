// UTF-8 validity of text that does not come through the JSON parser (which checks it itself),
// such as multipart form fields. No I/O; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace hookbroker {

// True when `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, at most
// U+10FFFF).
bool IsValidUtf8(std::string_view text);

// `text` with every byte that does not start a well-formed sequence replaced by U+FFFD, so that
// bytes from outside (an endpoint's answer, cut at a length limit) can be stored and served as
// JSON text. Well-formed text comes back unchanged, and not copied.
std::string ToValidUtf8(std::string text);

}  // namespace hookbroker
