// HttplibSender: HttpSender over cpp-httplib, with keep-alive connection pools per origin, the
// SSRF guard applied to the address actually connected to, and TLS verification always on.
//
// How the SSRF guard holds at connect time: the sender resolves the host itself, checks every
// address with CallbackAddressPolicy, and pins the client to the chosen address
// (set_hostname_addr_map), so cpp-httplib never resolves the name again on its own. TLS still
// verifies the certificate against the host name.
//
// Every attempt ends within its HttpRequest::timeout: a DeadlineWatch shuts the connection down
// when the whole exchange (connect, TLS, request, headers, body) takes longer, so an endpoint
// trickling bytes cannot hold a worker beyond it.
//
// Trusted CAs (the system's plus --ca-file) are parsed once: loading them per client cost
// 100-170 ms of CPU on each new connection's first request (docs/PERFORMANCE.md, "3. Latency").
// Each HTTPS client gets its own X509_STORE holding references to those parsed certificates:
// OpenSSL 3.0 changes a store lazily while verifying (lookups, directories, sorting), which
// raced when every client shared one store (ThreadSanitizer).
//
// Thread-safety: Send() is safe from many threads; each call borrows a client from the origin's
// pool for its duration (one client = one connection).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "broker/deadline_watch.h"
#include "broker/http_sender.h"
#include "proto/address_policy.h"

namespace httplib {
class Client;
}
struct x509_store_st;

namespace hookbroker {

struct HttplibSenderOptions {
  CallbackAddressPolicy address_policy;
  std::string ca_file;  // extra trusted CAs (PEM), in addition to the system store
  std::chrono::milliseconds connect_timeout{5000};
  std::string user_agent = std::string("hookbroker/") + HOOKBROKER_VERSION;
  std::size_t max_idle_per_origin = 16;
  // Larger response bodies are cut off (the attempt keeps its status; the connection is closed).
  std::size_t max_response_bytes = 64 * 1024;
};

class HttplibSender final : public HttpSender {
 public:
  explicit HttplibSender(HttplibSenderOptions options);
  ~HttplibSender() override;

  HttpResult Send(const HttpRequest& request) override;

 private:
  struct Pooled;
  std::unique_ptr<Pooled> Borrow(const Url& url);
  // A new store for one client, referencing the parsed CAs of ca_store_ (never used itself).
  x509_store_st* NewClientStore() const;
  void Return(const std::string& origin, std::unique_ptr<Pooled> client);

  struct StoreFree {
    void operator()(x509_store_st* store) const;
  };

  const HttplibSenderOptions options_;  // constant after construction
  // Shared by every HTTPS client (reference counted); constant after construction.
  std::unique_ptr<x509_store_st, StoreFree> ca_store_;
  DeadlineWatch deadlines_;
  std::mutex mu_;
  std::map<std::string, std::vector<std::unique_ptr<Pooled>>> idle_;  // guarded by mu_
};

}  // namespace hookbroker
