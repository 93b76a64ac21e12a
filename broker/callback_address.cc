#include "broker/callback_address.h"

#include <vector>

namespace hookbroker {

namespace {

// The addresses of `candidates` that `policy` allows, as text, in their order.
Result<std::vector<std::string>> AllowedAddresses(const std::string& host,
                                                  const std::vector<IpAddress>& candidates,
                                                  const CallbackAddressPolicy& policy) {
  Status refused;
  std::vector<std::string> allowed;
  for (const IpAddress& ip : candidates) {
    Status s = policy.Check(ip);
    if (s) {
      allowed.push_back(ip.ToString());
    } else {
      refused = s;
    }
  }
  if (!allowed.empty()) return allowed;
  if (refused.ok()) return Error{"dns_error", "host " + host + " has no address", "callBackUrl"};
  return refused.error();
}

}  // namespace

Result<std::vector<std::string>> ResolveCallbackAddresses(const Url& url,
                                                          const CallbackAddressPolicy& policy) {
  if (auto literal = ParseIpAddress(url.host)) {
    return AllowedAddresses(url.host, {*literal}, policy);
  }
  auto candidates = HostResolver::SystemLookup(url.host);
  if (!candidates) return candidates.error();
  return AllowedAddresses(url.host, *candidates, policy);
}

Result<std::vector<std::string>> ResolveCallbackAddresses(const Url& url,
                                                          const CallbackAddressPolicy& policy,
                                                          HostResolver& resolver) {
  auto candidates = resolver.Resolve(url.host);
  if (!candidates) return candidates.error();
  return AllowedAddresses(url.host, *candidates, policy);
}

Result<std::string> ResolveCallbackAddress(const Url& url, const CallbackAddressPolicy& policy) {
  auto addresses = ResolveCallbackAddresses(url, policy);
  if (!addresses) return addresses.error();
  return addresses->front();
}

}  // namespace hookbroker
