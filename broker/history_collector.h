// HistoryCollector: removes events, deliveries and attempts older than the retention period, in
// the background, one small transaction at a time (docs/API.md, History).
//
// Each step removes at most `batch` deliveries and `batch` events in one write transaction (a few
// milliseconds), and the collector pauses between steps, so ingest and delivery commits are never
// held up for long. A pass that removed anything ends with Store::FinishExpiryPass, one more small
// commit, without which LMDB could not reuse the pages the pass's last step freed.
//
// With `release_free_heap`, each pass ends by giving free malloc pages back to the kernel
// (broker/heap_release.h), so memory freed after a burst does not stay resident.
//
// Lifecycle: Start() runs a pass at once and then every `interval`; Stop() ends it (a step in
// progress finishes). RunOnce() is the synchronous form for tests.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "broker/clock.h"
#include "broker/store.h"

namespace hookbroker {

struct HistoryOptions {
  std::chrono::milliseconds retention{30LL * 24 * 3600 * 1000};
  std::chrono::milliseconds interval{60 * 1000};
  std::size_t batch = 500;
  // After each pass, give the heap's free pages back to the kernel (ReleaseFreeHeap): the
  // collector is the daemon's one periodic thread. Off in tests of the collector.
  bool release_free_heap = false;
};

class HistoryCollector {
 public:
  HistoryCollector(Store& store, const Clock& clock, HistoryOptions options);
  ~HistoryCollector();
  HistoryCollector(const HistoryCollector&) = delete;
  HistoryCollector& operator=(const HistoryCollector&) = delete;

  void Start();
  void Stop();
  // One full pass now: returns what it removed.
  GcResult RunOnce();

 private:
  void Run();

  Store& store_;
  const Clock& clock_;
  const HistoryOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace hookbroker
