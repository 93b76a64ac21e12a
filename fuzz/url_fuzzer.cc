// Fuzz target: a callback URL (proto/url), as a REST client gives it in callBackUrl.
// Properties: parsing never crashes; an accepted URL is http(s) with a non-empty host, a target
// starting with "/", and no control characters or spaces; its canonical form (origin + target)
// parses to the same URL; appending the handshake's query parameter keeps it parseable.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "proto/limits.h"
#include "proto/url.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hookbroker;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Result<Url> url = ParseUrl(text);
  if (!url) {
    FUZZ_CHECK(url.error().field == "callBackUrl");
    return 0;
  }
  FUZZ_CHECK(url->scheme == "http" || url->scheme == "https");
  FUZZ_CHECK(!url->host.empty() && url->port != 0);
  FUZZ_CHECK(!url->target.empty() && url->target[0] == '/');
  for (char c : url->host + url->target) {
    FUZZ_CHECK(static_cast<unsigned char>(c) > 0x20 && c != 0x7f);
  }
  const std::string canonical = url->Origin() + url->target;
  if (canonical.size() <= limits::kMaxUrlLength) {
    Result<Url> again = ParseUrl(canonical);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->scheme == url->scheme && again->host == url->host &&
               again->port == url->port && again->target == url->target &&
               again->host_is_ipv6 == url->host_is_ipv6);
  }
  const std::string probe = AppendQueryParam(*url, "validationToken", "0123456789abcdef");
  if (probe.size() <= limits::kMaxUrlLength) FUZZ_CHECK(ParseUrl(probe).ok());
  return 0;
}
