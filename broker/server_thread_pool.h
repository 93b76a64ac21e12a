// ServerThreadPool: the threads of a cpp-httplib server, which also tell whether accepted
// connections are waiting for a thread that is not free (contention).
//
// Why: cpp-httplib serves each connection on one pool thread for as long as it is kept alive,
// idle or not, and queues further connections behind it. With the library's pool (8 threads on
// two cores) eight idle connections stalled every other client, /healthz included, for the whole
// keep-alive timeout. Under contention BoundedHttpServer ends kept-alive connections (as nginx does
// when it runs out of connections): an idle one is closed, a busy one after its current answer.
//
// Thread-safety: enqueue() from the listener thread; Contention::contended() from any thread.
// Lifecycle: as httplib::ThreadPool (the server creates it when it starts listening, shutdown()
// finishes the queued connections and joins the threads, then the server deletes it).
#pragma once

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace hookbroker {

// Shared by a pool and its server, which reads it while the pool serves the server's connections.
struct Contention {
  std::atomic<int> queued{0};  // connections accepted and not yet taken by a thread
  std::atomic<int> idle{0};    // threads waiting for a connection
  // More connections wait than there are free threads to take them.
  bool contended() const { return queued.load() > idle.load(); }
};

class ServerThreadPool final : public httplib::TaskQueue {
 public:
  ServerThreadPool(std::size_t threads, std::shared_ptr<Contention> contention);
  ~ServerThreadPool() override;
  ServerThreadPool(const ServerThreadPool&) = delete;
  ServerThreadPool& operator=(const ServerThreadPool&) = delete;

  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

 private:
  void Work();

  const std::shared_ptr<Contention> contention_;  // updated under mu_
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;  // guarded by mu_
  bool stopping_ = false;                   // guarded by mu_
  std::vector<std::thread> threads_;        // last: started after the state above exists
};

}  // namespace hookbroker
