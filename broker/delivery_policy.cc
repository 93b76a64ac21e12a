#include "broker/delivery_policy.h"

#include <algorithm>

namespace hookbroker {
namespace {

AttemptOutcome OutcomeOf(const HttpResult& result) {
  switch (result.kind) {
    case HttpResult::Kind::kResponse:
      return result.status >= 200 && result.status < 300 ? AttemptOutcome::kDelivered
                                                         : AttemptOutcome::kHttpError;
    case HttpResult::Kind::kConnectError:
      return AttemptOutcome::kConnectError;
    case HttpResult::Kind::kTimeout:
      return AttemptOutcome::kTimeout;
    case HttpResult::Kind::kTlsError:
      return AttemptOutcome::kTlsError;
    case HttpResult::Kind::kForbidden:
      return AttemptOutcome::kForbidden;
  }
  return AttemptOutcome::kConnectError;
}

}  // namespace

AttemptDecision DecideAfterAttempt(const HttpResult& result, int attempt,
                                   const RetrySchedule& schedule, std::int64_t now_ms,
                                   double unit_random) {
  AttemptDecision d;
  d.outcome = OutcomeOf(result);
  if (d.outcome == AttemptOutcome::kDelivered) {
    d.status = DeliveryStatus::kDelivered;
    return d;
  }
  d.error = result.kind == HttpResult::Kind::kResponse ? "HTTP " + std::to_string(result.status)
                                                       : result.error;
  if (result.kind == HttpResult::Kind::kResponse && result.status == 410) {
    d.status = DeliveryStatus::kFailed;
    d.error = "HTTP 410 Gone: the endpoint asked for no more callbacks";
    d.disable_subscription = "the endpoint answered 410 Gone";
    return d;
  }
  auto delay = schedule.DelayAfter(attempt, unit_random);
  if (!delay) {
    d.status = DeliveryStatus::kFailed;
    return d;
  }
  std::int64_t wait_ms = delay->count();
  if (result.kind == HttpResult::Kind::kResponse &&
      (result.status == 429 || result.status == 503) && !result.retry_after.empty()) {
    if (auto asked = ParseRetryAfter(result.retry_after, now_ms)) {
      wait_ms = std::min<std::int64_t>(asked->count(), kMaxRetryAfterMs);
    }
  }
  d.status = DeliveryStatus::kPending;
  d.next_attempt_ms = now_ms + wait_ms;
  return d;
}

std::optional<bool> EndpointHealthy(const HttpResult& result) {
  switch (result.kind) {
    case HttpResult::Kind::kResponse:
      return !(result.status >= 500 || result.status == 429);
    case HttpResult::Kind::kConnectError:
    case HttpResult::Kind::kTimeout:
    case HttpResult::Kind::kTlsError:
      return false;
    case HttpResult::Kind::kForbidden:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace hookbroker
