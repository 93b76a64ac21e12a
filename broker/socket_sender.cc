#include "broker/socket_sender.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

#include "broker/callback_address.h"
#include "proto/http_response_parser.h"
#include "proto/http_token.h"
#include "proto/limits.h"

namespace hookbroker {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Idle connections older than this are closed rather than reused (servers close theirs after
// 5-120 s). Each Borrow() and Return() sweeps every pool at most once per kMaxIdle, so an idle
// socket is closed within about two kMaxIdle while callbacks go anywhere (a broker that sends
// nothing at all closes them with its next send).
constexpr auto kMaxIdle = std::chrono::seconds(60);

// Calls fn(cert) for every certificate in the store.
template <typename Fn>
void ForEachCertificate(X509_STORE* store, Fn fn) {
  STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(store);
  for (int i = 0; i < sk_X509_OBJECT_num(objects); ++i) {
    X509* cert = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objects, i));
    if (cert != nullptr) fn(cert);
  }
}

// OpenSSL writes to sockets with write(2): a reset peer raises SIGPIPE, which by default ends
// the process. Blocked once per sending thread (the daemon also ignores it process-wide).
void BlockSigpipeOnThisThread() {
  thread_local bool blocked = false;
  if (blocked) return;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  blocked = true;
}

// The oldest error on this thread's OpenSSL queue, for people; clears the queue.
std::string TakeTlsError() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

// One pass; find_first_of with a set calls memchr over the set for every character.
bool HasLineBreakOrNul(const std::string& s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

// Header names are tokens; values, and the content type, have no line break or NUL.
bool HeadersAreSafe(const HttpRequest& request, std::string* bad_name) {
  for (const auto& [name, value] : request.headers) {
    if (!IsHttpToken(name) || HasLineBreakOrNul(value)) {
      *bad_name = name;
      return false;
    }
  }
  if (HasLineBreakOrNul(request.content_type)) {
    *bad_name = "Content-Type";
    return false;
  }
  return true;
}

bool IsDefaultPort(const Url& url) {
  return (url.scheme == "https" && url.port == 443) || (url.scheme == "http" && url.port == 80);
}

// The request as it goes on the wire: head and body in one buffer, sent with one write.
std::string BuildRequest(const HttpRequest& request, const std::string& user_agent) {
  std::string wire;
  wire.reserve(256 + request.body.size() + 64 * request.headers.size());
  wire.append(request.method).append(" ").append(request.url.target).append(" HTTP/1.1\r\n");
  wire.append("Host: ").append(request.url.HostForUrl());
  if (!IsDefaultPort(request.url)) wire.append(":").append(std::to_string(request.url.port));
  wire.append("\r\nUser-Agent: ").append(user_agent).append("\r\n");
  bool has_accept = false, has_encoding = false;
  for (const auto& [name, value] : request.headers) {
    wire.append(name).append(": ").append(value).append("\r\n");
    has_accept = has_accept || EqualsIgnoreAsciiCase(name, "Accept");
    has_encoding = has_encoding || EqualsIgnoreAsciiCase(name, "Accept-Encoding");
  }
  if (!has_accept) wire.append("Accept: */*\r\n");
  // Without it a server may compress its answer; the body is read as it comes, undecoded.
  if (!has_encoding) wire.append("Accept-Encoding: identity\r\n");
  if (!request.body.empty() || request.method == "POST") {
    wire.append("Content-Type: ").append(request.content_type).append("\r\n");
    wire.append("Content-Length: ").append(std::to_string(request.body.size())).append("\r\n");
  }
  wire.append("\r\n").append(request.body);
  return wire;
}

// Keeps what the caller wants of the body: an excerpt always, the whole body when asked, and
// stops the read past the limit.
class ResultSink final : public HttpResponseParser::BodySink {
 public:
  ResultSink(HttpResult& result, std::size_t read_body_bytes, std::size_t limit)
      : result_(result), read_body_bytes_(read_body_bytes), limit_(limit) {}

  bool Body(std::string_view bytes) override {
    std::string& excerpt = result_.body_excerpt;
    if (excerpt.size() < limits::kResponseExcerptBytes) {
      excerpt.append(bytes.substr(0, limits::kResponseExcerptBytes - excerpt.size()));
    }
    if (read_body_bytes_ > 0) {
      const std::size_t room = read_body_bytes_ - result_.body.size();
      result_.body.append(bytes.substr(0, room));
      if (bytes.size() > room) result_.body_cut = true;
    }
    seen_ += bytes.size();
    return seen_ <= limit_;
  }

 private:
  HttpResult& result_;
  const std::size_t read_body_bytes_;
  const std::size_t limit_;
  std::size_t seen_ = 0;
};

}  // namespace

// One TCP connection, with its TLS session for https. Blocking I/O; the DeadlineWatch ends a
// blocked call by shutting the socket down (Shutdown() is safe from another thread).
class SocketSender::Connection {
 public:
  Connection(int fd, std::string address) : fd_(fd), address_(std::move(address)) {}
  ~Connection() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    close(fd_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return fd_; }
  SSL* ssl() const { return ssl_; }
  void set_ssl(SSL* ssl) { ssl_ = ssl; }
  bool used() const { return used_; }
  void mark_used() { used_ = true; }
  // Ends the connection for good (from the sending thread): it goes back to no pool.
  void Close() {
    closed_ = true;
    shutdown(fd_, SHUT_RDWR);
  }
  bool closed() const { return closed_; }
  // Fails a blocked call at once; for the DeadlineWatch's thread.
  void Interrupt() {
    interrupted_.store(true);
    shutdown(fd_, SHUT_RDWR);
  }
  // The end of the connection came from Interrupt(), not from the peer.
  bool interrupted() const { return interrupted_.load(); }
  const std::string& address() const { return address_; }
  SteadyClock::time_point idle_since() const { return idle_since_; }
  void mark_idle() { idle_since_ = SteadyClock::now(); }

  // Whether an idle connection can carry a request: the peer has neither closed it nor sent
  // anything (a late byte of the last answer, a TLS alert) since.
  bool StillUsable() const {
    if (ssl_ != nullptr && SSL_has_pending(ssl_) == 1) return false;
    char byte;
    const long n = recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }

  // Writes all of `data`; false on any failure.
  bool WriteAll(std::string_view data) {
    while (!data.empty()) {
      long n = 0;
      if (ssl_ != nullptr) {
        ERR_clear_error();
        n = SSL_write(ssl_, data.data(),
                      static_cast<int>(std::min<std::size_t>(data.size(), 1 << 30)));
      } else {
        n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
      }
      if (n <= 0) {
        ERR_clear_error();
        return false;
      }
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // > 0: bytes read; 0: the peer closed the connection; < 0: failure.
  long Read(char* buffer, std::size_t size) {
    if (ssl_ == nullptr) {
      for (;;) {
        const long n = recv(fd_, buffer, size, 0);
        if (n < 0 && errno == EINTR) continue;
        return n;
      }
    }
    ERR_clear_error();
    const int n = SSL_read(ssl_, buffer, static_cast<int>(size));
    if (n > 0) return n;
    const int error = SSL_get_error(ssl_, n);
    ERR_clear_error();
    return error == SSL_ERROR_ZERO_RETURN ? 0 : -1;
  }

 private:
  const int fd_;
  const std::string address_;  // the resolved address connected to
  SSL* ssl_ = nullptr;
  std::atomic<bool> interrupted_{false};
  SteadyClock::time_point idle_since_{};
  bool used_ = false;    // carried a request before: it may have gone stale while idle
  bool closed_ = false;  // Close() was called
};

enum class SocketSender::Outcome {
  kAnswered,  // a complete (or deliberately cut) response: result filled
  kStale,     // the reused connection failed before any byte of an answer: send again
  kFailed,    // result filled with the error
};

void SocketSender::StoreFree::operator()(X509_STORE* store) const { X509_STORE_free(store); }
void SocketSender::ContextFree::operator()(SSL_CTX* context) const { SSL_CTX_free(context); }

SocketSender::SocketSender(SocketSenderOptions options)
    : options_(std::move(options)),
      ca_store_(X509_STORE_new()),
      tls_(SSL_CTX_new(TLS_client_method())),
      resolver_(options_.dns_cache_ttl, clock_, options_.lookup) {
  X509_STORE_set_default_paths(ca_store_.get());
  // Config checked that the file is readable; a file without certificates trusts nothing more.
  if (!options_.ca_file.empty()) X509_STORE_load_file(ca_store_.get(), options_.ca_file.c_str());
  // The connections' stores share these certificates, and OpenSSL 3.0 fills a certificate's
  // extension cache (key identifiers, purposes) lazily on its first use: filled here, before
  // any sharing, so concurrent verifications only read them (ThreadSanitizer caught two clients
  // racing on the first fill of a CA's cache).
  ForEachCertificate(ca_store_.get(), [](X509* cert) { X509_check_purpose(cert, -1, 0); });
  ERR_clear_error();  // a missing system bundle only means fewer trusted CAs
  if (tls_ != nullptr) {
    SSL_CTX* ctx = tls_.get();
    // TLS 1.2 or later, whatever the system's OpenSSL configuration allows.
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    // A server that closes without close_notify ends a body framed by the connection's end
    // (common); every other framing is checked by the parser.
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    // Read what the socket holds in one read(): without it OpenSSL reads each record's 5-byte
    // header and then the record, two system calls per record. Bytes read ahead but not yet
    // processed count for SSL_has_pending(), which the reuse checks use.
    SSL_CTX_set_read_ahead(ctx, 1);
  }
}

SocketSender::~SocketSender() = default;

X509_STORE* SocketSender::NewConnectionStore() const {
  // ca_store_ is only read here, never verified against, so it no longer changes after the
  // constructor; the certificates are reference-counted, not copied. The system's hashed CA
  // directory is consulted for an issuer the parsed bundle lacks.
  X509_STORE* store = X509_STORE_new();
  if (store == nullptr) return nullptr;
  ForEachCertificate(ca_store_.get(), [store](X509* cert) { X509_STORE_add_cert(store, cert); });
  X509_STORE_load_path(store, X509_get_default_cert_dir());
  ERR_clear_error();  // a missing directory only means no extra lookups
  return store;
}

std::unique_ptr<SocketSender::Connection> SocketSender::Connect(
    const Url& url, const std::string& address, DeadlineWatch::Clock::time_point deadline,
    HttpResult& result) {
  const std::string origin = url.Origin();
  auto fail = [&](HttpResult::Kind kind, std::string error) {
    result.kind = kind;
    result.error = std::move(error);
    return nullptr;
  };
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* ai = nullptr;
  if (getaddrinfo(address.c_str(), std::to_string(url.port).c_str(), &hints, &ai) != 0) {
    return fail(HttpResult::Kind::kConnectError, "cannot connect to " + origin + ": bad address");
  }
  const int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    freeaddrinfo(ai);
    return fail(HttpResult::Kind::kConnectError,
                "cannot connect to " + origin + ": " + std::strerror(errno));
  }
  auto connection = std::make_unique<Connection>(fd, address);
  int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
  freeaddrinfo(ai);
  if (rc != 0 && errno != EINPROGRESS) {
    return fail(HttpResult::Kind::kConnectError,
                "cannot connect to " + origin + ": " + std::strerror(errno));
  }
  if (rc != 0) {
    const auto limit = std::min(deadline, SteadyClock::now() + options_.connect_timeout);
    pollfd p{fd, POLLOUT, 0};
    for (;;) {
      // Rounded up: a poll that times out has waited until the limit. When the limit is the
      // attempt's deadline, the next of a host's addresses is then not tried in the deadline's
      // last fraction of a millisecond.
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(limit - SteadyClock::now());
      rc = poll(&p, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 0)));
      if (rc < 0 && errno == EINTR) continue;
      break;
    }
    if (rc == 0) {
      return fail(HttpResult::Kind::kTimeout, "connect to " + origin + " timed out");
    }
    int error = 0;
    socklen_t len = sizeof error;
    if (rc < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0) error = errno;
    if (error != 0) {
      return fail(HttpResult::Kind::kConnectError,
                  "cannot connect to " + origin + ": " + std::strerror(error));
    }
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  const int one = 1;
  // PITFALLS.md: without TCP_NODELAY a kept-alive request can wait on a delayed ACK.
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return connection;
}

std::unique_ptr<SocketSender::Connection> SocketSender::ConnectToAny(
    const Url& url, const std::vector<std::string>& addresses,
    DeadlineWatch::Clock::time_point deadline, HttpResult& result) {
  constexpr std::size_t kErrorsNamed = 4;  // an attempt's error stays short
  std::string errors;
  std::size_t tried = 0;  // addresses[0, tried) failed
  for (; tried < addresses.size(); ++tried) {
    if (tried > 0 && SteadyClock::now() >= deadline) break;
    const std::string& address = addresses[tried];
    result = HttpResult{};
    std::unique_ptr<Connection> connection = Connect(url, address, deadline, result);
    if (connection != nullptr) {
      // Later connections try this host's failed addresses last, until it is looked up again.
      for (std::size_t i = 0; i < tried; ++i) {
        if (auto ip = ParseIpAddress(addresses[i])) resolver_.Demote(url.host, *ip);
      }
      return connection;
    }
    if (tried < kErrorsNamed) errors += (tried == 0 ? "" : "; ") + address + ": " + result.error;
  }
  if (addresses.size() > 1) {
    // The kind is the last address's: a timeout there is a timeout.
    result.error = "tried " + std::to_string(tried) + " of the host's " +
                   std::to_string(addresses.size()) + " allowed addresses: " + errors +
                   (tried > kErrorsNamed ? "; ..." : "");
  }
  return nullptr;
}

bool SocketSender::Handshake(Connection& connection, const Url& url,
                             DeadlineWatch::Clock::time_point deadline, HttpResult& result) {
  const std::string origin = url.Origin();
  auto fail = [&](HttpResult::Kind kind, std::string error) {
    result.kind = kind;
    result.error = std::move(error);
    connection.Close();
    return false;
  };
  if (tls_ == nullptr) return fail(HttpResult::Kind::kTlsError, "TLS is unavailable");
  SSL* ssl = SSL_new(tls_.get());
  if (ssl == nullptr) return fail(HttpResult::Kind::kTlsError, "TLS is unavailable");
  connection.set_ssl(ssl);
  X509_STORE* store = NewConnectionStore();
  if (store == nullptr) {
    return fail(HttpResult::Kind::kTlsError, "could not load the trusted CA certificates");
  }
  SSL_set1_verify_cert_store(ssl, store);
  X509_STORE_free(store);  // the session holds its own reference
  // The certificate must name the URL's host: its IP address, or its DNS name (sent as SNI too;
  // SNI never carries an address). Never connect unchecked if that cannot be set up.
  const bool identity_set =
      ParseIpAddress(url.host).ok()
          ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), url.host.c_str()) == 1
          : SSL_set_tlsext_host_name(ssl, url.host.c_str()) == 1 &&
                SSL_set1_host(ssl, url.host.c_str()) == 1;
  if (!identity_set || SSL_set_fd(ssl, connection.fd()) != 1) {
    TakeTlsError();
    return fail(HttpResult::Kind::kTlsError, "cannot set up TLS for " + url.host);
  }
  ERR_clear_error();
  if (SSL_connect(ssl) == 1) return true;
  const long verify = SSL_get_verify_result(ssl);
  const std::string detail = TakeTlsError();
  if (SteadyClock::now() >= deadline) {
    return fail(HttpResult::Kind::kTimeout, "TLS handshake with " + origin + " timed out");
  }
  if (verify != X509_V_OK) {
    return fail(HttpResult::Kind::kTlsError, "TLS certificate of " + url.host + " not accepted (" +
                                                 X509_verify_cert_error_string(verify) + ")");
  }
  return fail(HttpResult::Kind::kTlsError,
              "TLS handshake with " + origin + " failed" + (detail.empty() ? "" : ": " + detail));
}

SocketSender::Outcome SocketSender::Exchange(Connection& connection, const std::string& wire,
                                             const HttpRequest& request, HttpResult& result) {
  const bool reused = connection.used();
  connection.mark_used();
  if (!connection.WriteAll(wire)) {
    if (reused) return Outcome::kStale;
    result.kind = HttpResult::Kind::kConnectError;
    result.error = "cannot send the request to " + request.url.Origin();
    return Outcome::kFailed;
  }
  HttpResponseParser parser(request.method == "HEAD");
  ResultSink sink(result, request.read_body_bytes,
                  std::max(options_.max_response_bytes, request.read_body_bytes));
  char buffer[16 * 1024];
  bool leftover = false;  // bytes after the response: the connection is not reused
  while (parser.state() == HttpResponseParser::State::kNeedMore) {
    const long n = connection.Read(buffer, sizeof buffer);
    if (n <= 0) {
      // Cut off at the deadline: whatever arrived is not the whole answer, even when the body
      // was framed by the connection's end.
      if (connection.interrupted()) break;
      if (reused && !parser.received_any()) return Outcome::kStale;
      if (n == 0) parser.Finish();
      break;
    }
    std::size_t consumed = 0;
    parser.Feed(std::string_view(buffer, static_cast<std::size_t>(n)), sink, &consumed);
    leftover = consumed < static_cast<std::size_t>(n);
  }
  switch (parser.state()) {
    case HttpResponseParser::State::kDone:
    case HttpResponseParser::State::kStopped:  // past the size limit: cut off, status kept
      result.kind = HttpResult::Kind::kResponse;
      result.status = parser.status();
      result.retry_after = parser.retry_after();
      // Bytes after the answer (in this read, or held by TLS) mean the peer and the parser
      // disagree about where it ended: never reuse such a connection.
      if (!parser.keep_alive() || leftover ||
          (connection.ssl() != nullptr && SSL_has_pending(connection.ssl()) == 1)) {
        connection.Close();
      }
      return Outcome::kAnswered;
    case HttpResponseParser::State::kError:
      result.kind = HttpResult::Kind::kConnectError;
      result.error = "invalid HTTP response from " + request.url.Origin() + ": " + parser.error();
      break;
    case HttpResponseParser::State::kNeedMore:
      result.kind = HttpResult::Kind::kConnectError;
      result.error = "connection closed before a complete response";
      break;
  }
  connection.Close();
  return Outcome::kFailed;
}

std::unique_ptr<SocketSender::Connection> SocketSender::Borrow(
    const std::string& origin, const std::vector<std::string>& addresses) {
  std::vector<std::unique_ptr<Connection>> dropped;  // closed outside the lock
  for (;;) {
    std::unique_ptr<Connection> connection;
    {
      std::lock_guard<std::mutex> lock(mu_);
      SweepLocked(dropped);
      auto it = idle_.find(origin);
      if (it == idle_.end()) return nullptr;
      // The most recently used connection to an address the host still resolves to (resolvers
      // rotate the order of a host's addresses; the others wait for the sweep).
      auto& pool = it->second;
      auto match = std::find_if(pool.rbegin(), pool.rend(), [&](const auto& c) {
        return std::find(addresses.begin(), addresses.end(), c->address()) != addresses.end();
      });
      if (match == pool.rend()) return nullptr;
      connection = std::move(*match);
      pool.erase(std::next(match).base());
    }
    // Closed when unusable: it idled too long, or the peer closed it or sent something since.
    if (SteadyClock::now() - connection->idle_since() < kMaxIdle && connection->StillUsable()) {
      return connection;
    }
    dropped.push_back(std::move(connection));
  }
}

void SocketSender::Return(const std::string& origin, std::unique_ptr<Connection> connection) {
  connection->mark_idle();
  std::vector<std::unique_ptr<Connection>> dropped;  // closed outside the lock
  std::lock_guard<std::mutex> lock(mu_);
  auto& pool = idle_[origin];
  if (pool.size() >= options_.max_idle_per_origin && !pool.empty()) {
    dropped.push_back(std::move(pool.front()));  // the longest idle makes room
    pool.erase(pool.begin());
  }
  if (options_.max_idle_per_origin > 0) pool.push_back(std::move(connection));
  SweepLocked(dropped);
}

void SocketSender::SweepLocked(std::vector<std::unique_ptr<Connection>>& dropped) {
  const auto now = SteadyClock::now();
  if (now - last_sweep_ < kMaxIdle) return;
  last_sweep_ = now;
  for (auto it = idle_.begin(); it != idle_.end();) {
    auto& pool = it->second;
    auto stale = std::stable_partition(
        pool.begin(), pool.end(), [&](const auto& c) { return now - c->idle_since() < kMaxIdle; });
    for (auto i = stale; i != pool.end(); ++i) dropped.push_back(std::move(*i));
    pool.erase(stale, pool.end());
    it = pool.empty() ? idle_.erase(it) : std::next(it);
  }
}

HttpResult SocketSender::Send(const HttpRequest& request) {
  const auto started = SteadyClock::now();
  const auto deadline = started + request.timeout;
  HttpResult result;
  auto finish = [&]() -> HttpResult {
    result.duration =
        std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started);
    if (result.kind != HttpResult::Kind::kResponse) result.status = 0;
    return std::move(result);
  };
  if (std::string bad; !HeadersAreSafe(request, &bad)) {
    result.kind = HttpResult::Kind::kConnectError;
    result.error = "request not sent: malformed header \"" + bad.substr(0, 64) + "\"";
    return finish();
  }
  Result<std::vector<std::string>> addresses =
      ResolveCallbackAddresses(request.url, options_.address_policy, resolver_);
  if (!addresses) {
    result.kind = addresses.error().code == "callback_forbidden" ? HttpResult::Kind::kForbidden
                                                                 : HttpResult::Kind::kConnectError;
    result.error = addresses.error().message;
    return finish();
  }
  BlockSigpipeOnThisThread();
  const std::string origin = request.url.Origin();
  const std::string wire = BuildRequest(request, options_.user_agent);

  std::unique_ptr<Connection> connection = Borrow(origin, *addresses);
  for (;;) {
    const bool fresh = connection == nullptr;
    if (fresh) {
      connection = ConnectToAny(request.url, *addresses, deadline, result);
      if (connection == nullptr) {
        // The name may have moved: ask again next time rather than retry these addresses for
        // the rest of the resolver's TTL.
        resolver_.Forget(request.url.host);
        return finish();
      }
    }
    // The handshake and the exchange end at the deadline, however slowly the endpoint answers.
    Connection* watched = connection.get();
    const std::uint64_t watch = deadlines_.Arm(deadline, [watched] { watched->Interrupt(); });
    Outcome outcome = Outcome::kFailed;
    if (!fresh || request.url.scheme != "https" ||
        Handshake(*connection, request.url, deadline, result)) {
      outcome = Exchange(*connection, wire, request, result);
    }
    const bool over_deadline = deadlines_.Disarm(watch);
    // A certificate refused just before the deadline stays a TLS error.
    if (over_deadline && outcome != Outcome::kAnswered &&
        result.kind != HttpResult::Kind::kTlsError) {
      result = HttpResult{};
      result.kind = HttpResult::Kind::kTimeout;
      result.error = "no complete response within " + std::to_string(request.timeout.count()) +
                     " ms (the whole exchange)";
      return finish();
    }
    if (outcome == Outcome::kStale) {
      // Closed by the endpoint while idle (only a reused connection is stale): once more, on a
      // new connection.
      result = HttpResult{};
      connection.reset();
      continue;
    }
    if (outcome == Outcome::kAnswered && !over_deadline && !connection->closed()) {
      Return(origin, std::move(connection));
    }
    return finish();
  }
}

}  // namespace hookbroker
