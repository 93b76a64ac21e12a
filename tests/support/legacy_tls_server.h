// A TLS server on 127.0.0.1 limited to an old protocol version (TLS 1.1 by default), written
// directly on OpenSSL, for tests that a client refuses it. It lowers its own OpenSSL security
// level to 0, since OpenSSL 3 refuses TLS 1.1 at the default level; a client that allows the
// version (TryHandshake below) completes a handshake with it, so a refusal is the client's.
//
// Each connection gets one TLS handshake and, when it succeeds, a fixed `HTTP/1.1 200` answer.
// Thread-safety: the accessors may be called from any thread. Lifecycle: Start() binds to an
// ephemeral port and serves on its own thread until Stop() (or the destructor).
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>

namespace hookbroker::testing {

class LegacyTlsServer {
 public:
  // `max_version`: an OpenSSL protocol version such as TLS1_1_VERSION.
  LegacyTlsServer(std::string cert_file, std::string key_file, int max_version);
  ~LegacyTlsServer();
  LegacyTlsServer(const LegacyTlsServer&) = delete;
  LegacyTlsServer& operator=(const LegacyTlsServer&) = delete;

  // False (with error()) when OpenSSL cannot be set up for that version or the port not bound.
  bool Start();
  void Stop();

  int port() const { return port_; }
  std::string error() const;
  int connections() const { return connections_.load(); }
  int handshakes_completed() const { return handshakes_.load(); }

 private:
  void Serve();

  const std::string cert_file_;
  const std::string key_file_;
  const int max_version_;
  void* ctx_ = nullptr;  // SSL_CTX, kept out of this header
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> handshakes_{0};
  mutable std::mutex mu_;
  std::string error_;  // guarded by mu_
  std::thread thread_;
};

// A handshake with 127.0.0.1:port by a client that allows TLS 1.0 to 1.3 at security level 0 and
// verifies nothing: returns the negotiated version ("TLSv1.1") or "" when none was agreed.
std::string TryHandshake(int port);

}  // namespace hookbroker::testing
