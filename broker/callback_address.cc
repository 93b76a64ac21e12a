#include "broker/callback_address.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <vector>

namespace hookbroker {

Result<std::vector<std::string>> ResolveCallbackAddresses(const Url& url,
                                                          const CallbackAddressPolicy& policy) {
  std::vector<IpAddress> candidates;
  if (auto literal = ParseIpAddress(url.host)) {
    candidates.push_back(*literal);
  } else {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* list = nullptr;
    int rc = getaddrinfo(url.host.c_str(), nullptr, &hints, &list);
    if (rc != 0) {
      return Error{"dns_error", "cannot resolve host " + url.host + ": " + gai_strerror(rc),
                   "callBackUrl"};
    }
    for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
      char text[INET6_ADDRSTRLEN] = {};
      const void* src =
          ai->ai_family == AF_INET6
              ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr)
              : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr);
      if (inet_ntop(ai->ai_family, src, text, sizeof text) == nullptr) continue;
      if (auto ip = ParseIpAddress(text)) {
        if (std::find(candidates.begin(), candidates.end(), *ip) == candidates.end()) {
          candidates.push_back(*ip);
        }
      }
    }
    freeaddrinfo(list);
  }
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
  if (refused.ok()) {
    return Error{"dns_error", "host " + url.host + " has no address", "callBackUrl"};
  }
  return refused.error();
}

Result<std::string> ResolveCallbackAddress(const Url& url, const CallbackAddressPolicy& policy) {
  auto addresses = ResolveCallbackAddresses(url, policy);
  if (!addresses) return addresses.error();
  return addresses->front();
}

}  // namespace hookbroker
