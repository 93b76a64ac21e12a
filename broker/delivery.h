// A delivery: one event to one subscription, and the record of each attempt to make it.
//
// A delivery's life, in one table (the dispatcher and the store follow it; docs/DELIVERY.md):
//
//   state        | event                                   | next state
//   -------------+-----------------------------------------+-----------------------------------
//   pending      | due time reached, endpoint has capacity | in flight (memory only)
//   in flight    | 2xx                                     | delivered (final)
//   in flight    | other status, connect/TLS error, timeout| retry-wait (stored as pending with
//                |   and attempts < max                    |   a later due time)
//   in flight    | same, and attempts == max               | failed (final)
//   in flight    | 410 Gone                                | failed (final); subscription disabled
//   in flight    | subscription deleted or disabled        | failed (final, no request sent)
//   pending      | its endpoint's circuit is open          | pending (no attempt until the probe)
//   retry-wait   | due time reached                        | in flight
//
// Only pending, delivered and failed are stored; "in flight" exists only in memory, so a crash
// mid-attempt leaves the delivery pending and it is attempted again after restart.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/ids.h"

namespace hookbroker {

enum class DeliveryStatus : std::uint8_t { kPending = 0, kDelivered = 1, kFailed = 2 };
std::string_view ToString(DeliveryStatus status);
std::optional<DeliveryStatus> ParseDeliveryStatus(std::string_view text);

struct DeliveryRecord {
  DeliveryId id;
  SubscriptionId subscription_id;
  EventId event_id;
  std::string event_type;
  DeliveryStatus status = DeliveryStatus::kPending;
  int attempts = 0;
  // Attempts made before the current round began (a redeliver or replay starts a new round):
  // the retry schedule counts from here.
  int round_start = 0;
  std::int64_t created_ms = 0;
  std::int64_t next_attempt_ms = 0;  // meaningful while pending
  std::int64_t updated_ms = 0;
  int last_http_status = 0;  // 0: no HTTP answer yet
  std::string last_error;
};

// How one attempt ended.
enum class AttemptOutcome : std::uint8_t {
  kDelivered,     // 2xx
  kHttpError,     // any other status
  kConnectError,  // refused, unreachable, reset, DNS failure
  kTimeout,
  kTlsError,   // handshake failed, certificate not trusted / expired / wrong host
  kForbidden,  // the SSRF guard refused the address
  kCancelled,  // no request: the subscription was deleted
};
std::string_view ToString(AttemptOutcome outcome);

struct AttemptRecord {
  int number = 0;  // 1-based
  std::int64_t started_ms = 0;
  std::int64_t duration_ms = 0;
  AttemptOutcome outcome = AttemptOutcome::kConnectError;
  int http_status = 0;
  std::string error;             // why it failed, for people
  std::string response_excerpt;  // first limits::kResponseExcerptBytes of the body
  std::int64_t recorded_ms = 0;  // when it was written to the store (the attempt log's order)
  std::string url;
  // The headers that were sent, secrets masked (MaskHeaderValue).
  std::vector<std::pair<std::string, std::string>> request_headers;
};

// Upper bounds (ms) of the attempt latency buckets, for stats percentiles and the metrics
// histogram; the last bucket is unbounded.
inline constexpr std::array<std::int64_t, 12> kLatencyBucketBoundsMs = {
    5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000};
inline constexpr std::size_t kLatencyBucketCount = kLatencyBucketBoundsMs.size() + 1;
std::size_t LatencyBucket(std::int64_t ms);

// What the dispatcher writes back after an attempt: the attempt, and the delivery's new state.
struct AttemptUpdate {
  DeliveryId delivery_id;
  AttemptRecord attempt;
  DeliveryStatus new_status = DeliveryStatus::kPending;
  std::int64_t next_attempt_ms = 0;  // when new_status is pending
  // Not empty: disable the delivery's subscription, for this reason (410 Gone).
  std::string disable_subscription;
};

// A delivery created by an ingest commit, handed to the dispatcher.
struct NewDelivery {
  DeliveryId id;
  SubscriptionId subscription_id;
  std::int64_t due_ms = 0;
  bool retry = false;  // attempted before: waiting for a retry (loaded after a restart)
};

}  // namespace hookbroker
