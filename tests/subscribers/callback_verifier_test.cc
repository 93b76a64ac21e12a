#include "subscribers/callback_verifier.h"

#include <gtest/gtest.h>

#include "proto/base64.h"
#include "tests/subscribers/signed_request.h"

namespace hookbroker::testing {
namespace {

using subscribers::CallbackRequest;
using subscribers::CallbackVerifier;
using subscribers::VerifierOptions;

constexpr std::int64_t kNow = 1'700'000'000;

CallbackVerifier Make(VerifierOptions options) {
  auto v = CallbackVerifier::Create(std::move(options));
  EXPECT_TRUE(v.ok()) << v.error().message;
  return *std::move(v);
}

std::string Code(const Status& s) { return s.ok() ? "ok" : s.error().code; }

TEST(CallbackVerifierTest, AcceptsACallbackSignedWithTheSecret) {
  auto v = Make({.secrets = {kSecretA}});
  EXPECT_EQ(Code(v.Verify(SignedRequest(kSecretA, "msg_1", kNow), kNow)), "ok");
}

TEST(CallbackVerifierTest, RejectsAnotherSecretsSignature) {
  auto v = Make({.secrets = {kSecretA}});
  Status s = v.Verify(SignedRequest(kSecretB, "msg_1", kNow), kNow);
  EXPECT_EQ(Code(s), "invalid_signature");
}

TEST(CallbackVerifierTest, RejectsAlteredBodyIdOrTimestamp) {
  auto v = Make({.secrets = {kSecretA}});
  CallbackRequest body = SignedRequest(kSecretA, "msg_1", kNow);
  body.body.back() = ' ';
  EXPECT_EQ(Code(v.Verify(body, kNow)), "invalid_signature");
  CallbackRequest id = SignedRequest(kSecretA, "msg_1", kNow);
  id.headers["webhook-id"] = "msg_2";
  EXPECT_EQ(Code(v.Verify(id, kNow)), "invalid_signature");
  CallbackRequest ts = SignedRequest(kSecretA, "msg_1", kNow);
  ts.headers["webhook-timestamp"] = std::to_string(kNow + 1);
  EXPECT_EQ(Code(v.Verify(ts, kNow)), "invalid_signature");
}

TEST(CallbackVerifierTest, RejectsTimestampsMoreThanFiveMinutesOffEitherWay) {
  auto v = Make({.secrets = {kSecretA}});
  EXPECT_EQ(Code(v.Verify(SignedRequest(kSecretA, "msg_1", kNow - 300), kNow)), "ok");
  EXPECT_EQ(Code(v.Verify(SignedRequest(kSecretA, "msg_1", kNow - 301), kNow)), "stale_timestamp");
  EXPECT_EQ(Code(v.Verify(SignedRequest(kSecretA, "msg_1", kNow + 300), kNow)), "ok");
  EXPECT_EQ(Code(v.Verify(SignedRequest(kSecretA, "msg_1", kNow + 301), kNow)), "stale_timestamp");
}

TEST(CallbackVerifierTest, ToleranceIsConfigurable) {
  auto v = Make({.secrets = {kSecretA}, .tolerance_s = 10});
  EXPECT_EQ(Code(v.Verify(SignedRequest(kSecretA, "msg_1", kNow - 11), kNow)), "stale_timestamp");
}

TEST(CallbackVerifierTest, NamesTheMissingOrMalformedHeader) {
  auto v = Make({.secrets = {kSecretA}});
  for (const char* name : {"webhook-id", "webhook-timestamp", "webhook-signature"}) {
    CallbackRequest r = SignedRequest(kSecretA, "msg_1", kNow);
    r.headers.erase(name);
    Status s = v.Verify(r, kNow);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, "missing_header");
    EXPECT_EQ(s.error().field, name);
  }
  const std::string long_id = "msg_" + std::string(300, 'a');
  EXPECT_EQ(Code(v.Verify(SignedRequest(kSecretA, long_id, kNow), kNow)), "invalid_header");
  CallbackRequest ts = SignedRequest(kSecretA, "msg_1", kNow);
  ts.headers["webhook-timestamp"] = "yesterday";
  EXPECT_EQ(Code(v.Verify(ts, kNow)), "invalid_timestamp");
  CallbackRequest sig = SignedRequest(kSecretA, "msg_1", kNow);
  sig.headers["webhook-signature"] = "v2,abc";
  EXPECT_EQ(Code(v.Verify(sig, kNow)), "malformed_signature");
}

TEST(CallbackVerifierTest, AcceptsAnyOfSeveralSignaturesInTheHeaderDuringARotation) {
  auto v = Make({.secrets = {kSecretB}});
  CallbackRequest r = SignedRequest(kSecretA, "msg_1", kNow);
  const std::string new_sig = SignedRequest(kSecretB, "msg_1", kNow).headers["webhook-signature"];
  r.headers["webhook-signature"] += " " + new_sig;
  EXPECT_EQ(Code(v.Verify(r, kNow)), "ok");
}

TEST(CallbackVerifierTest, AcceptsEitherConfiguredSecretDuringARotation) {
  auto v = Make({.secrets = {kSecretA, kSecretB}});
  EXPECT_EQ(Code(v.Verify(SignedRequest(kSecretA, "msg_1", kNow), kNow)), "ok");
  EXPECT_EQ(Code(v.Verify(SignedRequest(kSecretB, "msg_1", kNow), kNow)), "ok");
  const std::string third = "whsec_" + Base64Encode(std::string(32, 'z'));
  EXPECT_EQ(Code(v.Verify(SignedRequest(third, "msg_1", kNow), kNow)), "invalid_signature");
}

TEST(CallbackVerifierTest, ChecksTheCallbackToken) {
  auto v = Make({.secrets = {kSecretA}, .callback_token = "shared-token"});
  CallbackRequest r = SignedRequest(kSecretA, "msg_1", kNow);
  EXPECT_EQ(Code(v.Verify(r, kNow)), "missing_token");
  r.headers["kz-callback-token"] = "shared-tokeN";
  EXPECT_EQ(Code(v.Verify(r, kNow)), "invalid_token");
  r.headers["kz-callback-token"] = "shared-token";
  EXPECT_EQ(Code(v.Verify(r, kNow)), "ok");
}

TEST(CallbackVerifierTest, ChecksBasicAuthInTheConfiguredHeader) {
  auto v = Make({.secrets = {kSecretA}, .basic_credentials = "alice:s3cret"});
  CallbackRequest r = SignedRequest(kSecretA, "msg_1", kNow);
  EXPECT_EQ(Code(v.Verify(r, kNow)), "missing_auth");
  r.headers["authorization"] = "Basic " + Base64Encode("alice:wrong");
  EXPECT_EQ(Code(v.Verify(r, kNow)), "invalid_auth");
  r.headers["authorization"] = "Basic " + Base64Encode("alice:s3cret");
  EXPECT_EQ(Code(v.Verify(r, kNow)), "ok");

  auto kommunicate =
      Make({.secrets = {kSecretA}, .basic_credentials = "abcdef", .auth_header = "Authentication"});
  CallbackRequest k = SignedRequest(kSecretA, "msg_1", kNow);
  k.headers["authorization"] = "Basic YWJjZGVm";
  EXPECT_EQ(Code(kommunicate.Verify(k, kNow)), "missing_auth");
  k.headers["authentication"] = "Basic YWJjZGVm";  // DIALECTS.md's example for token "abcdef"
  EXPECT_EQ(Code(kommunicate.Verify(k, kNow)), "ok");
}

TEST(CallbackVerifierTest, RefusesToStartWithoutAValidSecret) {
  auto none = CallbackVerifier::Create({});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, "missing_secret");
  auto bad = CallbackVerifier::Create({.secrets = {"whsec_short"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "invalid_secret");
}

TEST(CallbackVerifierTest, RecognisesTheValidationHandshake) {
  CallbackRequest get{.method = "GET", .path = "/hook", .query = {{"validationToken", "X1"}}};
  EXPECT_EQ(subscribers::ValidationToken(get).value_or(""), "X1");
  CallbackRequest plain_get{.method = "GET", .path = "/hook"};
  EXPECT_FALSE(subscribers::ValidationToken(plain_get).has_value());
  CallbackRequest post = get;
  post.method = "POST";
  EXPECT_FALSE(subscribers::ValidationToken(post).has_value());
}

}  // namespace
}  // namespace hookbroker::testing
