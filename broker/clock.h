// Clock: the seam for time. The daemon uses SystemClock; tests use a fake they move by hand, so
// retry timing is exact without sleeping.
#pragma once

#include <chrono>
#include <cstdint>

namespace hookbroker {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time in epoch milliseconds (stored in records and compared with due times).
  virtual std::int64_t NowMs() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t NowMs() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace hookbroker
