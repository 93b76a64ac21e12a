// BoundedHttpServer and BoundedHttpsServer against slow and idle clients: a request (and a TLS
// handshake) has the read timeout in all, not per read, and an answer the write timeout; under
// contention kept-alive connections give their threads to waiting ones; the time a handler takes
// is not the client's. The byte bounds are
// tested end to end in tests/integration/http_bounds_test.cc.
#include "broker/bounded_http_server.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "proto/httplib_listener.h"
#include "tests/support/http_client.h"
#include "tests/support/raw_http.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace hookbroker {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;
namespace support = hookbroker::testing;

constexpr int kReadTimeoutSec = 1;
constexpr int kKeepAliveSec = 5;

// A server on 127.0.0.1 with 1 s read and write timeouts: GET /ok answers at once, GET /slow
// after 1.5 s, GET /big with 8 MiB.
class Running {
 public:
  explicit Running(std::unique_ptr<httplib::Server> server, int read_timeout_sec = kReadTimeoutSec)
      : server_(std::move(server)) {
    server_->set_read_timeout(read_timeout_sec, 0);
    server_->set_write_timeout(kReadTimeoutSec, 0);
    server_->set_keep_alive_timeout(kKeepAliveSec);
    server_->Get("/ok", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("ok", "text/plain");
    });
    server_->Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(milliseconds(1500));
      res.set_content("slow", "text/plain");
    });
    server_->Get("/big", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(8 << 20, 'b'), "text/plain");
    });
    port_ = BindHttplibServer(*server_, "127.0.0.1", 0);
    if (port_ <= 0) return;
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    while (!server_->is_running()) std::this_thread::sleep_for(milliseconds(1));
  }
  ~Running() {
    server_->stop();
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return port_; }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  std::unique_ptr<httplib::Server> server_;
  int port_ = -1;
  std::thread thread_;
};

// Sends `first`, then one more byte of `filler` every 100 ms for up to `limit`; returns how long
// the server kept the connection open (`limit` when it never closed it).
Clock::duration TrickleUntilClosed(int port, const std::string& first, char filler,
                                   Clock::duration limit) {
  const int fd = support::ConnectLoopback(port, seconds(5));
  if (fd < 0) return Clock::duration::zero();
  const auto start = Clock::now();
  ::send(fd, first.data(), first.size(), MSG_NOSIGNAL);
  while (Clock::now() - start < limit) {
    std::this_thread::sleep_for(milliseconds(100));
    char buf[512];
    const ssize_t got = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) break;
    if (::send(fd, &filler, 1, MSG_NOSIGNAL) != 1) break;
  }
  const auto held = Clock::now() - start;
  ::close(fd);
  return held;
}

TEST(BoundedHttpServerTest, TrickledRequestIsCutOffAtTheReadTimeoutInAll) {
  Running server(std::make_unique<BoundedHttpServer>(HttpRequestBounds{}));
  ASSERT_GT(server.port(), 0);
  // One header byte every 100 ms: each read takes far less than the 1 s read timeout, which
  // cpp-httplib restarted with every byte.
  const auto held =
      TrickleUntilClosed(server.port(), "GET /ok HTTP/1.1\r\nX-Slow: ", 'a', seconds(6));
  EXPECT_LT(held, seconds(3)) << "held for "
                              << std::chrono::duration_cast<milliseconds>(held).count() << " ms";
  EXPECT_GE(held, milliseconds(900));
  EXPECT_EQ(support::HttpCall(server.base(), "GET", "/ok").status, 200);  // still serving
}

TEST(BoundedHttpServerTest, TrickledTlsHandshakeIsCutOffAtTheReadTimeoutInAll) {
  support::TempDir dir;
  const support::TestPki pki = support::MakeTestPki(dir.path());
  auto https = std::make_unique<BoundedHttpsServer>(HttpRequestBounds{}, pki.server_cert.c_str(),
                                                    pki.server_key.c_str());
  ASSERT_TRUE(https->is_valid());
  Running server(std::move(https));
  ASSERT_GT(server.port(), 0);
  // A TLS handshake record announcing 512 bytes, then its body a byte at a time: OpenSSL's
  // SSL_accept keeps reading inside one call.
  const auto held =
      TrickleUntilClosed(server.port(), std::string("\x16\x03\x01\x02\x00", 5), '\0', seconds(6));
  EXPECT_LT(held, seconds(3)) << "held for "
                              << std::chrono::duration_cast<milliseconds>(held).count() << " ms";
  EXPECT_EQ(support::HttpsCall(pki.ca_cert, "https://127.0.0.1:" + std::to_string(server.port()),
                               "GET", "/ok")
                .status,
            200);
}

TEST(BoundedHttpServerTest, HandlerTimeIsNotCountedAgainstTheClient) {
  Running server(std::make_unique<BoundedHttpServer>(HttpRequestBounds{}));
  ASSERT_GT(server.port(), 0);
  // The handler takes 1.5 s, longer than the 1 s the request has to arrive.
  const support::HttpReply reply = support::HttpCall(server.base(), "GET", "/slow");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "slow");
}

TEST(BoundedHttpServerTest, IdleKeptAliveConnectionsGiveTheirThreadsToWaitingOnes) {
  Running server(std::make_unique<BoundedHttpServer>(HttpRequestBounds{}, /*threads=*/2));
  ASSERT_GT(server.port(), 0);
  // Two kept-alive clients, idle after one request each, hold both threads.
  std::vector<std::unique_ptr<httplib::Client>> idle;
  for (int i = 0; i < 2; ++i) {
    idle.push_back(std::make_unique<httplib::Client>(server.base()));
    idle.back()->set_keep_alive(true);
    idle.back()->set_tcp_nodelay(true);
    ASSERT_TRUE(idle.back()->Get("/ok"));
  }
  const auto start = Clock::now();
  const support::HttpReply third = support::HttpCall(server.base(), "GET", "/ok");
  const auto waited = Clock::now() - start;
  EXPECT_EQ(third.status, 200);
  // Without giving way it waits for the 5 s keep-alive timeout of an idle connection.
  EXPECT_LT(waited, seconds(kKeepAliveSec) - seconds(2))
      << std::chrono::duration_cast<milliseconds>(waited).count() << " ms";
}

// A new connection gets 1 s, not 100 ms, to send its first request while others wait: time for a
// round trip after a TLS handshake.
TEST(BoundedHttpServerTest, NewConnectionUnderContentionHasASecondForItsFirstRequest) {
  Running server(std::make_unique<BoundedHttpServer>(HttpRequestBounds{}, /*threads=*/1));
  ASSERT_GT(server.port(), 0);
  const int fd = support::ConnectLoopback(server.port(), seconds(5));
  ASSERT_GE(fd, 0);
  // The only thread now waits on `fd`; a second connection queues behind it.
  std::thread waiting(
      [&] { EXPECT_EQ(support::HttpCall(server.base(), "GET", "/ok").status, 200); });
  std::this_thread::sleep_for(milliseconds(300));
  const std::string request = "GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string answer;
  char buf[1024];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) answer.append(buf, n);
  ::close(fd);
  waiting.join();
  EXPECT_EQ(answer.substr(0, 15), "HTTP/1.1 200 OK") << answer;
}

// Under contention a kept-alive connection's answer is its last, even when the client has already
// sent the start of its next request: otherwise one client pipelining slow requests kept its
// thread for request after request.
TEST(BoundedHttpServerTest, UnderContentionAnAnswerEndsItsConnection) {
  // A 5 s read timeout: reading the pipelined request would hold the connection that long.
  Running server(std::make_unique<BoundedHttpServer>(HttpRequestBounds{}, /*threads=*/1),
                 /*read_timeout_sec=*/5);
  ASSERT_GT(server.port(), 0);
  const int fd = support::ConnectLoopback(server.port(), seconds(10));
  ASSERT_GE(fd, 0);
  const std::string head = "GET /ok HTTP/1.1\r\nHost: x\r\n";
  ::send(fd, head.data(), head.size(), MSG_NOSIGNAL);  // the only thread now reads this request
  std::thread waiting(
      [&] { EXPECT_EQ(support::HttpCall(server.base(), "GET", "/ok").status, 200); });
  std::this_thread::sleep_for(milliseconds(200));  // the second connection queues
  const auto sent = Clock::now();
  const std::string rest = "\r\nG";  // this request's end, the next one's start
  ::send(fd, rest.data(), rest.size(), MSG_NOSIGNAL);
  std::string answer;
  char buf[1024];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) answer.append(buf, n);
  const auto closed_after = Clock::now() - sent;
  ::close(fd);
  waiting.join();
  EXPECT_EQ(answer.substr(0, 15), "HTTP/1.1 200 OK") << answer;
  EXPECT_LT(closed_after, milliseconds(2500))
      << std::chrono::duration_cast<milliseconds>(closed_after).count() << " ms";
}

// An answer has the write timeout in all to leave, however slowly the client reads it.
TEST(BoundedHttpServerTest, SlowlyReadAnswerIsCutOffAtTheWriteTimeoutInAll) {
  Running server(std::make_unique<BoundedHttpServer>(HttpRequestBounds{}));
  ASSERT_GT(server.port(), 0);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  int small = 4096;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);  // before connect: the window
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(server.port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string request = "GET /big HTTP/1.1\r\nHost: x\r\n\r\n";
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  // 1 KiB every 100 ms: the 8 MiB answer would take over two hours; each of the server's writes
  // still makes progress well within the 1 s write timeout.
  const auto start = Clock::now();
  std::size_t received = 0;
  while (Clock::now() - start < seconds(6)) {
    char buf[1024];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    received += static_cast<std::size_t>(n);
    std::this_thread::sleep_for(milliseconds(100));
  }
  const auto held = Clock::now() - start;
  ::close(fd);
  EXPECT_LT(held, seconds(4)) << "held for "
                              << std::chrono::duration_cast<milliseconds>(held).count() << " ms, "
                              << received << " bytes read";
  EXPECT_EQ(support::HttpCall(server.base(), "GET", "/ok").status, 200);
}

}  // namespace
}  // namespace hookbroker
