#include "broker/circuit_breaker.h"

#include <algorithm>

namespace hookbroker {

int CircuitBreaker::Allowance(std::int64_t now_ms, int limit) const {
  switch (state_) {
    case State::kClosed:
      return limit;
    case State::kOpen:
      return now_ms >= open_until_ms_ ? std::min(limit, 1) : 0;
    case State::kHalfOpen:
      return std::min(limit, 1);
  }
  return limit;
}

void CircuitBreaker::OnAttemptStarted(std::int64_t now_ms) {
  if (state_ == State::kOpen && now_ms >= open_until_ms_) state_ = State::kHalfOpen;
}

void CircuitBreaker::Open(std::int64_t now_ms, std::int64_t cooldown_ms) {
  state_ = State::kOpen;
  cooldown_ms_ = std::min(cooldown_ms, options_.max_cooldown_ms);
  open_until_ms_ = now_ms + cooldown_ms_;
}

void CircuitBreaker::OnResult(bool healthy, std::int64_t now_ms) {
  if (healthy) {
    state_ = State::kClosed;
    failures_ = 0;
    return;
  }
  ++failures_;
  switch (state_) {
    case State::kClosed:
      if (options_.failure_threshold > 0 && failures_ >= options_.failure_threshold) {
        Open(now_ms, options_.cooldown_ms);
      }
      break;
    case State::kHalfOpen:
      Open(now_ms, cooldown_ms_ * 2);
      break;
    case State::kOpen:
      break;  // a straggler started before it opened: the cool-down stands
  }
}

std::string_view ToString(CircuitBreaker::State state) {
  switch (state) {
    case CircuitBreaker::State::kClosed:
      return "closed";
    case CircuitBreaker::State::kOpen:
      return "open";
    case CircuitBreaker::State::kHalfOpen:
      return "half-open";
  }
  return "closed";
}

}  // namespace hookbroker
