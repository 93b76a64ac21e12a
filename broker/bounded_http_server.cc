#include "broker/bounded_http_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <string>

#include "broker/server_thread_pool.h"

namespace hookbroker {
namespace {

using Clock = std::chrono::steady_clock;

// The connection's timeouts, taken from the server's settings.
struct ConnectionTimeouts {
  timeval read;
  timeval write;
  time_t keep_alive_sec;
};

Clock::duration ToDuration(const timeval& tv) {
  return std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec);
}

// Runs `io` (a blocking read from or write to the client) with at most `left` of waiting; shuts
// the socket down if it is still blocked then, so calls inside OpenSSL end too. Subtracts the time
// taken from `left`; false when `left` ran out.
template <typename Io>
bool WithinBudget(DeadlineWatch& watch, int sock, Clock::duration& left, Io&& io) {
  if (left <= Clock::duration::zero()) return false;
  const auto start = Clock::now();
  const std::uint64_t token = watch.Arm(start + left, [sock] { ::shutdown(sock, SHUT_RDWR); });
  io();
  const bool expired = watch.Disarm(token);
  left -= Clock::now() - start;
  return !expired && left > Clock::duration::zero();
}

bool PollFor(int sock, short events, int timeout_ms) {
  pollfd p{sock, events, 0};
  for (;;) {
    const int rc = ::poll(&p, 1, timeout_ms);
    if (rc < 0 && errno == EINTR) continue;
    return rc > 0 && (p.revents & (events | POLLHUP | POLLERR)) != 0;
  }
}

void AddressOf(int sock, bool peer, std::string& ip, int& port) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  const int rc = peer ? ::getpeername(sock, reinterpret_cast<sockaddr*>(&addr), &len)
                      : ::getsockname(sock, reinterpret_cast<sockaddr*>(&addr), &len);
  if (rc != 0) return;
  char host[NI_MAXHOST];
  char service[NI_MAXSERV];
  if (::getnameinfo(reinterpret_cast<sockaddr*>(&addr), len, host, sizeof(host), service,
                    sizeof(service), NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
    ip = host;
    port = std::atoi(service);
  }
}

// A connection's byte stream (plain, or TLS when `ssl` is set) that counts what it hands to the
// library per request and reports the end of the input once a bound is passed. Reads go through a
// 4 KiB buffer: the library reads request and header lines one byte at a time.
class BoundedStream final : public httplib::Stream {
 public:
  BoundedStream(int sock, SSL* ssl, const HttpRequestBounds& bounds,
                const ConnectionTimeouts& timeouts, DeadlineWatch& watch)
      : sock_(sock), ssl_(ssl), bounds_(bounds), timeouts_(timeouts), watch_(watch) {}

  // A new request starts: its line, header and body counts start from zero, it has the whole read
  // timeout to arrive and its answer the whole write timeout to leave.
  void BeginRequest() {
    read_left_ = ToDuration(timeouts_.read);
    write_left_ = ToDuration(timeouts_.write);
    in_header_ = true;
    header_lines_ = 0;
    header_bytes_ = 0;
    line_bytes_ = 0;
    last_ = 0;
    body_bytes_ = 0;
  }
  // A bound was passed: nothing more is read from this connection.
  bool exhausted() const { return exhausted_; }
  // A budget ran out: the connection is given up without finishing anything on it.
  bool cut() const { return cut_; }
  bool has_buffered() const { return pos_ < end_ || (ssl_ != nullptr && SSL_pending(ssl_) > 0); }

  bool is_readable() const override {
    return has_buffered() || (!cut_ && PollFor(sock_, POLLIN, MsLeft(read_left_)));
  }
  bool is_writable() const override {
    return !cut_ && PollFor(sock_, POLLOUT, MsLeft(write_left_));
  }

  ssize_t read(char* ptr, size_t size) override {
    if (cut_) return -1;
    if (exhausted_ || size == 0) return 0;
    if (pos_ == end_) {
      ssize_t n = -1;
      // Past the request's time, the library sees a failed read and closes the connection.
      if (!WithinBudget(watch_, sock_, read_left_, [&] { n = Fill(); })) {
        cut_ = true;
        return -1;
      }
      if (n <= 0) return n;
    }
    const std::size_t available = std::min(size, end_ - pos_);
    const std::size_t allowed = Admit(buffer_.data() + pos_, available);
    std::memcpy(ptr, buffer_.data() + pos_, allowed);
    pos_ += allowed;
    return static_cast<ssize_t>(allowed);
  }

  ssize_t write(const char* ptr, size_t size) override {
    // Nothing is written on a connection cut off (the socket is shut down: a write would raise
    // SIGPIPE inside OpenSSL).
    if (cut_) return -1;
    ssize_t n = -1;
    if (!WithinBudget(watch_, sock_, write_left_, [&] { n = WriteOnce(ptr, size); })) {
      cut_ = true;
      return -1;
    }
    return n;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    AddressOf(sock_, true, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    AddressOf(sock_, false, ip, port);
  }
  socket_t socket() const override { return sock_; }

 private:
  // The poll timeout for what is left of a budget.
  static int MsLeft(Clock::duration left) {
    return static_cast<int>(std::max<long long>(
        0, std::chrono::duration_cast<std::chrono::milliseconds>(left).count()));
  }

  ssize_t WriteOnce(const char* ptr, size_t size) {
    for (;;) {
      if (ssl_ != nullptr) {
        ERR_clear_error();
        const int n = SSL_write(ssl_, ptr, static_cast<int>(std::min<size_t>(size, 1 << 30)));
        return n > 0 ? n : -1;
      }
      const ssize_t n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      return n;
    }
  }

  // Reads what the connection has (at most the buffer); 0 at its end, -1 on an error or when
  // the read timeout passed (the socket's SO_RCVTIMEO).
  ssize_t Fill() {
    pos_ = end_ = 0;
    for (;;) {
      if (ssl_ != nullptr) {
        ERR_clear_error();
        const int n = SSL_read(ssl_, buffer_.data(), static_cast<int>(buffer_.size()));
        if (n > 0) {
          end_ = static_cast<std::size_t>(n);
          return n;
        }
        return SSL_get_error(ssl_, n) == SSL_ERROR_ZERO_RETURN ? 0 : -1;
      }
      const ssize_t n = ::recv(sock_, buffer_.data(), buffer_.size(), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n > 0) end_ = static_cast<std::size_t>(n);
      return n;
    }
  }

  // How many of `n` bytes at `data` may go to the library under the bounds; sets exhausted_ when
  // a bound is passed. The byte that passes a line bound is handed over (the library then sees a
  // line one byte too long and answers 414 or 400); nothing after it is.
  std::size_t Admit(const char* data, std::size_t n) {
    std::size_t i = 0;
    while (i < n && in_header_) {
      const char c = data[i++];
      ++line_bytes_;
      ++header_bytes_;
      if (line_bytes_ > bounds_.max_line_bytes || header_bytes_ > bounds_.max_header_bytes) {
        exhausted_ = true;
        return i;
      }
      if (c == '\n') {
        const bool blank = line_bytes_ == 2 && last_ == '\r';
        line_bytes_ = 0;
        if (blank && header_lines_ > 0) {
          in_header_ = false;
        } else if (++header_lines_ > bounds_.max_header_lines + 1) {
          // One line past the bound is handed over; the next read ends the input.
          exhausted_ = true;
          return i;
        }
      }
      last_ = c;
    }
    const std::size_t body = std::min(n - i, bounds_.max_body_bytes - body_bytes_);
    body_bytes_ += body;
    // The body's bound reached: the library sees the end of the input (413 for a larger body).
    if (i == 0 && body == 0) exhausted_ = true;
    return i + body;
  }

  const int sock_;
  SSL* const ssl_;
  const HttpRequestBounds bounds_;
  const ConnectionTimeouts timeouts_;
  DeadlineWatch& watch_;
  // This request's time left to arrive, and its answer's to leave.
  Clock::duration read_left_ = ToDuration(timeouts_.read);
  Clock::duration write_left_ = ToDuration(timeouts_.write);
  bool cut_ = false;  // a budget ran out: the socket is shut down
  std::array<char, 4096> buffer_{};
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  bool exhausted_ = false;
  // Per request (BeginRequest).
  bool in_header_ = true;
  std::size_t header_lines_ = 0;  // lines ended so far, the request line included
  std::size_t header_bytes_ = 0;
  std::size_t line_bytes_ = 0;
  char last_ = 0;
  std::size_t body_bytes_ = 0;
};

void SetSocketTimeouts(int sock, const ConnectionTimeouts& t) {
  ::setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &t.read, sizeof(t.read));
  ::setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &t.write, sizeof(t.write));
}

// How long a connection may sit idle under contention before it gives its thread up: a new one
// gets time for a round trip after its TLS handshake, a kept-alive one (whose client chose to
// wait) 100 ms.
constexpr std::chrono::milliseconds kFirstRequestGrace{1000};
constexpr std::chrono::milliseconds kNextRequestGrace{100};

// Waits up to the keep-alive timeout for the next request; false when none comes, when the
// server is stopping, or under contention once the connection has been idle `grace` (checked
// every 100 ms, so stop() does not wait for idle connections either).
bool AwaitNextRequest(const BoundedStream& strm, int sock, time_t keep_alive_sec,
                      const std::atomic<socket_t>& listener, const Contention& contention,
                      std::chrono::milliseconds grace) {
  if (strm.has_buffered()) return true;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::seconds(keep_alive_sec);
  while (listener != INVALID_SOCKET) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    if (PollFor(sock, POLLIN, static_cast<int>(std::min<long long>(left, 100)))) return true;
    if (contention.contended() && Clock::now() - start >= grace) return false;
  }
  return false;
}

using ProcessRequest = std::function<bool(httplib::Stream&, bool close, bool& closed)>;

// The library's keep-alive loop, reading through a BoundedStream. Returns whether the last
// request was served.
bool ServeRequests(BoundedStream& strm, int sock, std::size_t keep_alive_max_count,
                   time_t keep_alive_sec, const std::atomic<socket_t>& listener,
                   const Contention& contention, const ProcessRequest& process) {
  bool ok = false;
  for (std::size_t left = keep_alive_max_count;
       left > 0 &&
       AwaitNextRequest(strm, sock, keep_alive_sec, listener, contention,
                        left == keep_alive_max_count ? kFirstRequestGrace : kNextRequestGrace);
       --left) {
    strm.BeginRequest();
    bool closed = false;
    // Under contention this is the connection's last answer, even if the client has already sent
    // part of its next request: it says `Connection: close` when the contention was there as the
    // request began, and the connection is closed after it in any case. (`closed` says only
    // whether the client asked to close.)
    const bool last = left == 1 || contention.contended();
    ok = process(strm, last, closed);
    if (!ok || closed || last || strm.exhausted() || contention.contended()) break;
  }
  return ok;
}

// Closes a served connection. A cut-off one is reset (SO_LINGER 0): a FIN would wait behind what
// the kernel still holds of the answer (megabytes, for a client that reads slowly), which the
// client could go on reading at its own pace.
void CloseSocket(int sock, bool cut) {
  if (cut) {
    const linger reset{1, 0};
    ::setsockopt(sock, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  } else {
    ::shutdown(sock, SHUT_RDWR);
  }
  ::close(sock);
}

}  // namespace

ConnectionPolicy::ConnectionPolicy(HttpRequestBounds bounds_in)
    : bounds(bounds_in), contention(std::make_shared<Contention>()) {}

void ConnectionPolicy::Install(httplib::Server& server, std::size_t threads) {
  server.new_task_queue = [n = threads == 0 ? 1 : threads, c = contention] {
    return new ServerThreadPool(n, c);
  };
}

BoundedHttpServer::BoundedHttpServer(HttpRequestBounds bounds, std::size_t threads)
    : policy_(bounds) {
  policy_.Install(*this, threads);
}

BoundedHttpsServer::BoundedHttpsServer(HttpRequestBounds bounds, const char* cert_path,
                                       const char* key_path, std::size_t threads)
    : httplib::SSLServer(cert_path, key_path), policy_(bounds) {
  policy_.Install(*this, threads);
}

bool BoundedHttpServer::process_and_close_socket(socket_t sock) {
  const ConnectionTimeouts timeouts{
      {read_timeout_sec_, static_cast<suseconds_t>(read_timeout_usec_)},
      {write_timeout_sec_, static_cast<suseconds_t>(write_timeout_usec_)},
      keep_alive_timeout_sec_};
  SetSocketTimeouts(sock, timeouts);
  BoundedStream strm(sock, nullptr, policy_.bounds, timeouts, policy_.watch);
  const bool ok =
      ServeRequests(strm, sock, keep_alive_max_count_, keep_alive_timeout_sec_, svr_sock_,
                    *policy_.contention, [this](httplib::Stream& s, bool close, bool& closed) {
                      return process_request(s, close, closed, nullptr);
                    });
  CloseSocket(sock, strm.cut());
  return ok;
}

bool BoundedHttpsServer::process_and_close_socket(socket_t sock) {
  const ConnectionTimeouts timeouts{
      {read_timeout_sec_, static_cast<suseconds_t>(read_timeout_usec_)},
      {write_timeout_sec_, static_cast<suseconds_t>(write_timeout_usec_)},
      keep_alive_timeout_sec_};
  // The handshake's reads and writes are bounded by the same socket timeouts.
  SetSocketTimeouts(sock, timeouts);
  SSL* ssl = SSL_new(ssl_context());
  bool ok = false;
  ERR_clear_error();
  // The handshake has the read timeout in all, as a request has (a client can trickle it too).
  Clock::duration handshake_left = ToDuration(timeouts.read);
  int accepted = 0;
  bool cut = false;
  if (ssl != nullptr && SSL_set_fd(ssl, sock) == 1) {
    cut = !WithinBudget(policy_.watch, sock, handshake_left, [&] { accepted = SSL_accept(ssl); });
  }
  if (!cut && accepted == 1) {
    BoundedStream strm(sock, ssl, policy_.bounds, timeouts, policy_.watch);
    ok = ServeRequests(
        strm, sock, keep_alive_max_count_, keep_alive_timeout_sec_, svr_sock_, *policy_.contention,
        [this, ssl](httplib::Stream& s, bool close, bool& closed) {
          return process_request(s, close, closed, [ssl](httplib::Request& req) { req.ssl = ssl; });
        });
    cut = strm.cut();
    // A graceful TLS close only after a good exchange; a broken peer just gets the TCP close.
    if (ok && !cut) SSL_shutdown(ssl);
  }
  ERR_clear_error();
  if (ssl != nullptr) SSL_free(ssl);
  CloseSocket(sock, cut);
  return ok;
}

}  // namespace hookbroker
