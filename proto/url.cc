#include "proto/url.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <array>
#include <charconv>

#include "proto/form_encode.h"
#include "proto/limits.h"

namespace hookbroker {
namespace {

constexpr std::size_t kMaxHostLength = 253;
constexpr std::size_t kMaxLabelLength = 63;

Error UrlError(std::string_view reason) {
  return Error::Invalid("callBackUrl", "callBackUrl: " + std::string(reason));
}

char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string Lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ToLower(c);
  return out;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool AllDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// Strict dotted quad: resolvers also accept "127.1", "0x7f.0.0.1" or "0177.0.0.1", and a URL
// meaning something different to us than to the resolver is how SSRF filters get bypassed.
bool IsStrictIpv4(std::string_view host) {
  int parts = 0;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = host.find('.', start);
    const std::string_view part = host.substr(start, dot - start);
    if (!AllDigits(part) || part.size() > 3 || (part.size() > 1 && part[0] == '0')) return false;
    int value = 0;
    std::from_chars(part.data(), part.data() + part.size(), value);
    if (value > 255) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts == 4;
}

// Returns the canonical host or an error reason.
Result<std::string> ParseRegNameOrIpv4(std::string_view host) {
  if (host.empty()) return UrlError("the host is empty");
  if (host.size() > kMaxHostLength) return UrlError("the host name is too long");
  for (char c : host) {
    if (!IsAlnum(c) && c != '.' && c != '-') {
      return UrlError("the host contains a character that is not allowed in a host name");
    }
  }
  std::string lowered = Lowercase(host);
  const std::size_t last_dot = lowered.rfind('.');
  const std::string_view last_label =
      std::string_view(lowered).substr(last_dot == std::string::npos ? 0 : last_dot + 1);
  // A numeric last label (or a hex one) makes resolvers read the host as an IPv4 address.
  if (AllDigits(last_label) || last_label.starts_with("0x")) {
    if (!IsStrictIpv4(lowered)) return UrlError("the host is not a valid IPv4 address");
    return lowered;
  }
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = lowered.find('.', start);
    const std::size_t len = (dot == std::string::npos ? lowered.size() : dot) - start;
    if (len == 0) return UrlError("the host has an empty label");
    if (len > kMaxLabelLength) return UrlError("a host label is longer than 63 characters");
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return lowered;
}

Result<std::string> ParseIpv6Literal(std::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) {
    return UrlError("the IPv6 address is malformed");
  }
  const std::string copy(text);
  in6_addr addr{};
  if (inet_pton(AF_INET6, copy.c_str(), &addr) != 1) {
    return UrlError("the IPv6 address is malformed");
  }
  // The canonical spelling, so that equivalent URLs share one origin (one queue, one pool).
  std::array<char, INET6_ADDRSTRLEN> buf{};
  if (inet_ntop(AF_INET6, &addr, buf.data(), buf.size()) == nullptr) {
    return UrlError("the IPv6 address is malformed");
  }
  return std::string(buf.data());
}

std::uint16_t DefaultPort(std::string_view scheme) { return scheme == "https" ? 443 : 80; }

}  // namespace

std::string Url::Origin() const {
  return scheme + "://" + HostForUrl() + ":" + std::to_string(port);
}

std::string Url::HostForUrl() const { return host_is_ipv6 ? "[" + host + "]" : host; }

Result<Url> ParseUrl(std::string_view text) {
  if (text.empty()) return UrlError("must not be empty");
  if (text.size() > limits::kMaxUrlLength) {
    return UrlError("longer than " + std::to_string(limits::kMaxUrlLength) + " characters");
  }
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f) return UrlError("contains spaces or control characters");
    if (byte >= 0x80) return UrlError("contains non-ASCII characters; percent-encode them");
    if (c == '\\') return UrlError("contains a backslash");
  }

  const std::size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return UrlError("must be an absolute http(s) URL");
  Url url;
  url.scheme = Lowercase(text.substr(0, scheme_end));
  if (url.scheme != "http" && url.scheme != "https") {
    return UrlError("the scheme must be http or https");
  }

  const std::string_view rest = text.substr(scheme_end + 3);
  const std::size_t authority_end = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, authority_end);
  std::string_view after =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return UrlError("user information (user:password@) is not allowed; use auth instead");
  }

  std::string_view host_part;
  std::string_view port_part;
  bool has_port = false;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return UrlError("the IPv6 address has no closing ']'");
    host_part = authority.substr(1, close - 1);
    const std::string_view tail = authority.substr(close + 1);
    if (!tail.empty()) {
      if (tail[0] != ':') return UrlError("unexpected characters after the IPv6 address");
      has_port = true;
      port_part = tail.substr(1);
    }
    Result<std::string> host = ParseIpv6Literal(host_part);
    if (!host) return host.error();
    url.host = std::move(host).value();
    url.host_is_ipv6 = true;
  } else {
    const std::size_t colon = authority.find(':');
    host_part = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_part = authority.substr(colon + 1);
    }
    Result<std::string> host = ParseRegNameOrIpv4(host_part);
    if (!host) return host.error();
    url.host = std::move(host).value();
  }

  if (has_port) {
    unsigned value = 0;
    const char* end = port_part.data() + port_part.size();
    auto [ptr, ec] = std::from_chars(port_part.data(), end, value);
    if (!AllDigits(port_part) || ec != std::errc() || ptr != end || value < 1 || value > 65535) {
      return UrlError("the port must be a number from 1 to 65535");
    }
    url.port = static_cast<std::uint16_t>(value);
  } else {
    url.port = DefaultPort(url.scheme);
  }

  const std::size_t hash = after.find('#');
  if (hash != std::string_view::npos) after = after.substr(0, hash);
  if (after.empty()) {
    url.target = "/";
  } else if (after.starts_with('?')) {
    url.target = "/" + std::string(after);
  } else {
    url.target = std::string(after);
  }
  return url;
}

std::string AppendQueryParam(const Url& url, std::string_view name, std::string_view value) {
  std::string out = url.scheme + "://" + url.HostForUrl();
  if (url.port != DefaultPort(url.scheme)) out += ":" + std::to_string(url.port);
  out += url.target;
  if (url.target.find('?') == std::string::npos) {
    out.push_back('?');
  } else if (!out.ends_with('?') && !out.ends_with('&')) {
    out.push_back('&');
  }
  out += PercentEncode(name);
  out.push_back('=');
  out += PercentEncode(value);
  return out;
}

}  // namespace hookbroker
