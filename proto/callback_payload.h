// CallbackPayload: what a callback carries for a subscription's payload format (payload_format.h)
// besides the Standard Webhooks signature headers, which the dispatcher adds over this body.
// No I/O; pure. The one place that knows which format sends which body and headers.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "proto/subscription.h"

namespace hookbroker {

struct CallbackHeader {
  std::string name;
  std::string value;
  // The value as the attempt log records it: the value itself, or a mask for a secret.
  std::string logged;
};

struct CallbackPayload {
  std::string content_type;  // application/json, or form encoding for mattermost's default
  std::string body;
  std::vector<CallbackHeader> headers;
};

// The body for sub.format from the stored event JSON (EventJson), and the headers:
//  - the callBackToken where the format's receivers look for it: `kz-callback-token` (kaizala,
//    slack, raw), `Authentication: Basic base64(token)` (kommunicate), the body's `token` field
//    (mattermost); nothing when it is empty;
//  - the subscription's `auth` header, when it has one (every format).
// Secrets are logged as "****" ("Basic ****" for Basic schemes).
CallbackPayload RenderCallbackPayload(const Subscription& sub,
                                      const boost::json::object& event_json);

}  // namespace hookbroker
