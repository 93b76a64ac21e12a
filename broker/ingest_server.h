// IngestServer: the producers' side (docs/INGEST.md). An actor: one thread owns the ZeroMQ
// ROUTER socket and runs the ingest loop:
//
//   1. wait for requests; take every request already queued (up to a batch limit);
//   2. decode and validate them (proto/ingest_codec);
//   3. store all their valid events and the deliveries they imply in ONE store transaction
//      (group commit: one fsync for the whole batch);
//   4. hand the new deliveries to the dispatcher, then answer every request.
//
// A request is answered only after step 3 has returned, i.e. after fsync. While one batch is
// being committed, the next one queues up in ZeroMQ, so batches grow with load.
//
// Lifecycle: Bind() (resolves the actual endpoint, e.g. for "tcp://127.0.0.1:*"), Start(),
// Stop() (finishes the batch in progress, answers it, closes the socket).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "broker/clock.h"
#include "broker/dispatcher.h"
#include "broker/metrics.h"
#include "broker/store.h"
#include "proto/result.h"

namespace zmq {
class context_t;
class socket_t;
}  // namespace zmq

namespace hookbroker {

class IngestServer {
 public:
  IngestServer(Store& store, Dispatcher& dispatcher, const Clock& clock, Metrics& metrics);
  ~IngestServer();
  IngestServer(const IngestServer&) = delete;
  IngestServer& operator=(const IngestServer&) = delete;

  Status Bind(const std::string& endpoint);
  // The bound endpoint with the actual port ("tcp://127.0.0.1:5555").
  const std::string& endpoint() const { return endpoint_; }
  void Start();
  void Stop();

 private:
  void Run();

  Store& store_;
  Dispatcher& dispatcher_;
  const Clock& clock_;
  Metrics& metrics_;
  std::unique_ptr<zmq::context_t> context_;
  std::unique_ptr<zmq::socket_t> socket_;  // owned by the ingest thread once started
  std::string endpoint_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace hookbroker
