// Wall-clock milliseconds since the epoch: the clock the broker stamps events, attempts and
// expiry with, so the crash test's times compare with the broker's.
#pragma once

#include <chrono>
#include <cstdint>

namespace hookbroker::crash {

inline std::int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace hookbroker::crash
