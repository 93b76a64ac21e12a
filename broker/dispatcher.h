// Dispatcher: makes delivery attempts and records them.
//
// Threads (threaded mode, after Start()):
//  - `workers` worker threads take due deliveries from the DeliveryQueue, read what they need
//    from the store (short read transactions), sign and send the callback through HttpSender;
//  - one recorder thread writes finished attempts to the store in batches (one transaction, one
//    fsync, shared with the ingest's next commit while events flow: commit_group.h) and puts
//    retries back on the queue. It gathers a batch for up to `record_linger`
//    after the first attempt finishes (or until half of max_unrecorded are waiting): every
//    commit rewrites the B-tree pages of six tables and fsyncs, much the same whatever it
//    holds, so one commit per few attempts cost a third of the broker's CPU while delivering
//    (docs/PERFORMANCE.md).
// A worker that takes a job wakes one more worker only while runnable work is left; one idle
// worker at a time sleeps until the earliest timer (a retry due, a circuit's probe) and the
// others until woken; the recorder wakes workers held by max_unrecorded.
// A worker takes no new attempt while max_unrecorded attempts are sent and not yet recorded, so
// a crash repeats at most that many callbacks (receivers deduplicate on webhook-id).
// No thread holds a write transaction during network I/O.
//
// RunDue() is the synchronous mode for tests: with a fake clock and a scripted HttpSender, it
// makes every attempt due at the clock's time on the calling thread and records it.
//
// Lifecycle: construct, LoadPending(), Start(), Enqueue()... , Stop(). Stop() stops taking new
// attempts, waits for those in flight (bounded by the callback timeout) and records them.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "broker/clock.h"
#include "broker/delivery.h"
#include "broker/delivery_queue.h"
#include "broker/http_sender.h"
#include "broker/metrics.h"
#include "broker/store.h"
#include "proto/retry_schedule.h"

namespace hookbroker {

// max_unrecorded when it is not set: this many attempts per worker.
inline constexpr int kUnrecordedPerWorker = 32;

struct DispatcherOptions {
  RetrySchedule schedule = RetrySchedule::Default();
  int workers = 32;
  int endpoint_concurrency = 4;  // attempts in flight per callback origin
  std::chrono::milliseconds request_timeout{15000};
  CircuitBreakerOptions breaker;  // per endpoint
  // A subscription whose callbacks fail without a single success for this long is disabled;
  // 0: never.
  std::int64_t disable_after_ms = 5LL * 24 * 3600 * 1000;
  // At most this many attempts are sent and not yet recorded at any moment (in flight, or done
  // and waiting for the recorder's commit): what a crash can make the broker repeat. 0:
  // kUnrecordedPerWorker × `workers` (1,024 by default), so that at a few endpoints' full rate
  // a commit gathers hundreds of records: each commit's fsync costs CPU and leaves the cores
  // partly idle, whatever it holds (docs/PERFORMANCE.md, section 2, has the counted commit
  // sizes). The broker's --max-unrecorded.
  int max_unrecorded = 0;
  // How long the recorder waits, after an attempt finishes, for more to commit with it. Only
  // the audit record waits: the endpoint's slot is free as soon as the response is in. The
  // broker's --record-linger-ms.
  std::chrono::milliseconds record_linger{25};
  // Uniform draws in [0, 1) for retry jitter; a thread-safe default when empty.
  std::function<double()> random;
  Metrics* metrics = nullptr;  // optional
};

class Dispatcher {
 public:
  Dispatcher(Store& store, HttpSender& sender, const Clock& clock, DispatcherOptions options);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Queues every pending delivery in the store (after a restart).
  Status LoadPending();
  void Start();
  void Stop();

  // Queues deliveries just committed by the ingest (or requeued by redeliver and replay).
  // Thread-safe.
  void Enqueue(std::span<const NewDelivery> deliveries);

  // A paused subscription's deliveries are held when they come due, without an attempt; Resume()
  // queues them again, due now. Thread-safe.
  void Resume(const SubscriptionId& id);

  DispatcherGauges Gauges() const;

  // Synchronous mode: attempts everything due now, one at a time, recording each. Returns the
  // number of attempts made. Not to be mixed with Start().
  int RunDue();

  std::size_t queued() const;

 private:
  struct Finished {
    AttemptUpdate update;
    std::string origin;
    bool record = true;        // false: nothing to write (delivery gone, already final, or parked)
    bool retry = false;        // a retry wait follows
    bool load_failed = false;  // the store could not be read: try again shortly
    std::optional<bool> healthy;  // what the attempt said of the endpoint (EndpointHealthy)
    std::optional<SubscriptionId> parked;  // held: its subscription is paused
  };

  Finished Attempt(const DeliveryId& id, const std::string& origin);
  std::size_t MaxUnrecorded() const;
  // The recorder commits at once when this many attempts wait (half of MaxUnrecorded()), so
  // that workers are not held by max_unrecorded while it lingers.
  std::size_t RecordNow() const;
  void Record(std::vector<Finished>& batch);
  void WorkerLoop();
  void RecorderLoop();
  void WakeWorkers(std::size_t jobs);
  // Wakes a worker when the earliest timer (retry due, circuit probe) is not being watched.
  // Requires mu_.
  void WatchTimers();
  // Releases deliveries held for subscriptions that are no longer paused (or are gone). Resume()
  // does this at once; the sweep catches a delivery parked just after its Resume() ran.
  void SweepParked();
  static constexpr std::chrono::seconds kParkedSweepInterval{2};
  double Random();

  Store& store_;
  HttpSender& sender_;
  const Clock& clock_;
  const DispatcherOptions options_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;     // new or due work, or stopping
  std::condition_variable results_cv_;  // finished attempts, or stopping
  std::condition_variable cap_cv_;      // places under max_unrecorded freed, or stopping
  DeliveryQueue queue_;                 // guarded by mu_
  std::vector<Finished> finished_;      // guarded by mu_
  // Deliveries held for paused subscriptions, with their origins. Guarded by mu_.
  std::unordered_map<SubscriptionId, std::vector<std::pair<DeliveryId, std::string>>> parked_;
  std::size_t parked_count_ = 0;  // guarded by mu_
  int active_workers_ = 0;        // guarded by mu_
  // Attempts taken from the queue whose result is not recorded yet. Guarded by mu_.
  std::size_t unrecorded_ = 0;
  int cap_waiters_ = 0;  // workers waiting on cap_cv_; guarded by mu_
  // The one worker sleeping until the earliest timer (the others sleep until woken): whether
  // there is one, until when, and a ticket so that a watcher taken over does not resign for
  // its successor. Guarded by mu_.
  bool timer_watched_ = false;
  std::int64_t watched_until_ms_ = 0;
  std::uint64_t timer_watch_ = 0;
  // When the first attempt of the batch in finished_ finished. Guarded by mu_.
  std::chrono::steady_clock::time_point batch_started_;
  bool stopping_ = false;  // guarded by mu_

  std::vector<std::thread> workers_;
  std::thread recorder_;
};

}  // namespace hookbroker
