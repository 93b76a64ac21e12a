// BindHttplibServer: binds a cpp-httplib server's listening socket the way every server in this
// project needs it (the broker's REST API, the receivers, the benchmark's receiver).
//
// Why, each a measured defect of cpp-httplib 0.11's defaults (Debian 12):
// - **SO_REUSEPORT.** The library's default socket options set it, so a second process of the
//   same user could bind a port already in use and silently take a share of its connections: two
//   brokers on one REST address both reported ready and split the API calls between them. Only
//   SO_REUSEADDR is set here, which still lets a restart bind while old connections sit in
//   TIME_WAIT; a port in use now fails to bind.
// - **A listen backlog of 5** (compiled into the library). A burst of new connections (a broker
//   opening its connection pool to a receiver, several API clients at once) overflowed it: the
//   kernel dropped SYNs, which clients resend after 1 s, and some connections were reset. 16
//   simultaneous first requests to a receiver failed in 5 of 30 runs. The backlog is raised to
//   SOMAXCONN (the kernel caps it at net.core.somaxconn) by listening again after the bind.
// - **ThreadSanitizer** (TSan builds only): see PrimeHttplibStatics below.
//
// Header-only and for the processes that link cpp-httplib: the one place with I/O in proto/,
// kept here because proto is the library the broker and the receivers share.
#pragma once

#include <httplib.h>
#include <sys/socket.h>

#include <chrono>
#include <memory>
#include <string>

#if defined(__SANITIZE_THREAD__)
#define HOOKBROKER_THREAD_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define HOOKBROKER_THREAD_SANITIZER 1
#endif
#endif

#ifdef HOOKBROKER_THREAD_SANITIZER
#include <atomic>
#include <mutex>
#include <thread>
#endif

namespace hookbroker {

// TSan builds: makes cpp-httplib's function-local statics visible to ThreadSanitizer as built
// before any server's pool threads read them. A no-op in every other build.
//
// The library is compiled and uninstrumented. Server::parse_request_line keeps the accepted
// methods in a function-local `static const std::set<std::string>`; the first request builds it,
// and a request parsed at the same time on another pool thread takes the initialisation guard's
// inline fast path, an acquire load TSan cannot see in uninstrumented code. TSan then reports the
// set's nodes (written with memcpy, read with memcmp, both intercepted) as a data race. The C++
// guard does order them, so the report is false, but with no symbols in the library it cannot be
// suppressed narrowly. A burst of 16 first requests to one receiver reproduced it in 9 of 10 runs
// (ReferenceReceiverTest.SimultaneousFirstRequestsAreAllAnswered: 3 of 9).
//
// The first call serves one request on a throw-away loopback server and joins its threads, so
// the statics exist before it returns and every later caller (and every thread it then creates)
// is ordered after them. Thread-safe.
inline void PrimeHttplibStatics() {
#ifdef HOOKBROKER_THREAD_SANITIZER
  static std::once_flag once;
  std::call_once(once, [] {
    httplib::Server server;
    server.new_task_queue = [] { return new httplib::ThreadPool(1); };
    server.Get("/", [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
    const int port = server.bind_to_any_port("127.0.0.1");
    if (port <= 0) return;
    std::atomic<bool> returned{false};
    std::thread listener([&server, &returned] {
      server.listen_after_bind();
      returned = true;
    });
    // stop() does nothing until the accept loop runs (or after it has failed and returned).
    while (!server.is_running() && !returned) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    {
      httplib::Client client("127.0.0.1", port);
      client.set_connection_timeout(std::chrono::seconds(5));
      client.set_read_timeout(std::chrono::seconds(5));
      client.Get("/");  // also builds the client's statics, on this thread
    }
    server.stop();  // the listen loop joins the pool thread that parsed the request
    listener.join();
  });
#endif
}

// Binds `server` to host:port (port 0: one the system picks) with the options above (replacing
// any socket options set on it before). Returns the bound port, or -1 when the address cannot be
// bound (in use, not permitted, not local). Call before listen_after_bind(), once per server.
inline int BindHttplibServer(httplib::Server& server, const std::string& host, int port) {
  PrimeHttplibStatics();
  // The callback runs inside the bind call below, on this thread, for the listening socket only.
  auto listening = std::make_shared<int>(-1);
  server.set_socket_options([listening](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    *listening = sock;
  });
  int bound = -1;
  if (port == 0) {
    bound = server.bind_to_any_port(host);
  } else if (server.bind_to_port(host, port)) {
    bound = port;
  }
  if (bound <= 0) return -1;
  // Listening again on a listening socket only changes its backlog.
  if (*listening >= 0) ::listen(*listening, SOMAXCONN);
  return bound;
}

}  // namespace hookbroker
