// Secret rotation: a subscription's signing secret replaced by a new one while the old one keeps
// signing for an overlap, so that receivers can switch at their own pace. During the overlap
// every callback carries two Standard Webhooks signatures ("v1,<new> v1,<old>"); a receiver
// holding either secret accepts it. After the overlap only the new secret signs. Pure: the time
// is passed in.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "proto/result.h"
#include "proto/subscription.h"

namespace hookbroker {

inline constexpr std::int64_t kDefaultRotationOverlapMs = 24LL * 3600 * 1000;
inline constexpr std::int64_t kMaxRotationOverlapMs = 30LL * 24 * 3600 * 1000;

struct RotationRequest {
  std::string new_secret;  // empty: the caller generates one
  std::int64_t overlap_ms = kDefaultRotationOverlapMs;
};

// The body of POST /v1/webhook/{id}/secret/rotate: an object with the optional fields
// `overlapSeconds` (0 to 30 days, default 24 h) and `secret` ("whsec_...", default generated).
// Errors name the field.
Result<RotationRequest> ParseRotationRequest(const boost::json::value& body);

// Makes `new_secret` the signing secret of `sub`; the current one signs too until now + overlap
// (an overlap of 0 drops it at once). A rotation during an overlap replaces the older secret:
// at most two ever sign. `new_secret` must be a valid secret (DecodeWebhookSecret).
void RotateSecret(Subscription& sub, std::string new_secret, std::int64_t overlap_ms,
                  std::int64_t now_ms);

// True while the previous secret still signs at `now_ms`.
bool InRotationOverlap(const Subscription& sub, std::int64_t now_ms);

// The webhook-signature header of one callback at `now_ms`: signed with `current_key` (the
// decoded sub.secret), plus the previous secret's signature during an overlap.
std::string CallbackSignatureHeader(const Subscription& sub, std::string_view current_key,
                                    std::string_view msg_id, std::int64_t timestamp_s,
                                    std::string_view body, std::int64_t now_ms);

}  // namespace hookbroker
