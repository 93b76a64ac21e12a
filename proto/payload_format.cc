#include "proto/payload_format.h"

#include <array>
#include <utility>

namespace hookbroker {
namespace {

constexpr std::array<std::pair<PayloadFormat, std::string_view>, 5> kNames = {{
    {PayloadFormat::kKaizala, "kaizala"},
    {PayloadFormat::kKommunicate, "kommunicate"},
    {PayloadFormat::kSlack, "slack"},
    {PayloadFormat::kMattermost, "mattermost"},
    {PayloadFormat::kRaw, "raw"},
}};

}  // namespace

std::string_view ToString(PayloadFormat format) {
  for (const auto& [f, name] : kNames) {
    if (f == format) return name;
  }
  return "kaizala";
}

std::optional<PayloadFormat> ParsePayloadFormat(std::string_view name) {
  for (const auto& [f, n] : kNames) {
    if (n == name) return f;
  }
  return std::nullopt;
}

bool UsesValidationHandshake(PayloadFormat format) {
  return format == PayloadFormat::kKaizala || format == PayloadFormat::kRaw;
}

}  // namespace hookbroker
