// What an attempt's result means for its delivery: delivered, try again at a given time, or
// failed for good. Pure: the caller passes the time and the random draw for jitter.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "broker/delivery.h"
#include "broker/http_sender.h"
#include "proto/retry_schedule.h"

namespace hookbroker {

struct AttemptDecision {
  AttemptOutcome outcome = AttemptOutcome::kConnectError;
  DeliveryStatus status = DeliveryStatus::kPending;
  std::int64_t next_attempt_ms = 0;  // when status is pending
  std::string error;                 // empty when delivered
  // Not empty: the endpoint asked to be left alone (410 Gone); the subscription is disabled at
  // once, with this reason.
  std::string disable_subscription;
};

// The longest wait a Retry-After header can impose.
inline constexpr std::int64_t kMaxRetryAfterMs = 24LL * 3600 * 1000;

// 2xx → delivered. 410 Gone → failed at once, and the subscription is disabled. Anything else
// (3xx included: redirects are not followed) → pending at now + the schedule's delay after
// `attempt` (Retry-After instead, for 429 and 503, when it parses), or failed when `attempt` was
// the last.
AttemptDecision DecideAfterAttempt(const HttpResult& result, int attempt,
                                   const RetrySchedule& schedule, std::int64_t now_ms,
                                   double unit_random);

// What an attempt says of its endpoint, for the circuit breaker: false when it is down or
// overwhelmed (no connection, timeout, TLS failure, 5xx, 429), true for any other answer,
// nullopt when no request was made (the SSRF guard refused the address).
std::optional<bool> EndpointHealthy(const HttpResult& result);

}  // namespace hookbroker
