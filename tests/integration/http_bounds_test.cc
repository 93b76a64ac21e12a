// The REST listener's bounds on how a request arrives (docs/RELIABILITY.md, Hostile input): the
// number of header lines, the length of each line and of the header section are enforced as the
// bytes come in, over HTTP and HTTPS. A client streaming headers, or one line that never ends, is
// answered and cut off; the broker's memory stays bounded and it keeps serving others. Raw
// sockets against the real daemon.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "proto/limits.h"
#include "tests/integration/broker_fixture.h"
#include "tests/support/raw_http.h"

namespace hookbroker::testing {
namespace {

// A GET of /healthz with `count` header lines (Host among them) after the request line.
std::string RequestWithHeaderLines(std::size_t count) {
  std::string request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (std::size_t i = 1; i < count; ++i) request += "X-H" + std::to_string(i) + ": v\r\n";
  return request + "\r\n";
}

// The broker's anonymous resident memory (heap and stacks, not the LMDB map), in KiB.
long RssAnonKib(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("RssAnon:", 0) == 0) return std::stol(line.substr(8));
  }
  return -1;
}

struct Flood {
  std::size_t sent = 0;  // bytes the broker took before it closed the connection
  bool closed = false;   // the broker closed it (not the client giving up)
  std::string answer;    // what it answered, if anything arrived
};

// Sends `head`, then `filler` over and over, up to `total` bytes, on one connection, until the
// broker closes it; then reads what it answered.
Flood SendUntilClosed(const std::string& rest_url, const std::string& head,
                      const std::string& filler, std::size_t total) {
  Flood flood;
  const int port = std::stoi(rest_url.substr(rest_url.rfind(':') + 1));
  const int fd = ConnectLoopback(port, std::chrono::seconds(10));
  if (fd < 0) return flood;
  std::string chunk = head;
  while (flood.sent < total) {
    const ssize_t n = ::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      flood.closed = errno == EPIPE || errno == ECONNRESET;
      break;
    }
    flood.sent += static_cast<std::size_t>(n);
    chunk = static_cast<std::size_t>(n) < chunk.size() ? chunk.substr(static_cast<std::size_t>(n))
                                                       : filler;
  }
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      flood.answer.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    // 0: the broker's FIN; ECONNRESET: its close with our bytes unread. EAGAIN would be our
    // timeout: the broker kept the connection open.
    if (n == 0 || errno == ECONNRESET) flood.closed = true;
    break;
  }
  ::close(fd);
  return flood;
}

class HttpBoundsTest : public BrokerFixture {};

TEST_F(HttpBoundsTest, MoreThanAHundredHeaderLinesIs400AtTheLimitServed) {
  StartBroker();
  EXPECT_EQ(
      RawHttp(broker_->rest_url(), RequestWithHeaderLines(limits::kMaxHttpHeaderLines)).status,
      200);
  const HttpReply over =
      RawHttp(broker_->rest_url(), RequestWithHeaderLines(limits::kMaxHttpHeaderLines + 1));
  EXPECT_EQ(over.status, 400);
  EXPECT_NE(over.body.find("bad_request"), std::string::npos) << over.body;
  EXPECT_EQ(Api("GET", "/healthz").status, 200);
}

TEST_F(HttpBoundsTest, HeaderSectionOverItsByteLimitIs400) {
  StartBroker();
  // 90 lines of 1 KiB: under the line count and each under the line length, over 64 KiB together.
  std::string request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  std::string at_limit = request;
  const std::string value(1000, 'v');
  for (int i = 0; i < 90; ++i) request += "X-H" + std::to_string(i) + ": " + value + "\r\n";
  for (int i = 0; i < 60; ++i) at_limit += "X-H" + std::to_string(i) + ": " + value + "\r\n";
  EXPECT_EQ(RawHttp(broker_->rest_url(), at_limit + "\r\n").status, 200);
  EXPECT_EQ(RawHttp(broker_->rest_url(), request + "\r\n").status, 400);
  EXPECT_EQ(Api("GET", "/healthz").status, 200);
}

// Before the bounds, 2,000,000 streamed header lines raised the broker's memory by ~500 MB and a
// 64 MiB line by 65 MB (each buffered whole). Now the connection is answered and closed after the
// 101st line (or the 8193rd byte of a line): the client cannot even send most of what it tries to.
TEST_F(HttpBoundsTest, StreamedHeadersOrAnEndlessLineAreCutOffMemoryStaysBoundedOthersServed) {
  StartBroker();
  ASSERT_EQ(Api("GET", "/healthz").status, 200);
  const long before = RssAnonKib(broker_->pid());
  ASSERT_GT(before, 0);
  constexpr std::size_t kFlood = 64u << 20;

  std::string lines;
  for (int i = 0; lines.size() < 64 * 1024; ++i) {
    lines += "X-Flood-" + std::to_string(i) + ": " + std::string(80, 'f') + "\r\n";
  }
  const std::string endless(64 * 1024, 'a');
  const struct {
    const char* what;
    std::string head;
    const std::string& filler;
    const char* answer;
  } floods[] = {
      {"header lines", "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n", lines, "HTTP/1.1 400"},
      {"one header line", "GET /healthz HTTP/1.1\r\nX-Long: ", endless, "HTTP/1.1 400"},
      {"the request line", "GET /", endless, "HTTP/1.1 414"},
  };
  for (const auto& f : floods) {
    const Flood flood = SendUntilClosed(broker_->rest_url(), f.head, f.filler, kFlood);
    EXPECT_TRUE(flood.closed) << f.what;
    // What the socket buffers on both sides hold, not what was offered.
    EXPECT_LT(flood.sent, kFlood / 4) << f.what;
    // The answer may be lost to the reset that closing with unread bytes sends; if it came, it
    // is the error.
    EXPECT_TRUE(flood.answer.empty() || flood.answer.rfind(f.answer, 0) == 0)
        << f.what << ": " << flood.answer.substr(0, 200);
  }

  EXPECT_EQ(Api("GET", "/healthz").status, 200);
  const long after = RssAnonKib(broker_->pid());
  EXPECT_LT(after - before, 16 * 1024) << "RssAnon " << before << " KiB -> " << after << " KiB";
}

TEST_F(HttpBoundsTest, HttpsListenerHasTheSameBounds) {
  StartBroker({"--api-tls-cert", pki_.server_cert, "--api-tls-key", pki_.server_key});
  std::map<std::string, std::string> headers{{"accessToken", kApiKey}};
  // The client adds Host, Accept, User-Agent and the like: 90 of ours stay under 100 lines.
  for (int i = 0; i < 90; ++i) headers["X-H" + std::to_string(i)] = "v";
  EXPECT_EQ(HttpsCall(pki_.ca_cert, broker_->rest_url(), "GET", "/healthz", "", headers).status,
            200);
  for (int i = 90; i < 110; ++i) headers["X-H" + std::to_string(i)] = "v";
  const HttpReply over =
      HttpsCall(pki_.ca_cert, broker_->rest_url(), "GET", "/healthz", "", headers);
  EXPECT_EQ(over.status, 400) << over.body;
  headers = {{"X-Long", std::string(limits::kMaxHttpLineBytes, 'l')}};
  EXPECT_EQ(HttpsCall(pki_.ca_cert, broker_->rest_url(), "GET", "/healthz", "", headers).status,
            400);
  EXPECT_EQ(HttpsCall(pki_.ca_cert, broker_->rest_url(), "GET", "/healthz").status, 200);
}

}  // namespace
}  // namespace hookbroker::testing
