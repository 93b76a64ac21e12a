// HTTP's tokens (RFC 9110 section 5.6.2: header names, transfer codings, connection options) and
// the ASCII case-insensitive comparison HTTP uses for them. Shared by the response parser and
// the request writer, so that what one accepts as a header name the other does too.
#pragma once

#include <string_view>

namespace hookbroker {

// tchar: a letter, a digit or one of !#$%&'*+-.^_`|~ (no locale: bytes above 0x7f are not).
bool IsHttpTokenChar(char c);

// A non-empty run of tchar.
bool IsHttpToken(std::string_view s);

// Equal when lowercased as ASCII; other bytes compare as they are.
bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b);

}  // namespace hookbroker
