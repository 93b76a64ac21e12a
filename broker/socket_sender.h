// SocketSender: the HttpSender the daemon uses. HTTP/1.1 over kept-alive sockets (OpenSSL for
// https), with the SSRF guard applied to the address actually connected to and TLS
// verification always on.
//
// Why not cpp-httplib's client, which the broker used before: its exchange was 57 % of the
// broker's CPU per callback (docs/PERFORMANCE.md, "2. Delivery"). It sends the headers and the
// body in two writes (on loopback each one runs the receiver's TCP path, and the receiver wakes
// twice) and polls before every read. Here a request is one write (over TLS, one record for
// bodies up to 16 KiB) and the answer is read with blocking reads; the response is parsed by
// HttpResponseParser (proto/), which bounds everything an endpoint sends. cpp-httplib still serves
// the REST API.
//
// How the SSRF guard holds at connect time: the sender resolves the host itself, checks every
// address with CallbackAddressPolicy and connects only to allowed ones: the first, in the
// resolver's order, and when that one refuses or does not answer within connect_timeout, the
// next (a host with an IPv6 address this machine cannot reach, say), while the request's
// deadline lasts. A pooled connection is reused only while its address is still among the
// host's allowed addresses. A name's
// addresses are remembered for dns_cache_ttl (host_resolver.h), not asked of DNS per callback;
// the policy still judges them on every attempt. TLS verifies the
// certificate against the URL's host: its IP address, or its DNS name (also sent as SNI).
//
// Pooled connections are reused only if still usable: idle for less than 60 s, and the peer has
// neither closed them nor sent anything since (a peek before each reuse). Sends sweep the pools
// of connections idle longer, at most once a minute.
//
// Every exchange ends within its HttpRequest::timeout: a DeadlineWatch shuts the connection down
// when the whole exchange (connect, TLS, request, headers, body) takes longer, so an endpoint
// trickling bytes cannot hold a worker beyond it; an answer cut off there is a timeout, never a
// short body. Connecting to each address is also bounded by connect_timeout. (Resolving the host
// name, when it is not remembered, comes before and is bounded by the system resolver's own
// timeouts.)
//
// A kept-alive connection that fails before any byte of an answer arrives was closed by the
// endpoint while idle, or closed after reading the request without answering: the two look
// alike, and the request is sent once more on a new connection. Deliveries are at least once;
// receivers deduplicate by webhook-id (docs/RECEIVING.md).
//
// Requests carry "Accept-Encoding: identity" unless the caller sets it: bodies are not decoded.
//
// Trusted CAs (the system's plus --ca-file) are parsed once. Each connection verifies against a
// store of its own holding references to those certificates: OpenSSL 3.0 changes a store lazily
// while verifying (lookups, directories, sorting), which raced when connections shared one store
// (ThreadSanitizer).
//
// Signals: a TLS write to a connection the peer reset raises SIGPIPE (OpenSSL writes with
// write(2)); each thread that sends blocks SIGPIPE for itself on its first Send(). Plain
// connections send with MSG_NOSIGNAL.
//
// Thread-safety: Send() is safe from many threads; each call takes a connection from the pool
// of its origin for its duration.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "broker/clock.h"
#include "broker/deadline_watch.h"
#include "broker/host_resolver.h"
#include "broker/http_sender.h"
#include "proto/address_policy.h"

struct ssl_ctx_st;
struct x509_store_st;

namespace hookbroker {

struct SocketSenderOptions {
  CallbackAddressPolicy address_policy;
  std::string ca_file;  // extra trusted CAs (PEM), in addition to the system store
  std::chrono::milliseconds connect_timeout{5000};
  std::string user_agent = std::string("hookbroker/") + HOOKBROKER_VERSION;
  std::size_t max_idle_per_origin = 16;
  // Larger response bodies are cut off (the attempt keeps its status; the connection is closed).
  std::size_t max_response_bytes = 64 * 1024;
  // How long a host name's addresses are remembered (0: looked up for every request), and how
  // they are looked up (tests script it).
  std::chrono::milliseconds dns_cache_ttl{30000};
  HostResolver::Lookup lookup = HostResolver::SystemLookup;
};

class SocketSender final : public HttpSender {
 public:
  explicit SocketSender(SocketSenderOptions options);
  ~SocketSender() override;
  SocketSender(const SocketSender&) = delete;
  SocketSender& operator=(const SocketSender&) = delete;

  HttpResult Send(const HttpRequest& request) override;

 private:
  class Connection;
  enum class Outcome;

  // A new TCP connection to `address` (already checked by the policy), within connect_timeout
  // and the deadline. On failure, fills `result` and returns null.
  std::unique_ptr<Connection> Connect(const Url& url, const std::string& address,
                                      DeadlineWatch::Clock::time_point deadline,
                                      HttpResult& result);
  // A new connection to the first of `addresses` that accepts one, in order, while the
  // deadline lasts; the ones that failed before it are demoted in the resolver. On failure,
  // `result` holds the last address's kind and, for a host with several, each one's error.
  std::unique_ptr<Connection> ConnectToAny(const Url& url,
                                           const std::vector<std::string>& addresses,
                                           DeadlineWatch::Clock::time_point deadline,
                                           HttpResult& result);
  // The TLS handshake on a new connection, verifying the certificate against the URL's host.
  // On failure, fills `result` and returns false.
  bool Handshake(Connection& connection, const Url& url, DeadlineWatch::Clock::time_point deadline,
                 HttpResult& result);
  // Sends `wire` and reads the answer into `result`.
  Outcome Exchange(Connection& connection, const std::string& wire, const HttpRequest& request,
                   HttpResult& result);
  // An idle connection of `origin` to one of `addresses` that is still usable, or null.
  std::unique_ptr<Connection> Borrow(const std::string& origin,
                                     const std::vector<std::string>& addresses);
  // At most once per idle limit: moves every connection idle longer out of the pools.
  void SweepLocked(std::vector<std::unique_ptr<Connection>>& dropped);
  void Return(const std::string& origin, std::unique_ptr<Connection> connection);
  // A new store for one connection, referencing the parsed CAs of ca_store_ (never used itself).
  x509_store_st* NewConnectionStore() const;

  struct StoreFree {
    void operator()(x509_store_st* store) const;
  };
  struct ContextFree {
    void operator()(ssl_ctx_st* context) const;
  };

  const SocketSenderOptions options_;  // constant after construction
  // Shared by every TLS connection (reference counted); constant after construction.
  std::unique_ptr<x509_store_st, StoreFree> ca_store_;
  std::unique_ptr<ssl_ctx_st, ContextFree> tls_;  // TLS 1.2+, peer verification required
  DeadlineWatch deadlines_;
  SystemClock clock_;
  HostResolver resolver_;  // uses clock_
  std::mutex mu_;
  // Idle connections by origin, most recently used last. Guarded by mu_.
  std::map<std::string, std::vector<std::unique_ptr<Connection>>> idle_;
  DeadlineWatch::Clock::time_point last_sweep_{};  // guarded by mu_
};

}  // namespace hookbroker
