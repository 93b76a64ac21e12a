// ZeroMQ producers for one broker lifetime: N threads publishing batches of 1 to 5 events of
// random kinds (docs/INGEST.md, one REQ request per batch) until told to stop or until the
// cycle's quota is published, recording every reply in the Ledger.
//
// Thread-safety: Start/Stop from one controlling thread; InFlight() from any.
// Lifecycle: Start() once, Stop() (joins; also run by the destructor).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "tests/crash/ledger.h"

namespace hookbroker::crash {

class ProducerPool {
 public:
  ProducerPool(Ledger& ledger, int cycle, int quota)
      : ledger_(ledger), cycle_(cycle), quota_(quota) {}
  ~ProducerPool() { Stop(); }
  ProducerPool(const ProducerPool&) = delete;
  ProducerPool& operator=(const ProducerPool&) = delete;

  void Start(const std::string& endpoint, int threads, std::uint64_t seed);
  void Stop();
  // Requests sent and not yet answered (or timed out).
  int InFlight() const { return in_flight_.load(); }
  // Events claimed from the quota so far.
  int Published() const { return std::min(claimed_.load(), quota_); }

 private:
  void Run(const std::string& endpoint, int thread, std::uint64_t seed);
  void HandleReply(const std::string& reply, const std::vector<std::string>& ids,
                   const std::vector<EventKind>& kinds, std::int64_t sent_ms);

  Ledger& ledger_;
  const int cycle_;
  const int quota_;
  std::atomic<bool> stop_{false};
  std::atomic<int> claimed_{0};
  std::atomic<int> in_flight_{0};
  std::vector<std::thread> threads_;
};

}  // namespace hookbroker::crash
