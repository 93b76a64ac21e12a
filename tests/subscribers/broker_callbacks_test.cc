// The library's checks against callbacks produced by the running broker: real signatures, real
// headers, the real envelope; then the same callbacks altered, replayed late, or checked with the
// wrong secret, token or credentials.
#include <gtest/gtest.h>

#include "proto/base64.h"
#include "proto/signature.h"
#include "subscribers/callback_event.h"
#include "subscribers/callback_handler.h"
#include "subscribers/callback_verifier.h"
#include "tests/integration/broker_fixture.h"
#include "tests/subscribers/signed_request.h"

namespace hookbroker::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;
using subscribers::CallbackRequest;
using subscribers::CallbackVerifier;
using subscribers::VerifierOptions;

CallbackRequest FromRecorded(const subscribers::ReceivedRequest& post) {
  return CallbackRequest{.method = post.method,
                         .path = post.path,
                         .query = post.query,
                         .headers = post.headers,
                         .body = post.body};
}

std::int64_t NowS() { return subscribers::SystemNowMs() / 1000; }

class BrokerCallbacksTest : public BrokerFixture {
 protected:
  // Registers a webhook with the given token and credentials, publishes one event to it and
  // returns the callback as the broker sent it.
  CallbackRequest OneCallback(const std::string& group, json::object event, json::object extra) {
    extra["secret"] = kSecretA;
    auto [id, secret] = Register("Group", group, {"*"}, std::move(extra));
    EXPECT_EQ(secret, kSecretA);
    webhook_id_ = id;
    event["groupId"] = group;
    const std::size_t before = receiver_->Posts().size();
    Publish(event);
    EXPECT_TRUE(receiver_->WaitForPosts(before + 1, 10s));
    return FromRecorded(receiver_->Posts().back());
  }

  std::string webhook_id_;
};

TEST_F(BrokerCallbacksTest, AcceptsTheBrokersCallbackAndRejectsAlteredCopies) {
  StartBroker();
  CallbackRequest cb =
      OneCallback("g-lib",
                  json::object{{"eventType", "TextMessageCreated"},
                               {"eventId", "e-lib-1"},
                               {"data", json::object{{"text", "signed \u00e9"}}}},
                  json::object{{"callBackToken", "kz-token"},
                               {"auth", json::object{{"username", "alice"}, {"password", "pw"}}}});
  auto verifier = CallbackVerifier::Create(
      {.secrets = {kSecretA}, .callback_token = "kz-token", .basic_credentials = "alice:pw"});
  ASSERT_TRUE(verifier.ok());
  Status ok = verifier->Verify(cb, NowS());
  EXPECT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(*cb.Header("webhook-id"), WebhookMessageId(webhook_id_, "e-lib-1"));

  auto event = subscribers::ParseCallbackEvent(cb.body);
  ASSERT_TRUE(event.ok()) << event.error().message;
  EXPECT_EQ(event->kind, subscribers::EventKind::kTextMessageCreated);
  EXPECT_EQ(event->subscription_id, webhook_id_);
  EXPECT_EQ(event->object_id, "g-lib");
  EXPECT_EQ(std::get<subscribers::TextMessageData>(event->typed).text, "signed \u00e9");

  auto code = [](const Status& s) { return s.ok() ? std::string("ok") : s.error().code; };
  CallbackRequest tampered = cb;
  tampered.body.replace(tampered.body.find("signed"), 6, "SIGNED");
  EXPECT_EQ(code(verifier->Verify(tampered, NowS())), "invalid_signature");
  EXPECT_EQ(code(verifier->Verify(cb, NowS() + 301)), "stale_timestamp");

  auto other_secret = CallbackVerifier::Create(
      {.secrets = {kSecretB}, .callback_token = "kz-token", .basic_credentials = "alice:pw"});
  EXPECT_EQ(code(other_secret->Verify(cb, NowS())), "invalid_signature");
  auto rotated = CallbackVerifier::Create({.secrets = {kSecretB, kSecretA}});
  EXPECT_EQ(code(rotated->Verify(cb, NowS())), "ok");
  auto other_token =
      CallbackVerifier::Create({.secrets = {kSecretA}, .callback_token = "another-token"});
  EXPECT_EQ(code(other_token->Verify(cb, NowS())), "invalid_token");
  auto other_user =
      CallbackVerifier::Create({.secrets = {kSecretA}, .basic_credentials = "alice:other"});
  EXPECT_EQ(code(other_user->Verify(cb, NowS())), "invalid_auth");
}

TEST_F(BrokerCallbacksTest, ChecksAKommunicateStyleAuthHeader) {
  StartBroker();
  CallbackRequest cb = OneCallback(
      "g-kom", json::object{{"eventType", "MemberAdded"}, {"data", json::object{{"member", "+9"}}}},
      json::object{{"auth", json::object{{"token", "abcdef"}, {"header", "Authentication"}}}});
  auto verifier = CallbackVerifier::Create(
      {.secrets = {kSecretA}, .basic_credentials = "abcdef", .auth_header = "Authentication"});
  Status s = verifier->Verify(cb, NowS());
  EXPECT_TRUE(s.ok()) << s.error().message;
  auto event = subscribers::ParseCallbackEvent(cb.body);
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(std::get<subscribers::MemberData>(event->typed).member, "+9");
}

TEST_F(BrokerCallbacksTest, ARetriedCallbackIsRecognisedAsARedelivery) {
  StartBroker();
  // The receiver fails the first attempt, so the broker retries the same callback.
  receiver_->Script(1, {.status = 503, .body = "busy"});
  CallbackRequest first = OneCallback(
      "g-retry", json::object{{"eventType", "JobCreated"}, {"data", json::object{{"title", "T"}}}},
      {});
  ASSERT_TRUE(receiver_->WaitForPosts(2, 10s));
  CallbackRequest retry = FromRecorded(receiver_->Posts().at(1));
  EXPECT_EQ(*retry.Header("webhook-id"), *first.Header("webhook-id"));
  EXPECT_EQ(retry.body, first.body);

  TempDir store_dir;
  auto store = subscribers::ReceivedStore::Open(store_dir.File("store"));
  ASSERT_TRUE(store.ok());
  subscribers::CallbackHandler handler(*CallbackVerifier::Create({.secrets = {kSecretA}}),
                                       store->get(), subscribers::SystemNowMs);
  auto status = [](const subscribers::CallbackResponse& r) {
    return std::string(json::parse(r.body).at("status").as_string());
  };
  EXPECT_EQ(status(handler.Handle(first)), "stored");
  EXPECT_EQ(status(handler.Handle(retry)), "duplicate");
  EXPECT_EQ(*(*store)->Count(), 1u);
}

}  // namespace
}  // namespace hookbroker::testing
