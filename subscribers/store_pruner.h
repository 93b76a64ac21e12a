// StorePruner: keeps a ReceivedStore from growing without end. Right after Start() (even if
// Stop() follows at once) and then every `interval`, it deletes callbacks that are forwarded and
// older than the retention, with their webhook-ids. The retention must outlast the broker's
// redeliveries (its retry schedule spans about a day and a half; an operator can redeliver while
// the broker keeps history, 30 days by default), or a late redelivery would be stored and forwarded
// again.
//
// Threads: one pruning thread between Start() and Stop(). Lifecycle: the store outlives it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "subscribers/received_store.h"

namespace hookbroker::subscribers {

struct PrunerOptions {
  std::chrono::hours retention{24 * 30};
  std::chrono::milliseconds interval = std::chrono::hours(1);
  // Callbacks per write transaction: short ones, so storing new callbacks never waits long.
  std::size_t batch = 1000;
  std::function<std::int64_t()> now_ms;         // the wall clock, Unix ms
  std::function<void(const std::string&)> log;  // problems, one line each
};

class StorePruner {
 public:
  StorePruner(ReceivedStore* store, PrunerOptions options);
  ~StorePruner();  // Stop()
  StorePruner(const StorePruner&) = delete;
  StorePruner& operator=(const StorePruner&) = delete;

  void Start();
  void Stop();

  // One pass now, on the calling thread: prunes in batches until nothing old is left. Returns
  // how many callbacks went.
  std::size_t PruneNow();

 private:
  void Run();

  ReceivedStore* const store_;
  const PrunerOptions options_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
};

}  // namespace hookbroker::subscribers
