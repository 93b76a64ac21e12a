// Fuzz target: a Retry-After header as a callback endpoint answers it (proto/retry_schedule).
// Properties: parsing never crashes and never gives a negative wait.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "proto/retry_schedule.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hookbroker;
  const std::string_view value(reinterpret_cast<const char*>(data), size);
  for (std::int64_t now_ms : {std::int64_t{0}, std::int64_t{1700000000000}}) {
    const std::optional<std::chrono::milliseconds> wait = ParseRetryAfter(value, now_ms);
    if (wait) FUZZ_CHECK(wait->count() >= 0);
  }
  return 0;
}
