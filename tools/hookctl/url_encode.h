// Percent-encoding for the paths and queries hookctl builds: ids typed by an operator go into
// URLs, and a '/', '?' or '#' in one must not change which resource is asked for.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hookctl {

// Everything but RFC 3986 unreserved characters is encoded.
std::string PercentEncode(std::string_view text);

// "/v1/webhook/" + PercentEncode(id), for example.
inline std::string PathSegment(std::string_view text) { return PercentEncode(text); }

// "?a=1&b=x%20y", or "" when `params` is empty.
std::string QueryString(const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace hookctl
