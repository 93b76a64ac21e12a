// UTF-8 validity of text that does not come through the JSON parser (which checks it itself),
// such as multipart form fields. No I/O; thread-safe.
#pragma once

#include <string_view>

namespace hookbroker {

// True when `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, at most
// U+10FFFF).
bool IsValidUtf8(std::string_view text);

}  // namespace hookbroker
