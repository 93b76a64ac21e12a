// The real HTTP sender against real loopback receivers: TLS verification, the SSRF guard at
// connect time, error classification, bounded responses.
#include "broker/httplib_sender.h"

#include <gtest/gtest.h>

#include "subscribers/reference_receiver.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace hookbroker::testing {
namespace {

using namespace std::chrono_literals;

class HttplibSenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_ = MakeTestPki(dir_.path());
    subscribers::ReceiverOptions options;
    options.tls = true;
    options.cert_file = pki_.server_cert;
    options.key_file = pki_.server_key;
    receiver_ = std::make_unique<subscribers::ReferenceReceiver>(options);
    ASSERT_TRUE(receiver_->Start().ok());
  }

  HttplibSenderOptions Options(bool allow_loopback, bool trust_ca) {
    HttplibSenderOptions o;
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

TEST_F(HttplibSenderTest, DeliversOverVerifiedTlsAndReusesTheConnection) {
  HttplibSender sender(Options(true, true));
  for (int i = 0; i < 3; ++i) {
    HttpResult r = sender.Send(Post(receiver_->BaseUrl() + "/hook"));
    ASSERT_EQ(r.kind, HttpResult::Kind::kResponse) << r.error;
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body_excerpt, "ok");
  }
  auto posts = receiver_->Posts();
  ASSERT_EQ(posts.size(), 3u);
  EXPECT_EQ(posts[0].headers["webhook-id"], "msg_1");
  EXPECT_EQ(posts[0].headers["content-type"], "application/json");
  EXPECT_EQ(posts[0].headers["user-agent"], std::string("hookbroker/") + HOOKBROKER_VERSION);
  EXPECT_EQ(posts[0].body, R"({"hello":"world"})");
}

TEST_F(HttplibSenderTest, LoopbackIsRefusedWithoutAnAllowRuleEvenByName) {
  HttplibSender sender(Options(false, true));
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    HttpResult r =
        sender.Send(Post("https://" + host + ":" + std::to_string(receiver_->port()) + "/hook"));
    EXPECT_EQ(r.kind, HttpResult::Kind::kForbidden) << host;
    EXPECT_NE(r.error.find("loopback"), std::string::npos) << r.error;
  }
  EXPECT_TRUE(receiver_->Posts().empty()) << "no request may leave";
}

TEST_F(HttplibSenderTest, UntrustedCertificateIsATlsErrorNeverAFallback) {
  HttplibSender sender(Options(true, /*trust_ca=*/false));
  HttpResult r = sender.Send(Post(receiver_->BaseUrl() + "/hook"));
  EXPECT_EQ(r.kind, HttpResult::Kind::kTlsError);
  EXPECT_NE(r.error.find("certificate"), std::string::npos) << r.error;
  EXPECT_TRUE(receiver_->Posts().empty());
}

TEST_F(HttplibSenderTest, RefusedConnectionIsAConnectError) {
  const int port = receiver_->port();
  receiver_->Stop();
  HttplibSender sender(Options(true, true));
  HttpResult r = sender.Send(Post("https://127.0.0.1:" + std::to_string(port) + "/hook"));
  EXPECT_EQ(r.kind, HttpResult::Kind::kConnectError) << r.error;
}

TEST_F(HttplibSenderTest, SlowAnswerIsATimeout) {
  receiver_->Script(1, {200, {}, "late", 3000ms});
  HttplibSender sender(Options(true, true));
  HttpResult r = sender.Send(Post(receiver_->BaseUrl() + "/hook", 500ms));
  EXPECT_EQ(r.kind, HttpResult::Kind::kTimeout) << r.error;
  EXPECT_LT(r.duration, 2500ms);
}

TEST_F(HttplibSenderTest, StatusRetryAfterAndAnExcerptOfAHugeBodyAreKept) {
  subscribers::ScriptedResponse big;
  big.status = 503;
  big.headers["Retry-After"] = "120";
  big.body = std::string(1 << 20, 'x');
  receiver_->Script(1, big);
  HttplibSender sender(Options(true, true));
  HttpResult r = sender.Send(Post(receiver_->BaseUrl() + "/hook"));
  ASSERT_EQ(r.kind, HttpResult::Kind::kResponse) << r.error;
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.retry_after, "120");
  EXPECT_EQ(r.body_excerpt.size(), 1024u);
  // The connection was cut after the bounded prefix; the next request still works.
  HttpResult next = sender.Send(Post(receiver_->BaseUrl() + "/hook"));
  EXPECT_EQ(next.status, 200) << next.error;
}

TEST_F(HttplibSenderTest, RedirectIsAnAnswerNotFollowed) {
  subscribers::ScriptedResponse moved;
  moved.status = 302;
  moved.headers["Location"] = receiver_->BaseUrl() + "/elsewhere";
  receiver_->Script(1, moved);
  HttplibSender sender(Options(true, true));
  HttpResult r = sender.Send(Post(receiver_->BaseUrl() + "/hook"));
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(receiver_->Posts().size(), 1u);
}

}  // namespace
}  // namespace hookbroker::testing
