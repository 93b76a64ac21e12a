#include "broker/api_json.h"

#include <boost/json.hpp>

namespace hookbroker::api {
namespace {

namespace json = boost::json;

void AddAttemptFields(json::object& o, const AttemptRecord& a, bool detailed) {
  o["attempt"] = a.number;
  o["startedAt"] = a.started_ms;
  o["durationMs"] = a.duration_ms;
  o["outcome"] = ToString(a.outcome);
  if (a.http_status != 0) o["httpStatus"] = a.http_status;
  if (!a.error.empty()) o["error"] = a.error;
  o["response"] = a.response_excerpt;
  if (detailed) {
    o["url"] = a.url;
    json::object headers;
    for (const auto& [name, value] : a.request_headers) headers[name] = value;
    o["requestHeaders"] = std::move(headers);
  }
}

// The value below which `fraction` of the counted attempts fall: a bucket's upper bound.
json::value Percentile(const std::array<std::int64_t, kLatencyBucketCount>& buckets,
                       double fraction) {
  std::int64_t total = 0;
  for (std::int64_t n : buckets) total += n;
  if (total == 0) return nullptr;
  const double rank = fraction * static_cast<double>(total);
  std::int64_t seen = 0;
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    seen += buckets[i];
    if (static_cast<double>(seen) >= rank) {
      if (i < kLatencyBucketBoundsMs.size()) return kLatencyBucketBoundsMs[i];
      return nullptr;  // beyond the largest bound: unknown
    }
  }
  return nullptr;
}

}  // namespace

json::object DeliveryToJson(const DeliveryWithAttempts& item, bool detailed) {
  const DeliveryRecord& d = item.delivery;
  json::object o;
  o["id"] = std::to_string(d.id.value());
  o["webhookId"] = d.subscription_id.value();
  o["eventId"] = d.event_id.value();
  o["eventType"] = d.event_type;
  o["status"] = ToString(d.status);
  o["attemptCount"] = d.attempts;
  o["createdAt"] = d.created_ms;
  o["updatedAt"] = d.updated_ms;
  if (d.status == DeliveryStatus::kPending) o["nextAttemptAt"] = d.next_attempt_ms;
  if (d.last_http_status != 0) o["lastHttpStatus"] = d.last_http_status;
  if (!d.last_error.empty()) o["lastError"] = d.last_error;
  json::array attempts;
  for (const AttemptRecord& a : item.attempts) {
    json::object ao;
    AddAttemptFields(ao, a, detailed);
    attempts.push_back(std::move(ao));
  }
  o["attempts"] = std::move(attempts);
  return o;
}

json::object AttemptLogEntryToJson(const AttemptLogEntry& entry, bool detailed) {
  json::object o;
  o["deliveryId"] = std::to_string(entry.delivery.id.value());
  o["webhookId"] = entry.delivery.subscription_id.value();
  o["eventId"] = entry.delivery.event_id.value();
  o["eventType"] = entry.delivery.event_type;
  AddAttemptFields(o, entry.attempt, detailed);
  o["recordedAt"] = entry.attempt.recorded_ms;
  return o;
}

json::object StatsToJson(const Subscription& sub, const SubscriptionStats& s) {
  json::object o;
  o["webhookId"] = sub.id.value();
  o["paused"] = sub.paused;
  o["pending"] = s.pending;
  o["delivered"] = s.delivered;
  o["failed"] = s.failed;
  const std::int64_t final_count = s.delivered + s.failed;
  if (final_count > 0) {
    o["successRate"] = static_cast<double>(s.delivered) / static_cast<double>(final_count);
  } else {
    o["successRate"] = nullptr;
  }
  o["attempts"] = s.attempts;
  o["lastSuccessAt"] =
      s.last_success_ms == 0 ? json::value(nullptr) : json::value(s.last_success_ms);
  o["lastFailureAt"] =
      s.last_failure_ms == 0 ? json::value(nullptr) : json::value(s.last_failure_ms);
  o["latencyMs"] =
      json::object{{"p50", Percentile(s.latency, 0.50)}, {"p99", Percentile(s.latency, 0.99)}};
  return o;
}

}  // namespace hookbroker::api
