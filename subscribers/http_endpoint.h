// HttpEndpoint: an HTTP or HTTPS server (cpp-httplib) that turns every request into a
// CallbackRequest, passes it to one handler function and sends back its CallbackResponse. hooksink
// and the example bot serve through it; httplib.h stays inside http_endpoint.cc.
//
// Serves through the broker's bounded connection loop (broker/bounded_http_server.h: bounded
// lines, headers and body; a request and an answer each have their timeout in all; idle
// connections give way under contention). Threads: its pool (`threads` workers) calls the handler
// concurrently; the handler must be thread-safe. Lifecycle: construct, Start() (returns once
// connections are accepted), Stop() (or the destructor) stops accepting and waits for the listener.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "proto/result.h"
#include "subscribers/callback_request.h"

namespace hookbroker::subscribers {

struct EndpointOptions {
  std::string host = "127.0.0.1";
  int port = 0;                                 // 0: an ephemeral port
  std::string cert_file;                        // PEM; with key_file, serves HTTPS
  std::string key_file;                         // PEM
  std::size_t max_body = std::size_t{1} << 20;  // larger bodies get 413
  int threads = 8;
};

class HttpEndpoint {
 public:
  using Handler = std::function<CallbackResponse(const CallbackRequest&)>;

  HttpEndpoint(EndpointOptions options, Handler handler);
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  // Errors: "tls_setup_failed", "bind_failed", "listen_failed".
  Status Start();
  void Stop();

  int port() const;         // the bound port, after Start()
  std::string Url() const;  // "http(s)://HOST:PORT"

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hookbroker::subscribers
