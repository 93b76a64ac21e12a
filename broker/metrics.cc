#include "broker/metrics.h"

#include <sstream>

namespace hookbroker {
namespace {

constexpr AttemptOutcome kAllOutcomes[] = {
    AttemptOutcome::kDelivered, AttemptOutcome::kHttpError, AttemptOutcome::kConnectError,
    AttemptOutcome::kTimeout,   AttemptOutcome::kTlsError,  AttemptOutcome::kForbidden,
    AttemptOutcome::kCancelled};

// Label values are quoted; backslash, quote and newline escaped (the text format's rules).
std::string Label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

void Header(std::ostringstream& out, const char* name, const char* type, const char* help) {
  out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
}

}  // namespace

void Metrics::CountEvents(std::size_t accepted, std::size_t duplicate, std::size_t rejected) {
  events_accepted_.fetch_add(accepted, std::memory_order_relaxed);
  events_duplicate_.fetch_add(duplicate, std::memory_order_relaxed);
  events_rejected_.fetch_add(rejected, std::memory_order_relaxed);
}

void Metrics::CountAttempt(AttemptOutcome outcome, std::int64_t duration_ms, bool answered) {
  attempts_[static_cast<std::size_t>(outcome)].fetch_add(1, std::memory_order_relaxed);
  if (!answered) return;
  latency_[LatencyBucket(duration_ms)].fetch_add(1, std::memory_order_relaxed);
  latency_sum_ms_.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(duration_ms, 0)),
                            std::memory_order_relaxed);
  latency_count_.fetch_add(1, std::memory_order_relaxed);
}

void Metrics::CountFinal(DeliveryStatus status) {
  if (status == DeliveryStatus::kDelivered) delivered_.fetch_add(1, std::memory_order_relaxed);
  if (status == DeliveryStatus::kFailed) failed_.fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::Render(const StoreInfo& store, const DispatcherGauges& dispatcher,
                            std::int64_t now_ms) const {
  std::ostringstream out;
  auto load = [](const std::atomic<std::uint64_t>& v) { return v.load(std::memory_order_relaxed); };

  Header(out, "hookbroker_events_total", "counter", "Events received over ZeroMQ, by result.");
  out << "hookbroker_events_total{result=\"accepted\"} " << load(events_accepted_) << '\n'
      << "hookbroker_events_total{result=\"duplicate\"} " << load(events_duplicate_) << '\n'
      << "hookbroker_events_total{result=\"rejected\"} " << load(events_rejected_) << '\n';
  Header(out, "hookbroker_ingest_frames_rejected_total", "counter",
         "Ingest frames refused whole (not JSON, too large, malformed).");
  out << "hookbroker_ingest_frames_rejected_total " << load(frames_rejected_) << '\n';

  Header(out, "hookbroker_attempts_total", "counter", "Callback attempts, by outcome.");
  for (AttemptOutcome o : kAllOutcomes) {
    out << "hookbroker_attempts_total{outcome=\"" << ToString(o) << "\"} "
        << load(attempts_[static_cast<std::size_t>(o)]) << '\n';
  }
  Header(out, "hookbroker_deliveries_total", "counter", "Deliveries that ended, by final status.");
  out << "hookbroker_deliveries_total{status=\"delivered\"} " << load(delivered_) << '\n'
      << "hookbroker_deliveries_total{status=\"failed\"} " << load(failed_) << '\n';
  Header(out, "hookbroker_subscriptions_disabled_total", "counter",
         "Subscriptions the broker disabled (410 Gone, or no successful callback for too long).");
  out << "hookbroker_subscriptions_disabled_total " << load(disabled_) << '\n';

  Header(out, "hookbroker_attempt_duration_seconds", "histogram",
         "Time from sending a callback to its HTTP answer.");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kLatencyBucketCount; ++i) {
    cumulative += load(latency_[i]);
    out << "hookbroker_attempt_duration_seconds_bucket{le=\"";
    if (i < kLatencyBucketBoundsMs.size()) {
      out << static_cast<double>(kLatencyBucketBoundsMs[i]) / 1000.0;
    } else {
      out << "+Inf";
    }
    out << "\"} " << cumulative << '\n';
  }
  out << "hookbroker_attempt_duration_seconds_sum "
      << static_cast<double>(load(latency_sum_ms_)) / 1000.0 << '\n'
      << "hookbroker_attempt_duration_seconds_count " << load(latency_count_) << '\n';

  Header(out, "hookbroker_deliveries_pending", "gauge", "Deliveries not yet delivered or failed.");
  out << "hookbroker_deliveries_pending " << store.pending << '\n';
  Header(out, "hookbroker_deliveries_retry_waiting", "gauge",
         "Pending deliveries waiting for their next retry time.");
  out << "hookbroker_deliveries_retry_waiting " << dispatcher.retry_waiting << '\n';
  Header(out, "hookbroker_deliveries_paused", "gauge",
         "Pending deliveries held because their webhook is paused.");
  out << "hookbroker_deliveries_paused " << dispatcher.parked << '\n';
  Header(out, "hookbroker_deliveries_in_flight", "gauge", "Callbacks being sent now.");
  out << "hookbroker_deliveries_in_flight " << dispatcher.in_flight << '\n';
  Header(out, "hookbroker_oldest_pending_age_seconds", "gauge",
         "Age of the oldest pending delivery (0 when none).");
  const double age = store.oldest_pending_created_ms == 0
                         ? 0.0
                         : static_cast<double>(std::max<std::int64_t>(
                               now_ms - store.oldest_pending_created_ms, 0)) /
                               1000.0;
  out << "hookbroker_oldest_pending_age_seconds " << age << '\n';

  Header(out, "hookbroker_endpoint_queued", "gauge",
         "Deliveries queued per callback endpoint (the 50 busiest).");
  for (const auto& e : dispatcher.endpoints) {
    out << "hookbroker_endpoint_queued{endpoint=\"" << Label(e.origin) << "\"} " << e.queued
        << '\n';
  }
  Header(out, "hookbroker_endpoint_in_flight", "gauge",
         "Callbacks in flight per endpoint (the 50 busiest).");
  for (const auto& e : dispatcher.endpoints) {
    out << "hookbroker_endpoint_in_flight{endpoint=\"" << Label(e.origin) << "\"} " << e.in_flight
        << '\n';
  }
  Header(out, "hookbroker_endpoint_circuit_open", "gauge",
         "1 while an endpoint's circuit breaker holds its deliveries (open or probing), else 0 "
         "(open circuits first, then the busiest; 50 endpoints at most).");
  for (const auto& e : dispatcher.endpoints) {
    out << "hookbroker_endpoint_circuit_open{endpoint=\"" << Label(e.origin) << "\",state=\""
        << ToString(e.circuit) << "\"} " << (e.circuit == CircuitBreaker::State::kClosed ? 0 : 1)
        << '\n';
  }

  Header(out, "hookbroker_store_commits_total", "counter",
         "Fsynced commits of events and attempt records.");
  out << "hookbroker_store_commits_total " << store.group_commits << '\n';
  Header(out, "hookbroker_store_commit_writes_total", "counter",
         "Writes those commits held: an ingest batch, or a batch of attempt records. More writes "
         "than commits: attempt records shared the ingest's commits.");
  out << "hookbroker_store_commit_writes_total " << store.group_writes << '\n';
  Header(out, "hookbroker_lmdb_file_bytes", "gauge", "Size of data.mdb.");
  out << "hookbroker_lmdb_file_bytes " << store.file_bytes << '\n';
  Header(out, "hookbroker_lmdb_used_bytes", "gauge", "LMDB pages in use.");
  out << "hookbroker_lmdb_used_bytes " << store.used_bytes << '\n';
  Header(out, "hookbroker_lmdb_map_bytes", "gauge", "LMDB map size: the most the data may use.");
  out << "hookbroker_lmdb_map_bytes " << store.map_bytes << '\n';
  Header(out, "hookbroker_lmdb_map_used_ratio", "gauge", "Used bytes / map size.");
  out << "hookbroker_lmdb_map_used_ratio "
      << (store.map_bytes == 0
              ? 0.0
              : static_cast<double>(store.used_bytes) / static_cast<double>(store.map_bytes))
      << '\n';
  return out.str();
}

}  // namespace hookbroker
