#include "broker/history_collector.h"

#include "broker/heap_release.h"
#include "broker/log.h"

namespace hookbroker {

HistoryCollector::HistoryCollector(Store& store, const Clock& clock, HistoryOptions options)
    : store_(store), clock_(clock), options_(options) {}

HistoryCollector::~HistoryCollector() { Stop(); }

GcResult HistoryCollector::RunOnce() {
  GcResult total;
  const std::int64_t cutoff = clock_.NowMs() - options_.retention.count();
  GcPosition position;
  for (;;) {
    auto step = store_.CollectGarbage(cutoff, options_.batch, &position);
    if (!step) {
      LogError("history", "cannot remove expired history: " + step.error().message);
      return total;
    }
    total.deliveries += step->deliveries;
    total.events += step->events;
    if (!step->more) break;
    std::unique_lock<std::mutex> lock(mu_);
    // Let other writers in between steps; stop promptly when asked.
    if (cv_.wait_for(lock, std::chrono::milliseconds(2), [this] { return stopping_; })) {
      break;
    }
  }
  // The pages the last step freed become reusable only after one more commit (store.h).
  if (total.deliveries > 0 || total.events > 0) {
    if (Status s = store_.FinishExpiryPass(clock_.NowMs()); !s) {
      LogError("history", "cannot finish the expiry pass: " + s.error().message);
    }
  }
  return total;
}

void HistoryCollector::Start() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Run(); });
}

void HistoryCollector::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void HistoryCollector::Run() {
  for (;;) {
    GcResult removed = RunOnce();
    if (removed.deliveries > 0 || removed.events > 0) {
      LogInfo("history", "removed expired history: " + std::to_string(removed.deliveries) +
                             " deliveries, " + std::to_string(removed.events) + " events");
    }
    if (options_.release_free_heap) ReleaseFreeHeap();
    std::unique_lock<std::mutex> lock(mu_);
    if (cv_.wait_for(lock, options_.interval, [this] { return stopping_; })) return;
  }
}

}  // namespace hookbroker
