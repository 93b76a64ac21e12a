#include "tools/hookctl/time_text.h"

#include <charconv>
#include <chrono>
#include <cstdio>

namespace hookctl {
namespace {

using hookbroker::Error;

constexpr const char* kTimeForms =
    "expected epoch milliseconds, RFC 3339 like 2026-11-24T02:00:00Z, or an age like 30m, 2h, 1d";

// Reads exactly `digits` decimal digits at `pos`.
std::optional<int> Digits(std::string_view s, std::size_t& pos, std::size_t digits) {
  if (pos + digits > s.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  pos += digits;
  return v;
}

bool Expect(std::string_view s, std::size_t& pos, char a, char b = '\0') {
  if (pos >= s.size() || (s[pos] != a && (b == '\0' || s[pos] != b))) return false;
  ++pos;
  return true;
}

std::optional<std::int64_t> ParseEpochMs(std::string_view text) {
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < 0) return std::nullopt;
  return v;
}

std::optional<std::int64_t> ParseRfc3339(std::string_view s) {
  using namespace std::chrono;
  std::size_t pos = 0;
  auto y = Digits(s, pos, 4);
  if (!y || !Expect(s, pos, '-')) return std::nullopt;
  auto mo = Digits(s, pos, 2);
  if (!mo || !Expect(s, pos, '-')) return std::nullopt;
  auto d = Digits(s, pos, 2);
  if (!d || !Expect(s, pos, 'T', 't')) return std::nullopt;
  auto h = Digits(s, pos, 2);
  if (!h || !Expect(s, pos, ':')) return std::nullopt;
  auto mi = Digits(s, pos, 2);
  if (!mi || !Expect(s, pos, ':')) return std::nullopt;
  auto sec = Digits(s, pos, 2);
  if (!sec) return std::nullopt;
  std::int64_t millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int scale = 100;
    const std::size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      millis += (s[pos] - '0') * scale;  // digits beyond milliseconds are dropped
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  std::int64_t offset_min = 0;
  if (Expect(s, pos, 'Z', 'z')) {
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    const int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    auto oh = Digits(s, pos, 2);
    if (!oh || !Expect(s, pos, ':')) return std::nullopt;
    auto om = Digits(s, pos, 2);
    if (!om || *oh > 23 || *om > 59) return std::nullopt;
    offset_min = sign * (*oh * 60 + *om);
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  const year_month_day date{year{*y}, month{static_cast<unsigned>(*mo)},
                            day{static_cast<unsigned>(*d)}};
  // RFC 3339 allows second 60 (a leap second); epoch time has no such second, so it is refused.
  if (!date.ok() || *h > 23 || *mi > 59 || *sec > 59) return std::nullopt;
  const auto tp = sys_days{date} + hours{*h} + minutes{*mi} + seconds{*sec} - minutes{offset_min};
  return duration_cast<milliseconds>(tp.time_since_epoch()).count() + millis;
}

std::optional<std::int64_t> ParseAgeMs(std::string_view s) {
  if (s.size() < 2) return std::nullopt;
  std::int64_t unit_ms = 0;
  switch (s.back()) {
    case 's':
      unit_ms = 1000;
      break;
    case 'm':
      unit_ms = 60'000;
      break;
    case 'h':
      unit_ms = 3'600'000;
      break;
    case 'd':
      unit_ms = 86'400'000;
      break;
    case 'w':
      unit_ms = 7 * 86'400'000LL;
      break;
    default:
      return std::nullopt;
  }
  const std::string_view number = s.substr(0, s.size() - 1);
  std::int64_t n = 0;
  auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), n);
  // Bounded to about 100 years, so that the product cannot overflow.
  if (ec != std::errc() || ptr != number.data() + number.size() || n < 0 ||
      n > 100LL * 365 * 86'400'000 / unit_ms) {
    return std::nullopt;
  }
  return n * unit_ms;
}

}  // namespace

std::optional<std::int64_t> ParseDurationMs(std::string_view text) { return ParseAgeMs(text); }

std::int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

hookbroker::Result<std::int64_t> ParseTime(std::string_view text, std::int64_t now_ms) {
  if (auto ms = ParseEpochMs(text)) return *ms;
  if (auto ms = ParseRfc3339(text)) return *ms;
  if (auto age = ParseAgeMs(text)) return now_ms - *age;
  return Error{"invalid_time", "'" + std::string(text) + "' is not a time: " + kTimeForms, ""};
}

hookbroker::Result<std::int64_t> ParseAbsoluteTime(std::string_view text) {
  if (auto ms = ParseEpochMs(text)) return *ms;
  if (auto ms = ParseRfc3339(text)) return *ms;
  return Error{"invalid_time",
               "'" + std::string(text) +
                   "' is not a point in time: expected epoch milliseconds or RFC 3339 like "
                   "2027-01-01T00:00:00Z",
               ""};
}

std::string FormatUtc(std::int64_t epoch_ms, bool with_millis) {
  using namespace std::chrono;
  const sys_time<milliseconds> tp{milliseconds{epoch_ms}};
  const sys_days day_point = floor<days>(tp);
  const year_month_day date{day_point};
  const hh_mm_ss<milliseconds> time{tp - day_point};
  char buf[40];
  if (with_millis) {
    std::snprintf(
        buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(date.year()),
        static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
        static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
        static_cast<int>(time.seconds().count()), static_cast<int>(time.subseconds().count()));
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                  static_cast<int>(time.seconds().count()));
  }
  return buf;
}

}  // namespace hookctl
