// ReferenceReceiver: a webhook receiver on loopback, HTTP or HTTPS, that records every callback
// and answers as scripted. The tests use it as "the business system"; it is also the simplest
// example of the receiving side.
//
// Thread-safety: every public method may be called from any thread. Lifecycle: construct,
// Start() (binds and serves on a background thread), Stop() (or the destructor).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "proto/result.h"

namespace hookbroker::subscribers {

struct ReceivedRequest {
  std::string method;  // "POST", "GET"
  std::string path;    // path only
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
  std::int64_t received_ms = 0;  // wall clock
  int remote_port = 0;           // the client's port: one per connection
};

struct ScriptedResponse {
  int status = 200;
  std::map<std::string, std::string> headers;
  std::string body;
  std::chrono::milliseconds delay{0};  // wait before answering
};

struct ReceiverOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: an ephemeral port
  bool tls = false;
  std::string cert_file;  // PEM, when tls
  std::string key_file;   // PEM, when tls
};

// How the receiver answers the Kaizala validation handshake (GET ?validationToken=X).
enum class HandshakeMode {
  kEcho,       // 200, body X (correct)
  kWrongBody,  // 200, body "nope"
  kError,      // 500
  kSlow,       // waits 7 s, then echoes (longer than the broker's 5 s limit)
};

class ReferenceReceiver {
 public:
  explicit ReferenceReceiver(ReceiverOptions options = {});
  ~ReferenceReceiver();
  ReferenceReceiver(const ReferenceReceiver&) = delete;
  ReferenceReceiver& operator=(const ReferenceReceiver&) = delete;

  // Binds and starts serving; returns once the listener accepts connections.
  Status Start();
  void Stop();

  int port() const;
  // "http://127.0.0.1:PORT" or "https://127.0.0.1:PORT".
  std::string BaseUrl() const;

  void SetHandshakeMode(HandshakeMode mode);
  // The next `count` POSTs get `response`; after them, POSTs get 200 "ok".
  void Script(int count, ScriptedResponse response);

  // POSTs received (handshake GETs excluded), in arrival order.
  std::vector<ReceivedRequest> Posts() const;
  // Handshake GETs received.
  std::vector<ReceivedRequest> Handshakes() const;
  // Waits until at least `count` POSTs have arrived; false on timeout.
  bool WaitForPosts(std::size_t count, std::chrono::milliseconds timeout) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hookbroker::subscribers
