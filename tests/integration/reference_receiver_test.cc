// The reference receiver is the "business system" of every end-to-end test, so its own behaviour
// (TLS with the test PKI, scripting, handshakes, stopping) is checked here first.
#include "subscribers/reference_receiver.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/x509_vfy.h>

#include <chrono>
#include <future>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "tests/support/http_client.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace hookbroker {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using subscribers::HandshakeMode;
using subscribers::ReceiverOptions;
using subscribers::ReferenceReceiver;
using subscribers::ScriptedResponse;
namespace support = hookbroker::testing;

struct TlsOutcome {
  httplib::Error error = httplib::Error::Unknown;
  int status = 0;
  std::string body;
  long verify_result = X509_V_OK;
};

// POSTs over HTTPS to 127.0.0.1:port trusting only `ca_file`, with certificate and host name
// verification on: what the broker does.
TlsOutcome VerifiedPost(int port, const std::string& ca_file) {
  httplib::SSLClient client("127.0.0.1", port);
  client.set_ca_cert_path(ca_file.c_str());
  client.enable_server_certificate_verification(true);
  client.set_tcp_nodelay(true);
  client.set_connection_timeout(seconds(5));
  client.set_read_timeout(seconds(10));
  client.set_write_timeout(seconds(10));
  httplib::Result result = client.Post("/hooks/in?tenant=t1", {{"X-Hook-Signature", "sig-1"}},
                                       R"({"event":"created"})", "application/json");
  TlsOutcome outcome;
  outcome.error = result.error();
  if (result) {
    outcome.status = result->status;
    outcome.body = result->body;
  }
  outcome.verify_result = client.get_openssl_verify_result();
  return outcome;
}

// Built field by field: designated initializers that skip a member without a default (such as
// cert_file) trip -Wmissing-field-initializers.
ReceiverOptions TlsOptions(const std::string& cert_file, const std::string& key_file) {
  ReceiverOptions options;
  options.tls = true;
  options.cert_file = cert_file;
  options.key_file = key_file;
  return options;
}

ScriptedResponse Answer(int status, std::string body, milliseconds delay = milliseconds(0)) {
  ScriptedResponse response;
  response.status = status;
  response.body = std::move(body);
  response.delay = delay;
  return response;
}

std::int64_t NowMs() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(ReferenceReceiverTest, HttpsWithTestPkiAcceptsVerifyingClientAndRecordsPost) {
  support::TempDir dir;
  const support::TestPki pki = support::MakeTestPki(dir.path());
  ReferenceReceiver receiver(TlsOptions(pki.server_cert, pki.server_key));
  const Status started = receiver.Start();
  ASSERT_TRUE(started.ok()) << started.error().message;
  EXPECT_EQ(receiver.BaseUrl(), "https://127.0.0.1:" + std::to_string(receiver.port()));

  const std::int64_t before = NowMs();
  const TlsOutcome outcome = VerifiedPost(receiver.port(), pki.ca_cert);
  ASSERT_EQ(outcome.error, httplib::Error::Success) << httplib::to_string(outcome.error);
  EXPECT_EQ(outcome.status, 200);
  EXPECT_EQ(outcome.body, "ok");
  EXPECT_EQ(outcome.verify_result, X509_V_OK);

  ASSERT_TRUE(receiver.WaitForPosts(1, seconds(5)));
  const auto posts = receiver.Posts();
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].method, "POST");
  EXPECT_EQ(posts[0].path, "/hooks/in");
  EXPECT_EQ(posts[0].query.at("tenant"), "t1");
  EXPECT_EQ(posts[0].headers.at("x-hook-signature"), "sig-1");  // name lowercased
  EXPECT_EQ(posts[0].headers.at("content-type"), "application/json");
  EXPECT_EQ(posts[0].headers.count("remote_addr"), 0u);  // httplib's pseudo-headers left out
  EXPECT_EQ(posts[0].body, R"({"event":"created"})");
  EXPECT_GE(posts[0].received_ms, before);
  EXPECT_LE(posts[0].received_ms, NowMs());
  EXPECT_TRUE(receiver.Handshakes().empty());
}

TEST(ReferenceReceiverTest, ExpiredServerCertificateIsRejectedByVerifyingClient) {
  support::TempDir dir;
  const support::TestPki pki = support::MakeTestPki(dir.path(), {.expired = true});
  ReferenceReceiver receiver(TlsOptions(pki.server_cert, pki.server_key));
  ASSERT_TRUE(receiver.Start().ok());

  const TlsOutcome outcome = VerifiedPost(receiver.port(), pki.ca_cert);
  EXPECT_EQ(outcome.error, httplib::Error::SSLServerVerification)
      << httplib::to_string(outcome.error);
  EXPECT_EQ(outcome.verify_result, X509_V_ERR_CERT_HAS_EXPIRED);
  EXPECT_TRUE(receiver.Posts().empty());
}

TEST(ReferenceReceiverTest, SelfSignedServerCertificateIsRejectedByVerifyingClient) {
  support::TempDir dir;
  const support::TestPki pki = support::MakeTestPki(dir.path(), {.self_signed = true});
  ReferenceReceiver receiver(TlsOptions(pki.server_cert, pki.server_key));
  ASSERT_TRUE(receiver.Start().ok());

  const TlsOutcome outcome = VerifiedPost(receiver.port(), pki.ca_cert);
  EXPECT_EQ(outcome.error, httplib::Error::SSLServerVerification)
      << httplib::to_string(outcome.error);
  EXPECT_EQ(outcome.verify_result, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
  EXPECT_TRUE(receiver.Posts().empty());
}

TEST(ReferenceReceiverTest, StartFailsWhenTlsFilesAreMissing) {
  support::TempDir dir;
  ReferenceReceiver receiver(TlsOptions(dir.File("absent.pem"), dir.File("absent-key.pem")));
  const Status started = receiver.Start();
  ASSERT_FALSE(started.ok());
  EXPECT_FALSE(started.error().message.empty());
}

TEST(ReferenceReceiverTest, StartFailsWhenThePortIsTaken) {
  ReferenceReceiver first;
  ASSERT_TRUE(first.Start().ok());
  ReceiverOptions options;
  options.port = first.port();
  ReferenceReceiver second(options);
  // Two receivers sharing a port would split the broker's callbacks between them.
  EXPECT_FALSE(second.Start().ok());
  EXPECT_EQ(support::HttpCall(first.BaseUrl(), "POST", "/still-first", "x").status, 200);
  EXPECT_EQ(first.Posts().size(), 1u);
}

TEST(ReferenceReceiverTest, ScriptedUnavailableThenDefaultOk) {
  ReferenceReceiver receiver;
  ASSERT_TRUE(receiver.Start().ok());
  ScriptedResponse busy = Answer(503, "busy");
  busy.headers["Retry-After"] = "1";
  receiver.Script(2, busy);

  for (int i = 0; i < 2; ++i) {
    const support::HttpReply reply =
        support::HttpCall(receiver.BaseUrl(), "POST", "/cb", "attempt " + std::to_string(i));
    EXPECT_EQ(reply.status, 503) << "attempt " << i;
    EXPECT_EQ(reply.body, "busy");
    EXPECT_EQ(reply.headers.count("retry-after") ? reply.headers.at("retry-after") : "", "1");
  }
  const support::HttpReply third = support::HttpCall(receiver.BaseUrl(), "POST", "/cb", "again");
  EXPECT_EQ(third.status, 200);
  EXPECT_EQ(third.body, "ok");

  // Every attempt is recorded, failed ones included, in arrival order.
  const auto posts = receiver.Posts();
  ASSERT_EQ(posts.size(), 3u);
  EXPECT_EQ(posts[0].body, "attempt 0");
  EXPECT_EQ(posts[1].body, "attempt 1");
  EXPECT_EQ(posts[2].body, "again");
}

TEST(ReferenceReceiverTest, DelayedAnswerIsRecordedBeforeItIsSent) {
  ReferenceReceiver receiver;
  ASSERT_TRUE(receiver.Start().ok());
  receiver.Script(1, Answer(202, "late", milliseconds(800)));

  const auto sent = std::chrono::steady_clock::now();
  auto reply = std::async(std::launch::async, [&] {
    return support::HttpCall(receiver.BaseUrl(), "POST", "/slow", "x");
  });
  // The request is visible well before its (delayed) answer.
  ASSERT_TRUE(receiver.WaitForPosts(1, milliseconds(600)));
  EXPECT_EQ(reply.wait_for(milliseconds(0)), std::future_status::timeout);

  const support::HttpReply answer = reply.get();
  EXPECT_EQ(answer.status, 202);
  EXPECT_EQ(answer.body, "late");
  EXPECT_GE(std::chrono::steady_clock::now() - sent, milliseconds(800));
}

TEST(ReferenceReceiverTest, StopClosesKeptAliveConnectionsPromptlyAndRestartKeepsThePort) {
  ReferenceReceiver receiver;
  ASSERT_TRUE(receiver.Start().ok());
  const int port = receiver.port();

  httplib::Client client(receiver.BaseUrl());
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);
  client.set_connection_timeout(seconds(2));
  client.set_read_timeout(seconds(2));
  ASSERT_TRUE(client.Post("/a", "1", "text/plain"));

  // The connection is idle in keep-alive; Stop() must not wait out the 5 s keep-alive timeout,
  // and must not leave that connection served.
  const auto before = std::chrono::steady_clock::now();
  receiver.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, seconds(2));
  EXPECT_FALSE(client.Post("/b", "2", "text/plain"));
  EXPECT_EQ(receiver.Posts().size(), 1u);

  // A stopped receiver comes back on the same port, so URLs registered with the broker still
  // point at it.
  ASSERT_TRUE(receiver.Start().ok());
  EXPECT_EQ(receiver.port(), port);
  EXPECT_EQ(support::HttpCall(receiver.BaseUrl(), "POST", "/c", "3").status, 200);
  EXPECT_EQ(receiver.Posts().size(), 2u);
}

// A burst of new connections, each with its first request, as a broker opening its connection
// pool sends them: every one is answered and recorded. Under ThreadSanitizer, before
// PrimeHttplibStatics (proto/httplib_listener.h), this reported a false race inside cpp-httplib in
// 3 of 9 runs, and before BindHttplibServer's backlog some clients were reset in 5 of 30.
TEST(ReferenceReceiverTest, SimultaneousFirstRequestsAreAllAnswered) {
  ReferenceReceiver receiver;
  ASSERT_TRUE(receiver.Start().ok());
  constexpr int kClients = 16;
  std::vector<support::HttpReply> replies(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&receiver, &replies, i] {
      replies[i] =
          support::HttpCall(receiver.BaseUrl(), "POST", "/cb", "client " + std::to_string(i));
    });
  }
  for (std::thread& client : clients) client.join();

  for (int i = 0; i < kClients; ++i) {
    EXPECT_EQ(replies[i].status, 200) << "client " << i << ": " << replies[i].body;
  }
  std::set<std::string> bodies;
  for (const auto& post : receiver.Posts()) bodies.insert(post.body);
  EXPECT_EQ(bodies.size(), static_cast<std::size_t>(kClients));
  EXPECT_EQ(receiver.Posts().size(), static_cast<std::size_t>(kClients));
}

TEST(ReferenceReceiverTest, PlainGetWithoutTokenIsNotAHandshake) {
  ReferenceReceiver receiver;
  ASSERT_TRUE(receiver.Start().ok());
  EXPECT_EQ(support::HttpCall(receiver.BaseUrl(), "GET", "/cb").status, 404);
  EXPECT_TRUE(receiver.Handshakes().empty());
  EXPECT_TRUE(receiver.Posts().empty());
}

class HandshakeModeTest
    : public ::testing::TestWithParam<std::tuple<HandshakeMode, int, std::string>> {};

TEST_P(HandshakeModeTest, AnswersValidationTokenAsConfigured) {
  const auto& [mode, want_status, want_body] = GetParam();
  ReferenceReceiver receiver;
  ASSERT_TRUE(receiver.Start().ok());
  receiver.SetHandshakeMode(mode);

  const support::HttpReply reply =
      support::HttpCall(receiver.BaseUrl(), "GET", "/cb?validationToken=tok-4711");
  EXPECT_EQ(reply.status, want_status);
  if (!want_body.empty()) {
    EXPECT_EQ(reply.body, want_body);
  }
  if (mode != HandshakeMode::kEcho) {
    EXPECT_NE(reply.body, "tok-4711");  // only the echo may prove possession of the token
  }

  const auto handshakes = receiver.Handshakes();
  ASSERT_EQ(handshakes.size(), 1u);
  EXPECT_EQ(handshakes[0].method, "GET");
  EXPECT_EQ(handshakes[0].path, "/cb");
  EXPECT_EQ(handshakes[0].query.at("validationToken"), "tok-4711");
  EXPECT_TRUE(receiver.Posts().empty());  // a handshake is not a delivery
}

INSTANTIATE_TEST_SUITE_P(
    Modes, HandshakeModeTest,
    ::testing::Values(std::make_tuple(HandshakeMode::kEcho, 200, std::string("tok-4711")),
                      std::make_tuple(HandshakeMode::kWrongBody, 200, std::string("nope")),
                      std::make_tuple(HandshakeMode::kError, 500, std::string())),
    [](const auto& param_info) {
      switch (std::get<0>(param_info.param)) {
        case HandshakeMode::kEcho:
          return std::string("Echo");
        case HandshakeMode::kWrongBody:
          return std::string("WrongBody");
        case HandshakeMode::kError:
          return std::string("Error");
        case HandshakeMode::kSlow:
          return std::string("Slow");
      }
      return std::string("Unknown");
    });

}  // namespace
}  // namespace hookbroker
