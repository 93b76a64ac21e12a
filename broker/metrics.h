// Metrics: the broker's counters, and their rendering in the Prometheus text format (GET /metrics).
//
// Counters are atomics bumped on the hot paths (ingest, attempts); gauges are read when rendered
// (from the store and the dispatcher). No secrets and no URL paths appear: endpoints are labelled
// by origin.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "broker/delivery.h"
#include "broker/delivery_queue.h"
#include "broker/store.h"

namespace hookbroker {

struct DispatcherGauges {
  std::size_t queued = 0;         // in memory, waiting or due
  std::size_t retry_waiting = 0;  // waiting for a retry time
  std::size_t parked = 0;         // of paused subscriptions
  int in_flight = 0;
  std::vector<DeliveryQueue::EndpointState> endpoints;  // the busiest
};

class Metrics {
 public:
  void CountEvents(std::size_t accepted, std::size_t duplicate, std::size_t rejected);
  void CountRejectedFrame() { frames_rejected_.fetch_add(1, std::memory_order_relaxed); }
  // One attempt; `answered`: an HTTP status came back (its duration goes into the histogram).
  void CountAttempt(AttemptOutcome outcome, std::int64_t duration_ms, bool answered);
  void CountFinal(DeliveryStatus status);
  // A subscription disabled by the broker (410 Gone, or failing for too long).
  void CountDisabled() { disabled_.fetch_add(1, std::memory_order_relaxed); }

  std::string Render(const StoreInfo& store, const DispatcherGauges& dispatcher,
                     std::int64_t now_ms) const;

 private:
  static constexpr std::size_t kOutcomes = 7;
  std::atomic<std::uint64_t> events_accepted_{0};
  std::atomic<std::uint64_t> events_duplicate_{0};
  std::atomic<std::uint64_t> events_rejected_{0};
  std::atomic<std::uint64_t> frames_rejected_{0};
  std::array<std::atomic<std::uint64_t>, kOutcomes> attempts_{};
  std::atomic<std::uint64_t> delivered_{0};
  std::atomic<std::uint64_t> failed_{0};
  std::atomic<std::uint64_t> disabled_{0};
  std::array<std::atomic<std::uint64_t>, kLatencyBucketCount> latency_{};
  std::atomic<std::uint64_t> latency_sum_ms_{0};
  std::atomic<std::uint64_t> latency_count_{0};
};

}  // namespace hookbroker
