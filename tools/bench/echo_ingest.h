// EchoIngest: the transport ceiling of scenario 1. A ZeroMQ ROUTER on loopback that answers every
// request at once with `batch` "accepted" statuses, without reading, parsing or storing it. The
// same producers against it measure what the producers, ZeroMQ and the loopback cost on this
// machine's two cores: no broker can acknowledge faster than this with the same producers.
//
// Lifecycle: Start() (binds an ephemeral port, serves on its own thread; the socket belongs to
// that thread), Stop() (or the destructor). Not thread-safe.
#pragma once

#include <atomic>
#include <string>
#include <thread>

namespace hookbench {

class EchoIngest {
 public:
  explicit EchoIngest(int batch);
  ~EchoIngest();
  EchoIngest(const EchoIngest&) = delete;
  EchoIngest& operator=(const EchoIngest&) = delete;

  // "tcp://127.0.0.1:PORT" once it is bound; "" on failure (with *error).
  std::string Start(std::string* error);
  void Stop();

 private:
  void Serve(void* socket);
  const std::string reply_;
  void* context_ = nullptr;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace hookbench
