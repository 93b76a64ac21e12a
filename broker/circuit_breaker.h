// CircuitBreaker: whether an endpoint (a callback origin) is probed rather than hammered.
//
//   state     | event                                        | next state
//   ----------+----------------------------------------------+---------------------------------
//   closed    | healthy result                               | closed (failure count reset)
//   closed    | unhealthy result, count reaches threshold    | open for `cooldown`
//   open      | cool-down over, an attempt starts (the probe)| half-open (one attempt in flight)
//   half-open | probe healthy                                | closed
//   half-open | probe unhealthy                              | open for twice the last cool-down
//             |                                              |   (at most max_cooldown)
//   open      | healthy result of an attempt started earlier | closed
//
// "Unhealthy" is an answer that says the endpoint is down or overwhelmed: no connection, a
// timeout, a TLS failure, 5xx or 429. Other 4xx are answers from a live endpoint and count as
// healthy here (the retry schedule still applies to the delivery). While open, the endpoint's
// deliveries wait in its queue without attempts; other endpoints are not affected.
//
// No clock, no threads: the caller passes the time. Thread-safety: none (DeliveryQueue's).
#pragma once

#include <cstdint>
#include <string_view>

namespace hookbroker {

struct CircuitBreakerOptions {
  int failure_threshold = 5;  // consecutive unhealthy results that open it; 0: never opens
  std::int64_t cooldown_ms = 10'000;
  std::int64_t max_cooldown_ms = 300'000;
};

class CircuitBreaker {
 public:
  enum class State { kClosed, kOpen, kHalfOpen };

  explicit CircuitBreaker(CircuitBreakerOptions options = {}) : options_(options) {}

  // How many attempts may be in flight at `now_ms`, out of the endpoint's `limit`.
  int Allowance(std::int64_t now_ms, int limit) const;
  // An attempt starts (within the allowance): an open breaker whose cool-down is over becomes
  // half-open, and this attempt is its probe.
  void OnAttemptStarted(std::int64_t now_ms);
  void OnResult(bool healthy, std::int64_t now_ms);

  State state() const { return state_; }
  // When an open breaker lets a probe through.
  std::int64_t open_until_ms() const { return open_until_ms_; }
  int consecutive_failures() const { return failures_; }

 private:
  void Open(std::int64_t now_ms, std::int64_t cooldown_ms);

  CircuitBreakerOptions options_;
  State state_ = State::kClosed;
  int failures_ = 0;
  std::int64_t open_until_ms_ = 0;
  std::int64_t cooldown_ms_ = 0;  // of the last opening
};

std::string_view ToString(CircuitBreaker::State state);  // "closed", "open", "half-open"

}  // namespace hookbroker
