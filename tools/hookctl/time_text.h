// Times as operators type and read them.
//
// Input (TIME): epoch milliseconds ("1763950000000"), RFC 3339 ("2026-11-24T02:00:00Z",
// fractions and numeric offsets allowed), or an age meaning "that long ago" ("90s", "30m", "2h",
// "1d", "2w"). Output: RFC 3339 UTC, so that a printed time can be pasted back as a TIME.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proto/result.h"

namespace hookctl {

std::int64_t NowMs();

// Any TIME form; ages count back from `now_ms`.
hookbroker::Result<std::int64_t> ParseTime(std::string_view text, std::int64_t now_ms);

// Epoch milliseconds or RFC 3339 only: for points in the future (a webhook's validity), where an
// age ("that long ago") would mean the opposite of what the operator wants.
hookbroker::Result<std::int64_t> ParseAbsoluteTime(std::string_view text);

// A length of time: a whole number with a unit s, m, h, d or w ("90s", "24h"); nullopt otherwise.
std::optional<std::int64_t> ParseDurationMs(std::string_view text);

// "2026-11-24T02:00:00Z", or with milliseconds "2026-11-24T02:00:00.123Z".
std::string FormatUtc(std::int64_t epoch_ms, bool with_millis = false);

}  // namespace hookctl
