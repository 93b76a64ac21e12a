// application/x-www-form-urlencoded encoding (the inverse of subscribers/form_decode.h) and the
// percent-encoding of URL query values. No I/O.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hookbroker {

// Percent-encodes every byte but the unreserved ones (RFC 3986: A-Z a-z 0-9 - . _ ~). With
// `space_as_plus` a space becomes '+', as HTML forms (and Go's url.QueryEscape) write it.
std::string PercentEncode(std::string_view text, bool space_as_plus = false);

// "name=value&name=value" in the given order, names and values encoded with spaces as '+'.
std::string FormEncode(const std::vector<std::pair<std::string_view, std::string_view>>& fields);

}  // namespace hookbroker
