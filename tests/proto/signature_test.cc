#include "proto/signature.h"

#include <gtest/gtest.h>

#include <array>
#include <span>
#include <string>
#include <thread>

#include "proto/base64.h"

namespace hookbroker {
namespace {

constexpr std::string_view kSpecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view kSpecMsgId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::int64_t kSpecTimestamp = 1614265330;
constexpr std::string_view kSpecBody = R"({"test": 2432232314})";
constexpr std::string_view kSpecSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

std::string SpecKey() {
  Result<std::string> key = DecodeWebhookSecret(kSpecSecret);
  EXPECT_TRUE(key.ok());
  return key.ok() ? key.value() : std::string();
}

TEST(SignatureTest, MatchesStandardWebhooksSpecVector) {
  EXPECT_EQ(SignWebhook(SpecKey(), kSpecMsgId, kSpecTimestamp, kSpecBody), kSpecSignature);
}

TEST(SignatureTest, VerifiesStandardWebhooksSpecVector) {
  const Status status =
      VerifyWebhook(SpecKey(), kSpecMsgId, "1614265330", kSpecBody, kSpecSignature, kSpecTimestamp);
  EXPECT_TRUE(status.ok());
}

TEST(SignatureTest, GeneratedSecretIsWhsecWith32RandomBytes) {
  const std::string a = GenerateWebhookSecret();
  const std::string b = GenerateWebhookSecret();
  ASSERT_TRUE(a.starts_with("whsec_"));
  EXPECT_NE(a, b);
  Result<std::string> key = DecodeWebhookSecret(a);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->size(), 32u);
}

TEST(SignatureTest, DecodeSecretRequiresPrefix) {
  Result<std::string> key = DecodeWebhookSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, "invalid_secret");
  EXPECT_EQ(key.error().field, "secret");
}

TEST(SignatureTest, DecodeSecretRejectsBadBase64) {
  Result<std::string> key = DecodeWebhookSecret("whsec_not*base64!");
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, "invalid_secret");
  EXPECT_EQ(key.error().field, "secret");
}

TEST(SignatureTest, DecodeSecretEnforcesKeyLengthBounds) {
  const std::string b23(23, 'k'), b24(24, 'k'), b64(64, 'k'), b65(65, 'k');
  EXPECT_FALSE(DecodeWebhookSecret("whsec_" + Base64Encode(b23)).ok());
  EXPECT_EQ(DecodeWebhookSecret("whsec_" + Base64Encode(b24)).value(), b24);
  EXPECT_EQ(DecodeWebhookSecret("whsec_" + Base64Encode(b64)).value(), b64);
  Result<std::string> too_long = DecodeWebhookSecret("whsec_" + Base64Encode(b65));
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code, "invalid_secret");
  EXPECT_EQ(too_long.error().field, "secret");
}

TEST(SignatureTest, RejectsTamperedBody) {
  const Status status = VerifyWebhook(SpecKey(), kSpecMsgId, "1614265330",
                                      R"({"test": 2432232315})", kSpecSignature, kSpecTimestamp);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, "invalid_signature");
}

TEST(SignatureTest, RejectsWrongMessageId) {
  const Status status = VerifyWebhook(SpecKey(), "msg_other", "1614265330", kSpecBody,
                                      kSpecSignature, kSpecTimestamp);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, "invalid_signature");
}

TEST(SignatureTest, RejectsStaleTimestampInThePastAndFuture) {
  const std::string header = SignWebhook(SpecKey(), kSpecMsgId, kSpecTimestamp, kSpecBody);
  const Status old =
      VerifyWebhook(SpecKey(), kSpecMsgId, "1614265330", kSpecBody, header, kSpecTimestamp + 301);
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.error().code, "stale_timestamp");
  const Status future =
      VerifyWebhook(SpecKey(), kSpecMsgId, "1614265330", kSpecBody, header, kSpecTimestamp - 301);
  ASSERT_FALSE(future.ok());
  EXPECT_EQ(future.error().code, "stale_timestamp");
}

TEST(SignatureTest, AcceptsTimestampAtToleranceEdge) {
  EXPECT_TRUE(VerifyWebhook(SpecKey(), kSpecMsgId, "1614265330", kSpecBody, kSpecSignature,
                            kSpecTimestamp + 300)
                  .ok());
  EXPECT_TRUE(VerifyWebhook(SpecKey(), kSpecMsgId, "1614265330", kSpecBody, kSpecSignature,
                            kSpecTimestamp - 300)
                  .ok());
}

TEST(SignatureTest, HonoursCustomTolerance) {
  const Status status = VerifyWebhook(SpecKey(), kSpecMsgId, "1614265330", kSpecBody,
                                      kSpecSignature, kSpecTimestamp + 11, VerifyOptions{10});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, "stale_timestamp");
}

TEST(SignatureTest, RejectsNonIntegerTimestamp) {
  for (std::string_view ts :
       {"", "abc", "1614265330.5", " 1614265330", "1614265330s", "99999999999999999999999"}) {
    const Status status =
        VerifyWebhook(SpecKey(), kSpecMsgId, ts, kSpecBody, kSpecSignature, kSpecTimestamp);
    ASSERT_FALSE(status.ok()) << ts;
    EXPECT_EQ(status.error().code, "invalid_timestamp") << ts;
  }
}

TEST(SignatureTest, AcceptsAnyMatchingSignatureAmongSeveral) {
  const std::string header =
      "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= " + std::string(kSpecSignature) +
      " v1,bm90IGl0";
  EXPECT_TRUE(
      VerifyWebhook(SpecKey(), kSpecMsgId, "1614265330", kSpecBody, header, kSpecTimestamp).ok());
}

TEST(SignatureTest, IgnoresOtherSignatureVersions) {
  const std::string header = "v1a,somethingelse " + std::string(kSpecSignature);
  EXPECT_TRUE(
      VerifyWebhook(SpecKey(), kSpecMsgId, "1614265330", kSpecBody, header, kSpecTimestamp).ok());
  const Status only_other =
      VerifyWebhook(SpecKey(), kSpecMsgId, "1614265330", kSpecBody,
                    "v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", kSpecTimestamp);
  ASSERT_FALSE(only_other.ok());
  EXPECT_EQ(only_other.error().code, "malformed_signature");
}

TEST(SignatureTest, ReportsMalformedHeaderWithoutV1Entry) {
  for (std::string_view header : {"", "garbage", "   "}) {
    const Status status =
        VerifyWebhook(SpecKey(), kSpecMsgId, "1614265330", kSpecBody, header, kSpecTimestamp);
    ASSERT_FALSE(status.ok()) << header;
    EXPECT_EQ(status.error().code, "malformed_signature") << header;
  }
}

TEST(SignatureTest, ReportsInvalidWhenNoV1EntryMatches) {
  const Status status = VerifyWebhook(SpecKey(), kSpecMsgId, "1614265330", kSpecBody,
                                      "v1,bm90IGl0 v1,", kSpecTimestamp);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, "invalid_signature");
}

TEST(SignatureTest, RejectsSignatureMadeWithAnotherKey) {
  const std::string other_key(32, 'x');
  const std::string header = SignWebhook(other_key, kSpecMsgId, kSpecTimestamp, kSpecBody);
  const Status status =
      VerifyWebhook(SpecKey(), kSpecMsgId, "1614265330", kSpecBody, header, kSpecTimestamp);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, "invalid_signature");
}

TEST(SignatureTest, MessageIdIsStableAndDependsOnBothIds) {
  const std::string id = WebhookMessageId("sub-1", "evt-1");
  EXPECT_EQ(id, WebhookMessageId("sub-1", "evt-1"));
  EXPECT_NE(id, WebhookMessageId("sub-1", "evt-2"));
  EXPECT_NE(id, WebhookMessageId("sub-2", "evt-1"));
  // The separator keeps ("ab", "c") and ("a", "bc") apart.
  EXPECT_NE(WebhookMessageId("ab", "c"), WebhookMessageId("a", "bc"));
  ASSERT_EQ(id.size(), 4u + 32u);
  EXPECT_TRUE(id.starts_with("msg_"));
  EXPECT_EQ(id.substr(4), Sha256Hex("sub-1\nevt-1").substr(0, 32));
}

TEST(SignatureTest, Sha256HexMatchesKnownDigests) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // The thread's context is reused: nothing of one input may carry into the next.
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::string other_thread;
  std::thread([&] { other_thread = Sha256Hex("abc"); }).join();
  EXPECT_EQ(other_thread, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(SignatureTest, ConstantTimeEqualsComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

TEST(SignatureTest, SeveralKeysGiveOneSpaceSeparatedEntryEachAndEitherVerifies) {
  const std::string other = DecodeWebhookSecret(GenerateWebhookSecret()).value();
  const std::vector<std::string> keys = {SpecKey(), other};
  const std::string header = SignWebhook(keys, kSpecMsgId, kSpecTimestamp, kSpecBody);
  EXPECT_EQ(header, std::string(kSpecSignature) + " " +
                        SignWebhook(other, kSpecMsgId, kSpecTimestamp, kSpecBody));
  for (const std::string& key : keys) {
    EXPECT_TRUE(
        VerifyWebhook(key, kSpecMsgId, "1614265330", kSpecBody, header, kSpecTimestamp).ok());
  }
  const std::string stranger = DecodeWebhookSecret(GenerateWebhookSecret()).value();
  EXPECT_FALSE(
      VerifyWebhook(stranger, kSpecMsgId, "1614265330", kSpecBody, header, kSpecTimestamp).ok());
}

TEST(SignatureTest, RandomHexHasTwoDigitsPerByteAndDiffers) {
  const std::string a = RandomHex(16);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, RandomHex(16));
}

TEST(SignatureTest, FillRandomBytesFillsTheWholeSpan) {
  // Two 64-byte draws that left any byte as it was would agree there (a 2^-8 chance per byte
  // otherwise): over 64 bytes, a span filled short shows.
  std::array<unsigned char, 64> a{}, b{};
  FillRandomBytes(a);
  FillRandomBytes(b);
  int same = 0;
  for (std::size_t i = 0; i < a.size(); ++i) same += a[i] == b[i];
  EXPECT_LT(same, 8);
  EXPECT_NE(a, b);
  FillRandomBytes(std::span<unsigned char>());  // nothing to fill is not an error
}

}  // namespace
}  // namespace hookbroker
