// The real HTTP sender against real loopback receivers: TLS verification, the SSRF guard at
// connect time, error classification, bounded responses.
#include "broker/socket_sender.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include "subscribers/reference_receiver.h"
#include "tests/support/legacy_tls_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace hookbroker::testing {
namespace {

using namespace std::chrono_literals;

class SocketSenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_ = MakeTestPki(dir_.path());
    receiver_ = std::make_unique<subscribers::ReferenceReceiver>(TlsReceiver(pki_));
    ASSERT_TRUE(receiver_->Start().ok());
  }

  // A receiver serving HTTPS with the leaf of `pki` (pki_'s: 127.0.0.1, ::1 and localhost).
  static subscribers::ReceiverOptions TlsReceiver(const TestPki& pki) {
    subscribers::ReceiverOptions options;
    options.tls = true;
    options.cert_file = pki.server_cert;
    options.key_file = pki.server_key;
    return options;
  }

  SocketSenderOptions Options(bool allow_loopback, bool trust_ca) {
    SocketSenderOptions o;
    if (allow_loopback) o.address_policy = CallbackAddressPolicy({*ParseCidr("127.0.0.0/8")});
    if (trust_ca) o.ca_file = pki_.ca_cert;
    o.connect_timeout = 2s;
    return o;
  }

  HttpRequest Post(const std::string& url, std::chrono::milliseconds timeout = 5s) {
    HttpRequest r;
    r.url = *ParseUrl(url);
    r.body = R"({"hello":"world"})";
    r.timeout = timeout;
    r.headers.emplace_back("webhook-id", "msg_1");
    return r;
  }

  TempDir dir_;
  TestPki pki_;
  std::unique_ptr<subscribers::ReferenceReceiver> receiver_;
};

TEST_F(SocketSenderTest, DeliversOverVerifiedTlsAndReusesTheConnection) {
  SocketSender sender(Options(true, true));
  for (int i = 0; i < 3; ++i) {
    HttpResult r = sender.Send(Post(receiver_->BaseUrl() + "/hook"));
    ASSERT_EQ(r.kind, HttpResult::Kind::kResponse) << r.error;
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body_excerpt, "ok");
  }
  auto posts = receiver_->Posts();
  ASSERT_EQ(posts.size(), 3u);
  EXPECT_EQ(posts[1].remote_port, posts[0].remote_port) << "one connection for all three";
  EXPECT_EQ(posts[2].remote_port, posts[0].remote_port) << "one connection for all three";
  EXPECT_EQ(posts[0].headers["accept-encoding"], "identity") << "answers are not decoded";
  EXPECT_EQ(posts[0].headers["webhook-id"], "msg_1");
  EXPECT_EQ(posts[0].headers["content-type"], "application/json");
  EXPECT_EQ(posts[0].headers["user-agent"], std::string("hookbroker/") + HOOKBROKER_VERSION);
  EXPECT_EQ(posts[0].body, R"({"hello":"world"})");
}

TEST_F(SocketSenderTest, EveryNewTlsClientVerifiesAgainstTheOneSharedCaStore) {
  // The test CA is only in --ca-file, loaded once into the store every client shares: new
  // clients for a second origin and for concurrent sends must all verify against it.
  subscribers::ReferenceReceiver second(TlsReceiver(pki_));
  ASSERT_TRUE(second.Start().ok());
  SocketSender sender(Options(true, true));
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      const std::string base = t % 2 == 0 ? receiver_->BaseUrl() : second.BaseUrl();
      for (int i = 0; i < 5; ++i) {
        HttpResult r = sender.Send(Post(base + "/hook"));
        if (r.kind == HttpResult::Kind::kResponse && r.status == 200) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 30);
  EXPECT_EQ(receiver_->Posts().size(), 15u);
  EXPECT_EQ(second.Posts().size(), 15u);
  second.Stop();
}

TEST_F(SocketSenderTest, LoopbackIsRefusedWithoutAnAllowRuleEvenByName) {
  SocketSender sender(Options(false, true));
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    HttpResult r =
        sender.Send(Post("https://" + host + ":" + std::to_string(receiver_->port()) + "/hook"));
    EXPECT_EQ(r.kind, HttpResult::Kind::kForbidden) << host;
    EXPECT_NE(r.error.find("loopback"), std::string::npos) << r.error;
  }
  EXPECT_TRUE(receiver_->Posts().empty()) << "no request may leave";
}

// A host name is looked up once for many callbacks, not once per callback (host_resolver.h).
TEST_F(SocketSenderTest, AHostNameIsLookedUpOnceWhileRemembered) {
  std::atomic<int> lookups{0};
  SocketSenderOptions options = Options(true, true);
  options.lookup = [&](const std::string& host) -> Result<std::vector<IpAddress>> {
    ++lookups;
    EXPECT_EQ(host, "localhost");
    return std::vector<IpAddress>{*ParseIpAddress("127.0.0.1")};
  };
  SocketSender sender(options);
  const std::string url = "https://localhost:" + std::to_string(receiver_->port()) + "/hook";
  for (int i = 0; i < 5; ++i) {
    HttpResult r = sender.Send(Post(url));
    ASSERT_EQ(r.kind, HttpResult::Kind::kResponse) << r.error;
    EXPECT_EQ(r.status, 200);
  }
  EXPECT_EQ(lookups.load(), 1);
  EXPECT_EQ(receiver_->Posts().size(), 5u);

  // Turned off, every callback looks the name up.
  options.dns_cache_ttl = 0ms;
  SocketSender uncached(options);
  lookups = 0;
  for (int i = 0; i < 3; ++i) ASSERT_EQ(uncached.Send(Post(url)).status, 200);
  EXPECT_EQ(lookups.load(), 3);
}

// A name whose remembered address refuses the connection is looked up again at the next attempt,
// not retried at that address for the rest of the TTL: it may have moved.
TEST_F(SocketSenderTest, ANameIsLookedUpAgainAfterItsAddressRefused) {
  const int port = receiver_->port();
  std::atomic<int> lookups{0};
  std::atomic<bool> moved{false};
  // The name first points at 127.0.0.2 (nothing listens there on the receiver's port), then at
  // 127.0.0.1, where the receiver is.
  SocketSenderOptions options = Options(true, true);
  options.lookup = [&](const std::string&) -> Result<std::vector<IpAddress>> {
    ++lookups;
    return std::vector<IpAddress>{*ParseIpAddress(moved ? "127.0.0.1" : "127.0.0.2")};
  };
  SocketSender sender(options);
  const std::string url = "https://localhost:" + std::to_string(port) + "/hook";
  HttpResult refused = sender.Send(Post(url));
  EXPECT_EQ(refused.kind, HttpResult::Kind::kConnectError) << refused.error;
  moved = true;
  HttpResult r = sender.Send(Post(url));
  ASSERT_EQ(r.kind, HttpResult::Kind::kResponse) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(lookups.load(), 2);
}

// A host with several addresses, the first of which refuses (an IPv6 address this machine cannot
// reach, say): the next allowed one carries the callback.
TEST_F(SocketSenderTest, AnAddressThatRefusesIsPassedOverForTheHostsNextOne) {
  SocketSenderOptions options = Options(true, true);
  options.lookup = [&](const std::string&) -> Result<std::vector<IpAddress>> {
    // Nothing listens on 127.0.0.2 at the receiver's port; the receiver is on 127.0.0.1.
    return std::vector<IpAddress>{*ParseIpAddress("127.0.0.2"), *ParseIpAddress("127.0.0.1")};
  };
  SocketSender sender(options);
  const std::string url = "https://localhost:" + std::to_string(receiver_->port()) + "/hook";
  HttpResult r = sender.Send(Post(url));
  ASSERT_EQ(r.kind, HttpResult::Kind::kResponse) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(receiver_->Posts().size(), 1u);
}

TEST_F(SocketSenderTest, WhenEveryAddressRefusesTheErrorSaysHowManyWereTried) {
  SocketSenderOptions options = Options(true, true);
  options.lookup = [&](const std::string&) -> Result<std::vector<IpAddress>> {
    return std::vector<IpAddress>{*ParseIpAddress("127.0.0.2"), *ParseIpAddress("127.0.0.3")};
  };
  SocketSender sender(options);
  HttpResult r =
      sender.Send(Post("https://localhost:" + std::to_string(receiver_->port()) + "/hook"));
  EXPECT_EQ(r.kind, HttpResult::Kind::kConnectError) << r.error;
  EXPECT_NE(r.error.find("tried 2 of the host's 2 allowed addresses: 127.0.0.2: "),
            std::string::npos)
      << r.error;
  EXPECT_NE(r.error.find("; 127.0.0.3: "), std::string::npos) << r.error;
  EXPECT_EQ(r.status, 0);
}

// An address that lets a connection attempt go unanswered, on loopback: a listener on
// `ip`:`port` whose accept queue (a backlog of 0 holds one connection) is full and never
// drained, so that Linux drops further SYNs and a connect waits, as to a host that drops packets,
// instead of being refused. ok() once the connection filling the queue is established.
class SilentAddress {
 public:
  SilentAddress(const std::string& ip, int port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
        listen(listener_, 0) != 0) {
      return;
    }
    filler_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    connect(filler_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    pollfd p{filler_, POLLOUT, 0};
    int error = -1;
    socklen_t len = sizeof(error);
    ok_ = poll(&p, 1, 2000) == 1 && getsockopt(filler_, SOL_SOCKET, SO_ERROR, &error, &len) == 0 &&
          error == 0;
  }
  ~SilentAddress() {
    if (filler_ >= 0) close(filler_);
    if (listener_ >= 0) close(listener_);
  }
  SilentAddress(const SilentAddress&) = delete;
  SilentAddress& operator=(const SilentAddress&) = delete;
  bool ok() const { return ok_; }

 private:
  int listener_ = -1;
  int filler_ = -1;
  bool ok_ = false;
};

// Options whose lookup gives the host 127.0.0.2 (`silent` there) first, then 127.0.0.1, where
// the receiver is.
SocketSenderOptions SilentFirst(SocketSenderOptions options,
                                std::chrono::milliseconds connect_timeout) {
  options.connect_timeout = connect_timeout;
  options.lookup = [](const std::string&) -> Result<std::vector<IpAddress>> {
    return std::vector<IpAddress>{*ParseIpAddress("127.0.0.2"), *ParseIpAddress("127.0.0.1")};
  };
  return options;
}

// An address that never answers is left after --connect-timeout for the host's next one, within
// the attempt's deadline.
TEST_F(SocketSenderTest, AnAddressThatNeverAnswersIsLeftAfterTheConnectTimeout) {
  SilentAddress silent("127.0.0.2", receiver_->port());
  ASSERT_TRUE(silent.ok());
  SocketSender sender(SilentFirst(Options(true, true), 300ms));
  const auto started = std::chrono::steady_clock::now();
  HttpResult r =
      sender.Send(Post("https://localhost:" + std::to_string(receiver_->port()) + "/hook"));
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(r.kind, HttpResult::Kind::kResponse) << r.error;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(receiver_->Posts().size(), 1u);
  // It did wait on the silent address (not refused at once), and no longer than the limit says.
  EXPECT_GE(took, 280ms);
  EXPECT_LT(took, 3s);
}

// The attempt's deadline bounds the walk through the addresses: a silent first address that
// uses it up leaves no time for the next, and the attempt is a timeout naming what was tried.
TEST_F(SocketSenderTest, TheDeadlineEndsTheWalkThroughTheAddresses) {
  SilentAddress silent("127.0.0.2", receiver_->port());
  ASSERT_TRUE(silent.ok());
  SocketSender sender(SilentFirst(Options(true, true), 5000ms));
  const auto started = std::chrono::steady_clock::now();
  HttpResult r =
      sender.Send(Post("https://localhost:" + std::to_string(receiver_->port()) + "/hook", 400ms));
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(r.kind, HttpResult::Kind::kTimeout) << r.error;
  EXPECT_NE(r.error.find("tried 1 of the host's 2 allowed addresses: 127.0.0.2: "),
            std::string::npos)
      << r.error;
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(receiver_->Posts().empty());
  EXPECT_GE(took, 380ms);
  EXPECT_LT(took, 3s);
}

// Once an address has refused while the next answered, new connections try it last (until the
// name is looked up again), instead of waiting on it first each time.
TEST_F(SocketSenderTest, AnAddressThatRefusedIsTriedLastByLaterConnections) {
  std::atomic<int> lookups{0};
  SocketSenderOptions options = Options(true, true);
  options.lookup = [&](const std::string&) -> Result<std::vector<IpAddress>> {
    ++lookups;
    return std::vector<IpAddress>{*ParseIpAddress("127.0.0.2"), *ParseIpAddress("127.0.0.1")};
  };
  SocketSender sender(options);
  const std::string url = "https://localhost:" + std::to_string(receiver_->port()) + "/hook";
  ASSERT_EQ(sender.Send(Post(url)).status, 200);
  // Nothing listens at either address now: the next connection's errors show the order tried.
  receiver_->Stop();
  HttpResult r = sender.Send(Post(url));
  EXPECT_EQ(r.kind, HttpResult::Kind::kConnectError) << r.error;
  const std::size_t first = r.error.find("127.0.0.1: ");
  const std::size_t second = r.error.find("127.0.0.2: ");
  ASSERT_NE(first, std::string::npos) << r.error;
  ASSERT_NE(second, std::string::npos) << r.error;
  EXPECT_LT(first, second) << r.error;
  EXPECT_EQ(lookups.load(), 1);
}

// What is remembered is the lookup's answer, not a verdict: the SSRF guard judges a remembered
// address on every attempt.
TEST_F(SocketSenderTest, ARememberedAddressIsStillCheckedByTheGuardEveryTime) {
  std::atomic<int> lookups{0};
  SocketSenderOptions options = Options(/*allow_loopback=*/false, true);
  options.lookup = [&](const std::string&) -> Result<std::vector<IpAddress>> {
    ++lookups;
    return std::vector<IpAddress>{*ParseIpAddress("127.0.0.1")};
  };
  SocketSender sender(options);
  const std::string url = "https://localhost:" + std::to_string(receiver_->port()) + "/hook";
  for (int i = 0; i < 3; ++i) {
    HttpResult r = sender.Send(Post(url));
    EXPECT_EQ(r.kind, HttpResult::Kind::kForbidden) << r.error;
  }
  EXPECT_EQ(lookups.load(), 1);
  EXPECT_TRUE(receiver_->Posts().empty()) << "no request may leave";
}

TEST_F(SocketSenderTest, UntrustedCertificateIsATlsErrorNeverAFallback) {
  SocketSender sender(Options(true, /*trust_ca=*/false));
  HttpResult r = sender.Send(Post(receiver_->BaseUrl() + "/hook"));
  EXPECT_EQ(r.kind, HttpResult::Kind::kTlsError);
  EXPECT_NE(r.error.find("certificate"), std::string::npos) << r.error;
  EXPECT_TRUE(receiver_->Posts().empty());
}

// Callbacks go over TLS 1.2 or later only. The servers below really speak TLS 1.0 and 1.1 (a
// client that allows them agrees on that version); the sender's attempt is a TLS error and no
// request is made. Under Debian's default OpenSSL configuration (security level 2) this holds even
// without the sender's explicit minimum; the minimum keeps it under a configuration that lowers
// the level.
TEST_F(SocketSenderTest, ServerLimitedToTls11OrOlderIsATlsError) {
  for (const auto& [version, name] :
       {std::pair{TLS1_1_VERSION, "TLSv1.1"}, {TLS1_VERSION, "TLSv1"}}) {
    LegacyTlsServer legacy(pki_.server_cert, pki_.server_key, version);
    ASSERT_TRUE(legacy.Start()) << legacy.error();
    ASSERT_EQ(TryHandshake(legacy.port()), name) << "the test server does not speak " << name;
    SocketSender sender(Options(true, true));
    HttpResult r =
        sender.Send(Post("https://127.0.0.1:" + std::to_string(legacy.port()) + "/hook"));
    EXPECT_EQ(r.kind, HttpResult::Kind::kTlsError) << name << ": " << r.error;
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(legacy.handshakes_completed(), 1) << name << ": only the permissive client's";
    EXPECT_EQ(legacy.connections(), 2) << name;
  }
}

TEST_F(SocketSenderTest, HostThatDoesNotResolveIsAConnectErrorNamingIt) {
  SocketSender sender(Options(false, true));
  HttpResult r = sender.Send(Post("https://no-such-host.invalid/hook"));
  EXPECT_EQ(r.kind, HttpResult::Kind::kConnectError);
  EXPECT_NE(r.error.find("cannot resolve host no-such-host.invalid"), std::string::npos) << r.error;
  EXPECT_EQ(r.status, 0);
}

TEST_F(SocketSenderTest, RefusedConnectionIsAConnectError) {
  const int port = receiver_->port();
  receiver_->Stop();
  SocketSender sender(Options(true, true));
  HttpResult r = sender.Send(Post("https://127.0.0.1:" + std::to_string(port) + "/hook"));
  EXPECT_EQ(r.kind, HttpResult::Kind::kConnectError) << r.error;
}

TEST_F(SocketSenderTest, SlowAnswerIsATimeout) {
  receiver_->Script(1, {200, {}, "late", 3000ms});
  SocketSender sender(Options(true, true));
  HttpResult r = sender.Send(Post(receiver_->BaseUrl() + "/hook", 500ms));
  EXPECT_EQ(r.kind, HttpResult::Kind::kTimeout) << r.error;
  EXPECT_LT(r.duration, 2500ms);
}

TEST_F(SocketSenderTest, StatusRetryAfterAndAnExcerptOfAHugeBodyAreKept) {
  subscribers::ScriptedResponse big;
  big.status = 503;
  big.headers["Retry-After"] = "120";
  big.body = std::string(1 << 20, 'x');
  receiver_->Script(1, big);
  SocketSender sender(Options(true, true));
  HttpResult r = sender.Send(Post(receiver_->BaseUrl() + "/hook"));
  ASSERT_EQ(r.kind, HttpResult::Kind::kResponse) << r.error;
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.retry_after, "120");
  EXPECT_EQ(r.body_excerpt.size(), 1024u);
  // The connection was cut after the bounded prefix; the next request still works.
  HttpResult next = sender.Send(Post(receiver_->BaseUrl() + "/hook"));
  EXPECT_EQ(next.status, 200) << next.error;
}

// Outgoing webhooks read a bot's whole reply (up to 1 MiB) and ask for JSON.
TEST_F(SocketSenderTest, ReadsTheWholeBodyWhenAskedAndCutsItAtTheLimit) {
  subscribers::ScriptedResponse reply;
  reply.body = std::string(300 * 1024, 'y');  // beyond the excerpt and the default 64 KiB cap
  receiver_->Script(2, reply);
  SocketSender sender(Options(true, true));
  HttpRequest request = Post(receiver_->BaseUrl() + "/bot");
  request.headers = {{"Accept", "application/json"}};
  request.read_body_bytes = 1 << 20;
  HttpResult whole = sender.Send(request);
  ASSERT_EQ(whole.kind, HttpResult::Kind::kResponse) << whole.error;
  EXPECT_EQ(whole.body, reply.body);
  EXPECT_FALSE(whole.body_cut);
  EXPECT_EQ(receiver_->Posts().back().headers["accept"], "application/json");  // not also */*

  request.read_body_bytes = 100 * 1024;
  HttpResult cut = sender.Send(request);
  ASSERT_EQ(cut.kind, HttpResult::Kind::kResponse) << cut.error;
  EXPECT_EQ(cut.body.size(), 100u * 1024);
  EXPECT_TRUE(cut.body_cut);

  // Deliveries do not ask for the body: only the excerpt is kept.
  HttpResult delivery = sender.Send(Post(receiver_->BaseUrl() + "/hook"));
  EXPECT_TRUE(delivery.body.empty());
  EXPECT_EQ(receiver_->Posts().back().headers["accept"], "*/*");
}

TEST_F(SocketSenderTest, RedirectIsAnAnswerNotFollowed) {
  subscribers::ScriptedResponse moved;
  moved.status = 302;
  moved.headers["Location"] = receiver_->BaseUrl() + "/elsewhere";
  receiver_->Script(1, moved);
  SocketSender sender(Options(true, true));
  HttpResult r = sender.Send(Post(receiver_->BaseUrl() + "/hook"));
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(receiver_->Posts().size(), 1u);
}

// A plain-HTTP endpoint on loopback that serves its connections one after another, each with
// `serve(fd)`, and counts them: for answers no well-behaved server gives.
class RawEndpoint {
 public:
  explicit RawEndpoint(std::function<void(int fd)> serve) : serve_(std::move(serve)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        listen(listen_fd_, 4) != 0 ||
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ADD_FAILURE() << "cannot listen on loopback";
      return;
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~RawEndpoint() {
    stop_ = true;
    shutdown(listen_fd_, SHUT_RDWR);
    close(listen_fd_);
    if (thread_.joinable()) thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  int connections() const { return connections_.load(); }

 private:
  void Serve() {
    while (!stop_) {
      const int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      ++connections_;
      serve_(fd);
      close(fd);
    }
  }
  std::function<void(int fd)> serve_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;
};

// Reads one request (head and Content-Length body); false when the connection ends first.
bool ReadRequest(int fd) {
  std::string data;
  char buf[4096];
  for (;;) {
    const std::size_t head_end = data.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      const std::size_t at = data.find("Content-Length: ");
      const std::size_t length = at == std::string::npos ? 0 : std::stoul(data.substr(at + 16));
      if (data.size() >= head_end + 4 + length) return true;
    }
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    data.append(buf, static_cast<std::size_t>(n));
  }
}

void SendText(int fd, const std::string& text) {
  (void)!send(fd, text.data(), text.size(), MSG_NOSIGNAL);
}

// Waits until the client closes its end (or 10 s); returns whether it sent anything meanwhile.
bool WaitForClientClose(int fd) {
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[256];
  bool sent = false;
  while (recv(fd, buf, sizeof buf, 0) > 0) sent = true;
  return sent;
}

// Servers close idle kept-alive connections whenever they like. A pooled connection the server
// has closed is noticed before reuse (the peek sees the end) and not used.
TEST_F(SocketSenderTest, KeptAliveConnectionClosedWhileIdleIsReplaced) {
  std::atomic<int> requests{0};
  RawEndpoint endpoint([&](int fd) {
    if (!ReadRequest(fd)) return;
    ++requests;
    SendText(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  });  // ...and closes the connection right after answering, without saying so
  SocketSender sender(Options(true, false));
  for (int i = 0; i < 3; ++i) {
    HttpResult r = sender.Send(Post(endpoint.url()));
    ASSERT_EQ(r.kind, HttpResult::Kind::kResponse) << i << ": " << r.error;
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body_excerpt, "ok");
  }
  EXPECT_EQ(requests.load(), 3);
  EXPECT_EQ(endpoint.connections(), 3);
}

// A server may also close a kept-alive connection just as the next request goes out: it reads
// (or drops) the request and closes without answering. The request goes out once more on a new
// connection, and the attempt is not a failure.
TEST_F(SocketSenderTest, RequestOnAConnectionClosedWithoutAnAnswerIsSentAgain) {
  std::atomic<int> requests{0};
  RawEndpoint endpoint([&](int fd) {
    int served = 0;
    while (ReadRequest(fd)) {
      ++requests;
      if (++served == 2) return;  // the second request on this connection: closed unanswered
      SendText(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    }
  });
  SocketSender sender(Options(true, false));
  for (int i = 0; i < 2; ++i) {
    HttpResult r = sender.Send(Post(endpoint.url()));
    ASSERT_EQ(r.kind, HttpResult::Kind::kResponse) << i << ": " << r.error;
    EXPECT_EQ(r.status, 200);
  }
  EXPECT_EQ(endpoint.connections(), 2);
  EXPECT_EQ(requests.load(), 3) << "the second request reached the endpoint twice";
}

TEST_F(SocketSenderTest, ChunkedAnswerIsReadAndConnectionCloseIsHonoured) {
  std::atomic<bool> reused{false};
  RawEndpoint endpoint([&](int fd) {
    if (!ReadRequest(fd)) return;
    SendText(fd,
             "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n4\r\nwi");
    std::this_thread::sleep_for(20ms);  // the rest in a second segment
    SendText(fd, "ki\r\n3\r\n ok\r\n0\r\n\r\n");
    // The client, not the server, ends the connection; a request on it would be a reuse.
    if (WaitForClientClose(fd)) reused = true;
  });
  SocketSender sender(Options(true, false));
  for (int i = 0; i < 2; ++i) {
    HttpResult r = sender.Send(Post(endpoint.url()));
    ASSERT_EQ(r.kind, HttpResult::Kind::kResponse) << r.error;
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body_excerpt, "wiki ok");
    EXPECT_LT(r.duration, 5s) << "not after the endpoint's 10 s wait for a reused request";
  }
  EXPECT_EQ(endpoint.connections(), 2);
  EXPECT_FALSE(reused.load()) << "Connection: close, so never reused";
}

TEST_F(SocketSenderTest, KeptAliveConnectionCarriesTheNextRequests) {
  std::atomic<int> requests{0};
  RawEndpoint endpoint([&](int fd) {
    while (ReadRequest(fd)) {
      ++requests;
      SendText(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    }
  });
  SocketSender sender(Options(true, false));
  for (int i = 0; i < 3; ++i) {
    HttpResult r = sender.Send(Post(endpoint.url()));
    ASSERT_EQ(r.kind, HttpResult::Kind::kResponse) << r.error;
  }
  EXPECT_EQ(requests.load(), 3);
  EXPECT_EQ(endpoint.connections(), 1);
}

// Bytes after a complete answer (here a stray CRLF 30 ms after a 204) mean the endpoint and the
// sender disagree on where the answer ended: that connection is not used again.
TEST_F(SocketSenderTest, ConnectionWithBytesAfterTheAnswerIsNotReused) {
  std::atomic<int> connection{0};
  std::atomic<bool> stray_sent{false};
  RawEndpoint endpoint([&](int fd) {
    if (!ReadRequest(fd)) return;
    if (++connection == 1) {
      SendText(fd, "HTTP/1.1 204 No Content\r\n\r\n");
      std::this_thread::sleep_for(30ms);  // after the client has read the answer
      SendText(fd, "\r\n");
      stray_sent = true;
      WaitForClientClose(fd);
    } else {
      SendText(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    }
  });
  SocketSender sender(Options(true, false));
  HttpResult first = sender.Send(Post(endpoint.url()));
  EXPECT_EQ(first.status, 204) << first.error;
  // The stray bytes reach the idle connection (loopback delivers as the send returns).
  for (int i = 0; i < 500 && !stray_sent; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_TRUE(stray_sent.load());
  std::this_thread::sleep_for(10ms);
  HttpResult second = sender.Send(Post(endpoint.url()));
  ASSERT_EQ(second.kind, HttpResult::Kind::kResponse) << second.error;
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(endpoint.connections(), 2);
}

// An answer whose body runs to the connection's end, cut off by the deadline: a timeout, not a
// short body (an outgoing webhook would otherwise post half a reply).
TEST_F(SocketSenderTest, BodyCutOffByTheDeadlineIsATimeoutNotAShortAnswer) {
  RawEndpoint endpoint([](int fd) {
    if (!ReadRequest(fd)) return;
    SendText(fd, "HTTP/1.1 200 OK\r\n\r\n{\"text\":\"hel");
    WaitForClientClose(fd);
  });
  SocketSender sender(Options(true, false));
  HttpRequest request = Post(endpoint.url(), 500ms);
  request.read_body_bytes = 1 << 20;
  HttpResult r = sender.Send(request);
  EXPECT_EQ(r.kind, HttpResult::Kind::kTimeout) << r.error;
  EXPECT_EQ(r.status, 0);
}

// The certificate must name the URL's host, as an IP address or as a DNS name: a certificate
// from a trusted CA for another name is refused either way.
TEST_F(SocketSenderTest, CertificateForAnotherHostIsATlsError) {
  TempDir other_dir;
  PkiOptions pki_options;
  pki_options.subject_alt_names = "DNS:other.example";
  const TestPki other = MakeTestPki(other_dir.path(), pki_options);
  subscribers::ReferenceReceiver receiver(TlsReceiver(other));
  ASSERT_TRUE(receiver.Start().ok());
  SocketSenderOptions sender_options = Options(true, false);
  sender_options.ca_file = other.ca_cert;
  SocketSender sender(sender_options);
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    HttpResult r =
        sender.Send(Post("https://" + host + ":" + std::to_string(receiver.port()) + "/hook"));
    EXPECT_EQ(r.kind, HttpResult::Kind::kTlsError) << host << ": " << r.error;
    EXPECT_NE(r.error.find("mismatch"), std::string::npos) << host << ": " << r.error;
  }
  EXPECT_TRUE(receiver.Posts().empty());
  receiver.Stop();
}

TEST_F(SocketSenderTest, MalformedAnswerIsAConnectErrorSayingWhy) {
  RawEndpoint endpoint([](int fd) {
    if (!ReadRequest(fd)) return;
    SendText(fd, "HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n");
    WaitForClientClose(fd);
  });
  SocketSender sender(Options(true, false));
  HttpResult r = sender.Send(Post(endpoint.url()));
  EXPECT_EQ(r.kind, HttpResult::Kind::kConnectError);
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.error.find("invalid HTTP response"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("status code"), std::string::npos) << r.error;
}

TEST_F(SocketSenderTest, HeaderWithALineBreakIsNeverSent) {
  SocketSender sender(Options(true, true));
  HttpRequest request = Post(receiver_->BaseUrl() + "/hook");
  request.headers.emplace_back("Authorization", "Bearer x\r\nX-Injected: 1");
  HttpResult r = sender.Send(request);
  EXPECT_EQ(r.kind, HttpResult::Kind::kConnectError);
  EXPECT_NE(r.error.find("malformed header \"Authorization\""), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find("Bearer"), std::string::npos) << "no secret in the error";
  // Nor a header name that is not a token, nor a content type with a line break.
  HttpRequest spaced = Post(receiver_->BaseUrl() + "/hook");
  spaced.headers.emplace_back("X Bad", "1");
  EXPECT_EQ(sender.Send(spaced).kind, HttpResult::Kind::kConnectError);
  HttpRequest typed = Post(receiver_->BaseUrl() + "/hook");
  typed.content_type = "application/json\r\nX-Injected: 1";
  EXPECT_EQ(sender.Send(typed).kind, HttpResult::Kind::kConnectError);
  EXPECT_TRUE(receiver_->Posts().empty());
}

// Without the sender's own deadline, an endpoint trickling its answer would hold the attempt
// (and a worker) for as long as each byte comes before a per-read timeout.
TEST_F(SocketSenderTest, EndpointTricklingBytesIsCutOffAtTheTotalTimeout) {
  std::atomic<int> sent{0};
  RawEndpoint endpoint([&](int fd) {
    if (!ReadRequest(fd)) return;
    for (char c : std::string("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")) {
      if (send(fd, &c, 1, MSG_NOSIGNAL) != 1) break;
      ++sent;
      std::this_thread::sleep_for(200ms);
    }
  });
  SocketSender sender(Options(true, false));
  HttpRequest request = Post(endpoint.url(), 1s);
  const auto started = std::chrono::steady_clock::now();
  HttpResult r = sender.Send(request);
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(r.kind, HttpResult::Kind::kTimeout) << r.error;
  EXPECT_NE(r.error.find("whole exchange"), std::string::npos) << r.error;
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 2s) << "the attempt must end at its deadline, not at the last byte";
  EXPECT_GT(sent.load(), 2) << "the endpoint did answer, slowly";
}

}  // namespace
}  // namespace hookbroker::testing
