#include "proto/retry_schedule.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <string>

namespace hookbroker {
namespace {

constexpr std::size_t kMaxEntries = 100;
constexpr double kMaxDelaySeconds = 30.0 * 24 * 3600;
constexpr std::int64_t kMaxRetryAfterMs = 24LL * 3600 * 1000;

Error ScheduleError(std::string message) {
  return Error::Invalid("retry-schedule", "retry-schedule: " + std::move(message));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool AllDigits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), IsDigit);
}

// Digits, optionally followed by '.' and more digits: from_chars alone would also accept
// exponents, "inf" and "nan".
bool IsPlainDecimal(std::string_view text) {
  const std::size_t dot = text.find('.');
  if (dot == std::string_view::npos) return AllDigits(text);
  return AllDigits(text.substr(0, dot)) && AllDigits(text.substr(dot + 1));
}

std::optional<int> ParseFixedDigits(std::string_view text) {
  if (!AllDigits(text)) return std::nullopt;
  int value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// IMF-fixdate only ("Sun, 06 Nov 1994 08:49:37 GMT"): RFC 9110 makes it the one form senders
// must use; the obsolete RFC 850 and asctime forms are not worth the parsing surface.
std::optional<std::int64_t> ParseImfFixdateMs(std::string_view s) {
  static constexpr std::array<std::string_view, 7> kDays = {"Mon", "Tue", "Wed", "Thu",
                                                            "Fri", "Sat", "Sun"};
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() != 29 || s.substr(3, 2) != ", " || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
      s[19] != ':' || s[22] != ':' || s.substr(25) != " GMT") {
    return std::nullopt;
  }
  if (std::find(kDays.begin(), kDays.end(), s.substr(0, 3)) == kDays.end()) return std::nullopt;
  const auto month_it = std::find(kMonths.begin(), kMonths.end(), s.substr(8, 3));
  if (month_it == kMonths.end()) return std::nullopt;
  const auto month = static_cast<unsigned>(month_it - kMonths.begin()) + 1;
  const auto day = ParseFixedDigits(s.substr(5, 2));
  const auto year = ParseFixedDigits(s.substr(12, 4));
  const auto hour = ParseFixedDigits(s.substr(17, 2));
  const auto minute = ParseFixedDigits(s.substr(20, 2));
  const auto second = ParseFixedDigits(s.substr(23, 2));
  if (!day || !year || !hour || !minute || !second) return std::nullopt;
  static constexpr std::array<int, 12> kMonthDays = {31, 28, 31, 30, 31, 30,
                                                     31, 31, 30, 31, 30, 31};
  const int days_in_month = kMonthDays[month - 1] + (month == 2 && IsLeap(*year) ? 1 : 0);
  if (*day < 1 || *day > days_in_month || *hour > 23 || *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  const std::int64_t days = DaysFromCivil(*year, month, static_cast<unsigned>(*day));
  const std::int64_t seconds = days * 86400 + *hour * 3600 + *minute * 60 + *second;
  return seconds * 1000;
}

}  // namespace

RetrySchedule RetrySchedule::Default() {
  using std::chrono::seconds;
  return RetrySchedule({seconds(5), seconds(300), seconds(1800), seconds(7200), seconds(18000),
                        seconds(36000), seconds(36000)});
}

Result<RetrySchedule> RetrySchedule::Parse(std::string_view text) {
  std::vector<Millis> delays;
  if (text.empty()) return RetrySchedule(std::move(delays));
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    const std::string_view entry = text.substr(start, comma - start);
    if (entry.empty()) return ScheduleError("empty entry; expected e.g. \"5,300,1800\"");
    if (!IsPlainDecimal(entry)) {
      return ScheduleError("\"" + std::string(entry) +
                           "\" is not a non-negative number of seconds");
    }
    double value = 0;
    std::from_chars(entry.data(), entry.data() + entry.size(), value);
    if (value > kMaxDelaySeconds) {
      return ScheduleError("\"" + std::string(entry) + "\" is longer than 30 days");
    }
    delays.emplace_back(std::llround(value * 1000));
    if (delays.size() > kMaxEntries) return ScheduleError("more than 100 entries");
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return RetrySchedule(std::move(delays));
}

std::optional<RetrySchedule::Millis> RetrySchedule::DelayAfter(int attempt, double unit) const {
  if (attempt < 1 || attempt >= max_attempts()) return std::nullopt;
  const double u = std::clamp(unit, 0.0, 1.0);
  const double base = static_cast<double>(delays_[attempt - 1].count());
  const double scaled = base * (1.0 + jitter_ * (2.0 * u - 1.0));
  return Millis(std::max<std::int64_t>(0, std::llround(scaled)));
}

std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         std::int64_t now_ms) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (AllDigits(value)) {
    // Any number of digits is valid; more than a day is capped anyway, so skip overflow.
    const std::size_t first = value.find_first_not_of('0');
    if (first == std::string_view::npos) return std::chrono::milliseconds(0);
    const std::string_view significant = value.substr(first);
    if (significant.size() > 9) return std::chrono::milliseconds(kMaxRetryAfterMs);
    std::int64_t seconds = 0;
    std::from_chars(significant.data(), significant.data() + significant.size(), seconds);
    return std::chrono::milliseconds(std::min(seconds * 1000, kMaxRetryAfterMs));
  }
  const std::optional<std::int64_t> date_ms = ParseImfFixdateMs(value);
  if (!date_ms) return std::nullopt;
  // Capped like delta-seconds, so a far-future date cannot park a delivery indefinitely.
  return std::chrono::milliseconds(
      std::clamp<std::int64_t>(*date_ms - now_ms, 0, kMaxRetryAfterMs));
}

}  // namespace hookbroker
