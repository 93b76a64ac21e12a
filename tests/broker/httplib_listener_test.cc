// BindHttplibServer (proto/httplib_listener.h): the listening socket of every cpp-httplib server
// here. Checked at the socket level, with no accept loop running, so nothing depends on timing.
#include "proto/httplib_listener.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <vector>

namespace hookbroker {
namespace {

// Starts a non-blocking connect to 127.0.0.1:port; -1 when the socket cannot be made.
int StartConnect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);  // EINPROGRESS
  return fd;
}

// The kernel completes the handshake of a connection it can queue for accept() at once; one it
// cannot queue (backlog full) has its SYN dropped and stays pending until the client resends it
// after 1 s. Nothing accepts here, so every connection beyond the backlog stays pending.
TEST(HttplibListenerTest, QueuesABurstOfConnectionsBeforeTheFirstAccept) {
  httplib::Server server;
  const int port = BindHttplibServer(server, "127.0.0.1", 0);
  ASSERT_GT(port, 0);

  constexpr int kConnections = 64;  // cpp-httplib alone listens with a backlog of 5
  std::vector<pollfd> fds;
  for (int i = 0; i < kConnections; ++i) {
    const int fd = StartConnect(port);
    ASSERT_GE(fd, 0);
    fds.push_back(pollfd{fd, POLLOUT, 0});
  }
  int established = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
  while (established < kConnections && std::chrono::steady_clock::now() < deadline) {
    ::poll(fds.data(), fds.size(), 50);
    established = 0;
    for (pollfd& p : fds) {
      int error = -1;
      socklen_t len = sizeof error;
      if ((p.revents & POLLOUT) != 0 &&
          ::getsockopt(p.fd, SOL_SOCKET, SO_ERROR, &error, &len) == 0 && error == 0) {
        ++established;
      }
    }
  }
  for (const pollfd& p : fds) ::close(p.fd);
  EXPECT_EQ(established, kConnections);
}

// cpp-httplib's own options set SO_REUSEPORT, which let a second process of the same user bind
// an address in use and take a share of its connections.
TEST(HttplibListenerTest, AnAddressInUseIsNotShared) {
  httplib::Server first;
  const int port = BindHttplibServer(first, "127.0.0.1", 0);
  ASSERT_GT(port, 0);

  httplib::Server second;
  EXPECT_EQ(BindHttplibServer(second, "127.0.0.1", port), -1);
  httplib::Server with_library_defaults;  // SO_REUSEPORT on its side alone is not enough
  EXPECT_FALSE(with_library_defaults.bind_to_port("127.0.0.1", port));
}

TEST(HttplibListenerTest, PortZeroPicksAFreePort) {
  httplib::Server a;
  httplib::Server b;
  const int pa = BindHttplibServer(a, "127.0.0.1", 0);
  const int pb = BindHttplibServer(b, "127.0.0.1", 0);
  EXPECT_GT(pa, 0);
  EXPECT_GT(pb, 0);
  EXPECT_NE(pa, pb);
}

}  // namespace
}  // namespace hookbroker
