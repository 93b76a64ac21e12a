// IngestServer: the producers' side (docs/INGEST.md). Two threads, a pipeline:
//
//  - the ingest thread owns the ZeroMQ ROUTER socket: it takes the requests queued there,
//    decodes and validates them (proto/ingest_codec), fills in the ids and receive times the
//    producers left out, and gathers them into the next batch; when a batch comes back
//    committed, it first hands the next batch to the committer, then gives the committed
//    batch's deliveries to the dispatcher and answers its requests, in the order they arrived;
//  - the committer thread stores a batch's valid events and the deliveries they imply in ONE
//    store transaction (group commit: one fsync for the whole batch).
//
// A request is answered only after its batch's commit has returned, i.e. after fsync. While one
// batch is being committed the next one is decoded, so decoding and fsync overlap, and batches
// grow with load. The committer waits for the ingest thread as little as it can: reading stops
// as soon as a batch is back (committed_ready_), and the next batch leaves before the answers
// are sent (docs/PERFORMANCE.md, section 1). The two threads share only the hand-over slots under
// mu_; the committer wakes the ingest thread through an inproc ZeroMQ pair (each end owned by one
// thread).
//
// Lifecycle: Bind() (resolves the actual endpoint, e.g. for "tcp://127.0.0.1:*"), Start(),
// Stop() (finishes the batch in progress, answers it, closes the socket).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "broker/clock.h"
#include "broker/committed_event_observer.h"
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
  // How many requests one commit may gather, and how many events: with 1000-event requests this
  // bounds a commit to a few MiB and keeps the time to the first ack short under load.
  static constexpr std::size_t kMaxRequestsPerCommit = 256;
  static constexpr std::size_t kMaxEventsPerCommit = 8192;

  IngestServer(Store& store, Dispatcher& dispatcher, const Clock& clock, Metrics& metrics);
  ~IngestServer();
  IngestServer(const IngestServer&) = delete;
  IngestServer& operator=(const IngestServer&) = delete;

  // Told about every newly committed event (optional; borrowed; call before Start()).
  void SetObserver(CommittedEventObserver* observer) { observer_ = observer; }

  Status Bind(const std::string& endpoint);
  // The bound endpoint with the actual port ("tcp://127.0.0.1:5555").
  const std::string& endpoint() const { return endpoint_; }
  // The broker's own producers (the chat PostSink) connect a DEALER to kLocalEndpoint on
  // context(): the same ROUTER, so the same batches, commit and acks as a ZeroMQ producer's.
  // Valid after a successful Bind(), until Stop(); their sockets must be closed before Stop().
  static constexpr const char* kLocalEndpoint = "inproc://ingest-local";
  zmq::context_t& context() { return *context_; }
  void Start();
  void Stop();

 private:
  struct Batch;
  void Run();
  void CommitLoop();
  // Ingest thread: answers a committed batch and gives its deliveries to the dispatcher.
  void Finish(Batch& batch, zmq::socket_t& socket);

  Store& store_;
  Dispatcher& dispatcher_;
  const Clock& clock_;
  Metrics& metrics_;
  CommittedEventObserver* observer_ = nullptr;  // constant after Start()
  std::unique_ptr<zmq::context_t> context_;
  std::unique_ptr<zmq::socket_t> socket_;  // owned by the ingest thread once started
  std::string endpoint_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::thread committer_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::unique_ptr<Batch> to_commit_;  // guarded by mu_: handed to the committer
  std::unique_ptr<Batch> committed_;  // guarded by mu_: handed back to the ingest thread
  // Written under mu_ with committed_; read without it only as the hint to stop reading.
  std::atomic<bool> committed_ready_{false};
  bool committer_stop_ = false;  // guarded by mu_
};

}  // namespace hookbroker
