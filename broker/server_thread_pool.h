// ServerThreadPool: the threads of a cpp-httplib server, which also tell how many accepted
// connections are waiting for one.
//
// Why: cpp-httplib serves each connection on one pool thread for as long as it is kept alive,
// idle or not, and queues further connections behind it. With the library's pool (8 threads on
// two cores) eight idle connections stalled every other client, /healthz included, for the whole
// keep-alive timeout. With this count, BoundedHttpServer closes an idle kept-alive connection as
// soon as another connection waits for a thread (as nginx does when it runs out of connections).
//
// Thread-safety: enqueue() from the listener thread; waiting() from any thread. Lifecycle: as
// httplib::ThreadPool (the server creates it when it starts listening, shutdown() finishes the
// queued connections and joins the threads, then the server deletes it).
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

class ServerThreadPool final : public httplib::TaskQueue {
 public:
  // `waiting` is shared with the server, which reads it while this pool serves its connections.
  ServerThreadPool(std::size_t threads, std::shared_ptr<std::atomic<int>> waiting);
  ~ServerThreadPool() override;
  ServerThreadPool(const ServerThreadPool&) = delete;
  ServerThreadPool& operator=(const ServerThreadPool&) = delete;

  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

 private:
  void Work();

  const std::shared_ptr<std::atomic<int>> waiting_;  // jobs queued, not yet taken by a thread
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;  // guarded by mu_
  bool stopping_ = false;                   // guarded by mu_
  std::vector<std::thread> threads_;        // last: started after the state above exists
};

}  // namespace hookbroker
