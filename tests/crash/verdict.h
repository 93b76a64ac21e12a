// The crash test's checks, computed from what the producers were told (the Ledger), what the
// receivers got, and the LMDB store opened while the broker is down.
//
// Plain functions over snapshots; no shared state.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "proto/result.h"
#include "tests/crash/ledger.h"
#include "tests/crash/workload.h"

namespace hookbroker::crash {

// The last 2xx answer a receiver gave to one delivery (one webhook-id).
struct LastSuccess {
  std::size_t subscription = 0;  // index into kSubscriptions
  std::string event_id;
  std::int64_t arrived_ms = 0;  // when the receiver got that POST
};
// webhook-id → its last 2xx answer, over all receivers. subscription_ids[i] is the id the
// broker gave kSubscriptions[i].
std::map<std::string, LastSuccess> LastSuccesses(
    const std::vector<const ScriptedReceiver*>& receivers,
    const std::vector<std::string>& subscription_ids);

struct DeliveryTally {
  std::size_t posts = 0;           // POSTs received by all receivers
  std::size_t failed_answers = 0;  // of those, answered 5xx (scripted)
  std::size_t expected = 0;        // deliveries implied by the acknowledged events
  std::size_t missing = 0;         // implied deliveries never answered 2xx by their receiver
  std::string first_missing;       // "subscription N, event ID"
  std::size_t duplicates = 0;      // POSTs of a webhook-id after one was answered 2xx
  std::vector<std::size_t> duplicates_per_kill;  // attributed to the kill they were in flight at
  // Repeats no kill explains: after the last kill, or of a delivery the store had already
  // recorded as delivered when the broker was killed.
  std::size_t unexplained_duplicates = 0;
  std::string first_unexplained;
  std::size_t malformed = 0;  // POSTs without webhook-id, or naming an unknown subscription
};

// kills_ms: the wall-clock times of the SIGKILLs, ascending; unrecorded_at_kill[k]: the
// webhook-ids answered 2xx whose delivery the store still held as pending after kill k. A POST
// after a 2xx is explained by, and attributed to, the first kill between the two (the earlier
// 2xx may have arrived up to `arrival_slack_ms` after the kill: a request the broker wrote just
// before it died, read by a busy receiver just after) that left that 2xx unrecorded.
DeliveryTally TallyDeliveries(const std::vector<const ScriptedReceiver*>& receivers,
                              const std::vector<std::string>& subscription_ids,
                              const std::vector<AckedEvent>& acked,
                              const std::vector<std::int64_t>& kills_ms,
                              const std::vector<std::set<std::string>>& unrecorded_at_kill,
                              std::int64_t arrival_slack_ms = 1000);

struct StoreCheck {
  std::size_t checked = 0;  // acknowledged events that had to be in the store
  std::size_t missing = 0;  // of those, not there
  std::string first_missing;
  std::set<std::string> unrecorded;  // webhook-ids of `successes` whose delivery is pending
  // Subscriptions whose pending counter (GET /v1/webhook/{id}/stats) is not their number of
  // pending deliveries: the counters are journalled in the commits that change them and written
  // back when the store opens after a kill (docs/STORAGE.md), so they must agree after every kill.
  std::size_t counter_mismatches = 0;
  std::string first_counter_mismatch;  // "subscription ID: counter N, pending deliveries M"
};

// Opens the LMDB store in `data_dir` (the broker must be down); looks up every acknowledged
// event for which must_be_present() holds, and the delivery of every one of `successes` (a 2xx
// the broker did not record leaves it pending), and every subscription's pending counter against
// its pending deliveries. An error when the environment does not open cleanly.
Result<StoreCheck> CheckStore(const std::string& data_dir, const std::vector<AckedEvent>& acked,
                              const std::function<bool(const AckedEvent&)>& must_be_present,
                              const std::vector<std::string>& subscription_ids,
                              const std::map<std::string, LastSuccess>& successes);

}  // namespace hookbroker::crash
