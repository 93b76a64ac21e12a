// Resolving a callback host to the one address it will be connected to, under the SSRF guard.
// Used by SocketSender for every attempt and by the REST API when a webhook is registered.
#pragma once

#include <string>

#include "proto/address_policy.h"
#include "proto/result.h"
#include "proto/url.h"

namespace hookbroker {

// The first address of `url.host` (an IP literal, or from DNS) that `policy` allows, as text.
// Error code "dns_error" when the name does not resolve, "callback_forbidden" when no address is
// allowed (the message names the address and its class).
Result<std::string> ResolveCallbackAddress(const Url& url, const CallbackAddressPolicy& policy);

}  // namespace hookbroker
