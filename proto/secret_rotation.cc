#include "proto/secret_rotation.h"

#include <array>

#include "proto/signature.h"

namespace hookbroker {

Result<RotationRequest> ParseRotationRequest(const boost::json::value& body) {
  const boost::json::object* obj = body.if_object();
  if (obj == nullptr) return Error{"invalid_json", "request body must be a JSON object", ""};
  RotationRequest out;
  for (const auto& [name, value] : *obj) {
    if (name == "overlapSeconds") {
      const std::int64_t max_s = kMaxRotationOverlapMs / 1000;
      std::int64_t seconds = -1;
      if (value.is_int64()) seconds = value.get_int64();
      if (value.is_uint64() && value.get_uint64() <= static_cast<std::uint64_t>(max_s)) {
        seconds = static_cast<std::int64_t>(value.get_uint64());
      }
      if (seconds < 0 || seconds > max_s) {
        return Error::Invalid("overlapSeconds",
                              "overlapSeconds: expected whole seconds from 0 to " +
                                  std::to_string(max_s) + " (30 days)");
      }
      out.overlap_ms = seconds * 1000;
    } else if (name == "secret") {
      if (!value.is_string()) {
        return Error{"invalid_secret", "secret: must be a string starting with \"whsec_\"",
                     "secret"};
      }
      if (auto key = DecodeWebhookSecret(value.get_string()); !key) return key.error();
      out.new_secret = std::string(value.get_string());
    } else {
      return Error::Invalid(std::string(name), std::string(name) + ": unknown field");
    }
  }
  return out;
}

void RotateSecret(Subscription& sub, std::string new_secret, std::int64_t overlap_ms,
                  std::int64_t now_ms) {
  if (overlap_ms > 0) {
    sub.previous_secret = std::move(sub.secret);
    sub.previous_secret_until_ms = now_ms + overlap_ms;
  } else {
    sub.previous_secret.clear();
    sub.previous_secret_until_ms = 0;
  }
  sub.secret = std::move(new_secret);
}

bool InRotationOverlap(const Subscription& sub, std::int64_t now_ms) {
  return !sub.previous_secret.empty() && now_ms < sub.previous_secret_until_ms;
}

std::string CallbackSignatureHeader(const Subscription& sub, std::string_view current_key,
                                    std::string_view msg_id, std::int64_t timestamp_s,
                                    std::string_view body, std::int64_t now_ms) {
  if (InRotationOverlap(sub, now_ms)) {
    // Checked when it was the signing secret; should it not decode, the new one still signs.
    if (auto previous = DecodeWebhookSecret(sub.previous_secret)) {
      const std::array<std::string, 2> keys = {std::string(current_key), *std::move(previous)};
      return SignWebhook(keys, msg_id, timestamp_s, body);
    }
  }
  return SignWebhook(current_key, msg_id, timestamp_s, body);
}

}  // namespace hookbroker
