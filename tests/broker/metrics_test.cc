#include "broker/metrics.h"

#include <gtest/gtest.h>

namespace hookbroker {
namespace {

TEST(MetricsTest, RendersCountersGaugesAndACumulativeHistogram) {
  Metrics m;
  m.CountEvents(5, 2, 1);
  m.CountRejectedFrame();
  m.CountAttempt(AttemptOutcome::kDelivered, 3, true);
  m.CountAttempt(AttemptOutcome::kHttpError, 40, true);
  m.CountAttempt(AttemptOutcome::kConnectError, 0, false);
  m.CountFinal(DeliveryStatus::kDelivered);
  StoreInfo store;
  store.pending = 4;
  store.map_bytes = 1000;
  store.used_bytes = 250;
  store.oldest_pending_created_ms = 7000;
  store.group_commits = 9;
  store.group_writes = 12;
  DispatcherGauges d;
  d.retry_waiting = 2;
  d.endpoints.push_back({"https://a.example:443", 3, 1});
  const std::string text = m.Render(store, d, 10000);

  EXPECT_NE(text.find("hookbroker_events_total{result=\"accepted\"} 5\n"), std::string::npos);
  EXPECT_NE(text.find("hookbroker_events_total{result=\"duplicate\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("hookbroker_ingest_frames_rejected_total 1\n"), std::string::npos);
  EXPECT_NE(text.find("hookbroker_attempts_total{outcome=\"connect_error\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("hookbroker_deliveries_total{status=\"delivered\"} 1\n"), std::string::npos);
  // 3 ms is in the 5 ms bucket; 40 ms first counts at 50 ms; unanswered attempts not at all.
  EXPECT_NE(text.find("hookbroker_attempt_duration_seconds_bucket{le=\"0.005\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("hookbroker_attempt_duration_seconds_bucket{le=\"0.05\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("hookbroker_attempt_duration_seconds_bucket{le=\"+Inf\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("hookbroker_attempt_duration_seconds_count 2\n"), std::string::npos);
  EXPECT_NE(text.find("hookbroker_deliveries_pending 4\n"), std::string::npos);
  EXPECT_NE(text.find("hookbroker_deliveries_retry_waiting 2\n"), std::string::npos);
  EXPECT_NE(text.find("hookbroker_oldest_pending_age_seconds 3\n"), std::string::npos);
  EXPECT_NE(text.find("hookbroker_endpoint_queued{endpoint=\"https://a.example:443\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("hookbroker_lmdb_map_used_ratio 0.25\n"), std::string::npos);
  EXPECT_NE(text.find("hookbroker_store_commits_total 9\n"), std::string::npos);
  EXPECT_NE(text.find("hookbroker_store_commit_writes_total 12\n"), std::string::npos);
  // Every sample line belongs to a declared metric family.
  EXPECT_NE(text.find("# TYPE hookbroker_attempt_duration_seconds histogram"), std::string::npos);
}

}  // namespace
}  // namespace hookbroker
