#include "subscribers/store_pruner.h"

#include <utility>

namespace hookbroker::subscribers {
StorePruner::StorePruner(ReceivedStore* store, PrunerOptions options)
    : store_(store), options_(std::move(options)) {}

StorePruner::~StorePruner() { Stop(); }

void StorePruner::Start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Run(); });
}

void StorePruner::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

std::size_t StorePruner::PruneNow() {
  const std::int64_t cutoff =
      options_.now_ms() -
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.retention).count();
  std::size_t total = 0;
  while (true) {
    Result<std::size_t> pruned = store_->Prune(cutoff, options_.batch);
    if (!pruned) {
      if (options_.log) options_.log("cannot prune old callbacks: " + pruned.error().message);
      return total;
    }
    total += *pruned;
    if (*pruned < options_.batch) return total;
  }
}

void StorePruner::Run() {
  while (true) {
    PruneNow();
    std::unique_lock<std::mutex> lock(mu_);
    if (cv_.wait_for(lock, options_.interval, [this] { return stopping_; })) return;
  }
}

}  // namespace hookbroker::subscribers
