// When to try a failed delivery again. No I/O, no clock: callers pass the time and the random
// draw, so tests are exact.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "proto/result.h"

namespace hookbroker {

class RetrySchedule {
 public:
  using Millis = std::chrono::milliseconds;

  // Immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: 8 attempts in all.
  static RetrySchedule Default();
  // "5,300,1800": seconds (decimals allowed, e.g. "0.2") between consecutive attempts; the first
  // attempt is always immediate. Empty entries, negatives or more than 100 entries are errors.
  static Result<RetrySchedule> Parse(std::string_view text);

  explicit RetrySchedule(std::vector<Millis> delays, double jitter = 0.2)
      : delays_(std::move(delays)), jitter_(jitter) {}

  int max_attempts() const { return static_cast<int>(delays_.size()) + 1; }
  const std::vector<Millis>& delays() const { return delays_; }

  // The wait after attempt number `attempt` (1-based) failed, or nullopt when it was the last.
  // `unit` is a uniform draw in [0, 1): the delay is scaled by 1 + jitter * (2 * unit - 1).
  std::optional<Millis> DelayAfter(int attempt, double unit) const;

 private:
  std::vector<Millis> delays_;
  double jitter_;
};

// A Retry-After header: delta-seconds or an HTTP-date (IMF-fixdate). nullopt when unparsable;
// a date in the past gives 0.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         std::int64_t now_ms);

}  // namespace hookbroker
