// Resolving a callback host to the addresses it may be connected to, under the SSRF guard.
// Used by SocketSender for every attempt (through its HostResolver, which remembers names for a
// while) and by the REST API when a webhook is registered (asking the system resolver afresh).
#pragma once

#include <string>
#include <vector>

#include "broker/host_resolver.h"
#include "proto/address_policy.h"
#include "proto/result.h"
#include "proto/url.h"

namespace hookbroker {

// Every address of `url.host` (an IP literal, or from DNS) that `policy` allows, as text, in the
// resolver's order; never empty. Error code "dns_error" when the name does not resolve,
// "callback_forbidden" when no address is allowed (the message names the address and its class).
Result<std::vector<std::string>> ResolveCallbackAddresses(const Url& url,
                                                          const CallbackAddressPolicy& policy);
// The same with the name's addresses from `resolver` (possibly remembered): the policy still
// judges each of them on every call.
Result<std::vector<std::string>> ResolveCallbackAddresses(const Url& url,
                                                          const CallbackAddressPolicy& policy,
                                                          HostResolver& resolver);

// The first of them: the address a new connection tries first.
Result<std::string> ResolveCallbackAddress(const Url& url, const CallbackAddressPolicy& policy);

}  // namespace hookbroker
