// Callback URL parsing: absolute http(s) URLs only. No I/O (no DNS).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "proto/result.h"

namespace hookbroker {

struct Url {
  std::string scheme;      // "http" or "https", lowercase
  std::string host;        // lowercase; an IPv6 literal without its brackets
  std::uint16_t port = 0;  // explicit or the scheme's default
  std::string target;      // path and query, at least "/"; no fragment
  bool host_is_ipv6 = false;

  // "https://host:port" (IPv6 hosts bracketed): the key for per-endpoint queues and pools.
  std::string Origin() const;
  // The host as a URL authority would spell it: bracketed for IPv6.
  std::string HostForUrl() const;
};

// Rejects: anything but http/https, user info ("user:pass@"), an empty or malformed host,
// a bad port, control characters or spaces, and URLs longer than limits::kMaxUrlLength.
Result<Url> ParseUrl(std::string_view text);

// `url` with `name=value` appended to its query (value percent-encoded).
std::string AppendQueryParam(const Url& url, std::string_view name, std::string_view value);

}  // namespace hookbroker
