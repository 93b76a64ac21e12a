// BoundedHttpServer, BoundedHttpsServer: cpp-httplib servers (HTTP and HTTPS) whose request
// reading is bounded as it arrives: the request line and each header line, the number of header
// lines, the whole header section and the body.
//
// Why: Debian 12's cpp-httplib (0.11.4, a compiled library) checks a line's length only once the
// line has ended and has no limit on the number of header lines, so one client could make the
// listener buffer any amount of memory (docs/RELIABILITY.md, Hostile input). These classes
// replace the library's per-connection loop (its `process_and_close_socket`) with one that reads
// through a counting stream and hands each request to the library's own `process_request`, so
// parsing, routing and responses stay the library's.
//
// Past a bound the stream reports the end of the input: the library then answers as for a line
// that is too long (414 for the request line, 400 for a header) or a body that is too large (413),
// and the connection is closed after that answer. At most `max_line_bytes + 1` bytes of one line
// and `max_header_bytes` of one header section are ever handed to the library.
//
// Slow and idle clients. The library's timeouts restart with every byte, so a client sending a
// byte every few seconds held its thread for as long as it liked, and eight such clients (the
// library's pool on two cores) stopped the whole listener. Here:
// - the read timeout is the time one request (line, headers and body) and one TLS handshake may
//   spend waiting for the client in all, and the write timeout the time one answer may spend
//   waiting for it, not per call: past it the connection is shut down (a DeadlineWatch, so a call
//   blocked inside OpenSSL ends too) and nothing more is read or written on it;
// - under contention (more connections waiting than free threads: ServerThreadPool), a kept-alive
//   connection is ended: an answer then says `Connection: close`, an idle connection is closed
//   once idle 100 ms, and a new one that has sent nothing for 1 s;
// - the pool has `threads` threads (the library's default is 8 on two cores).
// A client still holds a thread for up to the read plus the write timeout per request, and such
// clients beyond the threads delay the others by that much for each round of them (connections
// wait in the order they came): a proxy in front is still the answer to many (docs/RELIABILITY.md).
//
// Thread-safety and lifecycle: as httplib::Server (bind, listen on one thread, stop from
// another); each connection runs on one of the server's pool threads.
#pragma once

#include <httplib.h>

#include <cstddef>
#include <memory>

#include "broker/deadline_watch.h"
#include "proto/limits.h"

namespace hookbroker {

// The defaults are the REST API's (proto/limits.h, docs/API.md).
struct HttpRequestBounds {
  // The request line and each header line, CRLF included.
  std::size_t max_line_bytes = limits::kMaxHttpLineBytes;
  // Header lines after the request line.
  std::size_t max_header_lines = limits::kMaxHttpHeaderLines;
  // The request line and the header lines together.
  std::size_t max_header_bytes = limits::kMaxHttpHeaderBytes;
  // Bytes after the header section.
  std::size_t max_body_bytes = limits::kMaxRequestBodyBytes;
};

// Threads of the REST listener: each serves one connection at a time.
inline constexpr std::size_t kDefaultServerThreads = 32;

struct Contention;

// What both servers share: the pool's contention and the watch over slow clients.
class ConnectionPolicy {
 public:
  explicit ConnectionPolicy(HttpRequestBounds bounds);
  // Installs a ServerThreadPool of `threads` (at least 1) on `server`.
  void Install(httplib::Server& server, std::size_t threads);

  const HttpRequestBounds bounds;
  const std::shared_ptr<Contention> contention;  // of the pool serving the connections
  DeadlineWatch watch;                           // slow requests, answers and TLS handshakes
};

class BoundedHttpServer : public httplib::Server {
 public:
  explicit BoundedHttpServer(HttpRequestBounds bounds, std::size_t threads = kDefaultServerThreads);

 private:
  bool process_and_close_socket(socket_t sock) override;

  ConnectionPolicy policy_;
};

class BoundedHttpsServer : public httplib::SSLServer {
 public:
  BoundedHttpsServer(HttpRequestBounds bounds, const char* cert_path, const char* key_path,
                     std::size_t threads = kDefaultServerThreads);

 private:
  bool process_and_close_socket(socket_t sock) override;

  ConnectionPolicy policy_;
};

}  // namespace hookbroker
