// The callback receiver: a keep-alive cpp-httplib Server (or SSLServer) on 127.0.0.1, in this
// process. It answers the validation handshake (GET ?validationToken=X → 200 X), counts POSTs,
// remembers when the first and last arrived and, when the body carries "sentNs":N (a
// steady-clock time put there by the producer), the publish-to-callback latency.
// A hanging receiver holds every POST until Release() (or 60 s): a dead endpoint for isolation.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace hookbench {

struct ReceiverOptions {
  bool tls = false;
  std::string host = "127.0.0.1";  // in the URL; the receiver listens on 127.0.0.1 whatever it is
  std::string cert_file;           // with tls
  std::string key_file;            // with tls
  int threads = 8;  // the server's thread pool: one per kept-alive connection, and spare
  bool hang = false;
  bool record_latency = false;
  // Outages: every `outage_period_s` seconds (from Start()), the first `outage_s` of them answer
  // every POST with 503. 0: never.
  int outage_period_s = 0;
  int outage_s = 0;
  // Remember which events arrived (the number after the last '-' of the envelope's eventId), to
  // count events received at least once and duplicates.
  bool track_events = false;
};

class Receiver {
 public:
  explicit Receiver(ReceiverOptions options);
  ~Receiver();
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  bool Start();  // binds 127.0.0.1 on a free port and serves on a thread
  void Stop();
  void Release();  // a hanging receiver answers (503) from now on

  std::string base_url() const;  // "http(s)://HOST:PORT"
  std::string url() const { return base_url() + "/hook"; }

  std::uint64_t count() const { return count_.load(); }
  // Polls until count() >= n; false on timeout.
  bool WaitForCount(std::uint64_t n, std::chrono::milliseconds timeout) const;
  // Steady-clock nanoseconds of the first and the latest POST (0 before any).
  std::int64_t first_ns() const { return first_ns_.load(); }
  std::int64_t last_ns() const { return last_ns_.load(); }
  void Reset();  // count, first/last and latencies back to nothing
  std::vector<std::int64_t> TakeLatenciesNs();
  std::string sample_body() const;  // the first POST body received
  // With track_events: distinct events received, and POSTs of an event already received.
  std::uint64_t distinct_events() const;
  std::uint64_t duplicates() const;
  std::uint64_t refused() const { return refused_.load(); }  // 503s of outages

 private:
  void OnPost(const std::string& body);
  bool InOutage() const;
  void TrackEvent(const std::string& body);
  ReceiverOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<bool> released_{false};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> refused_{0};
  std::chrono::steady_clock::time_point started_at_;
  std::atomic<std::int64_t> first_ns_{0};
  std::atomic<std::int64_t> last_ns_{0};
  mutable std::mutex mu_;
  std::vector<std::int64_t> latencies_;  // guarded by mu_
  std::string sample_body_;              // guarded by mu_
  std::vector<std::uint8_t> seen_;       // guarded by mu_: event number → times received
  std::uint64_t distinct_ = 0;           // guarded by mu_
  std::uint64_t duplicates_ = 0;         // guarded by mu_
};

// Steady-clock nanoseconds (CLOCK_MONOTONIC, shared by the bench's threads).
std::int64_t NowNs();

}  // namespace hookbench
