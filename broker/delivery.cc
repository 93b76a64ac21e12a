#include "broker/delivery.h"

namespace hookbroker {

std::string_view ToString(DeliveryStatus status) {
  switch (status) {
    case DeliveryStatus::kPending:
      return "pending";
    case DeliveryStatus::kDelivered:
      return "delivered";
    case DeliveryStatus::kFailed:
      return "failed";
  }
  return "unknown";
}

std::optional<DeliveryStatus> ParseDeliveryStatus(std::string_view text) {
  if (text == "pending") return DeliveryStatus::kPending;
  if (text == "delivered") return DeliveryStatus::kDelivered;
  if (text == "failed") return DeliveryStatus::kFailed;
  return std::nullopt;
}

std::string_view ToString(AttemptOutcome outcome) {
  switch (outcome) {
    case AttemptOutcome::kDelivered:
      return "delivered";
    case AttemptOutcome::kHttpError:
      return "http_error";
    case AttemptOutcome::kConnectError:
      return "connect_error";
    case AttemptOutcome::kTimeout:
      return "timeout";
    case AttemptOutcome::kTlsError:
      return "tls_error";
    case AttemptOutcome::kForbidden:
      return "forbidden";
    case AttemptOutcome::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

std::size_t LatencyBucket(std::int64_t ms) {
  std::size_t i = 0;
  while (i < kLatencyBucketBoundsMs.size() && ms > kLatencyBucketBoundsMs[i]) ++i;
  return i;
}

}  // namespace hookbroker
