#include "proto/signature.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <stdexcept>
#include <vector>

#include "proto/base64.h"

namespace hookbroker {
namespace {

constexpr std::string_view kSecretPrefix = "whsec_";
constexpr std::size_t kMinKeyBytes = 24;
constexpr std::size_t kMaxKeyBytes = 64;
constexpr std::size_t kGeneratedKeyBytes = 32;

// A libcrypto failure leaves entries on the calling thread's OpenSSL error queue; they are dropped
// before throwing, so that nothing read from the queue later on this thread (ERR_get_error after
// another call fails) names this failure instead of its own. The TLS code clears the queue
// before each call of its own as well (socket_sender.cc); this keeps the queue clean for any
// other reader.
[[noreturn]] void ThrowCryptoFailure(const char* what) {
  ERR_clear_error();
  throw std::runtime_error(what);
}

// One SHA-256 context per thread. EVP_Digest with EVP_sha256() fetches the digest from the
// provider store on every call (EVP_MD_fetch): 2.6 % of the broker's CPU in the hookbench
// delivery profile, for the webhook-id of every callback. Set up on first use, and again on the
// next use after a failed set-up, so that one failure does not disable the thread for good.
class Sha256Context {
 public:
  Sha256Context() = default;
  ~Sha256Context() {
    EVP_MD_CTX_free(ctx_);
    EVP_MD_free(md_);
  }
  Sha256Context(const Sha256Context&) = delete;
  Sha256Context& operator=(const Sha256Context&) = delete;

  std::array<unsigned char, 32> Digest(std::string_view data) {
    if (md_ == nullptr) md_ = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (ctx_ == nullptr) ctx_ = EVP_MD_CTX_new();
    std::array<unsigned char, 32> digest{};
    unsigned int len = 0;
    if (md_ == nullptr || ctx_ == nullptr || EVP_DigestInit_ex(ctx_, md_, nullptr) != 1 ||
        EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1 ||
        EVP_DigestFinal_ex(ctx_, digest.data(), &len) != 1 || len != digest.size()) {
      // Only fails when libcrypto itself is broken; an all-zero digest would silently collide.
      ThrowCryptoFailure("SHA-256 failed");
    }
    return digest;
  }

 private:
  EVP_MD* md_ = nullptr;
  EVP_MD_CTX* ctx_ = nullptr;
};

std::array<unsigned char, 32> Sha256(std::string_view data) {
  thread_local Sha256Context context;
  return context.Digest(data);
}

std::string Hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 0x0f]);
  }
  return out;
}

// One HMAC-SHA256 context per thread, re-keyed per message. OpenSSL 3's one-shot HMAC() looks
// the MAC and the digest up in the provider store on every call (EVP_Q_mac), a few microseconds
// per signed callback (hookbench delivery profile). Set up on first use, and again after a
// failed set-up, as Sha256Context.
class HmacContext {
 public:
  HmacContext() = default;
  ~HmacContext() { EVP_MAC_CTX_free(ctx_); }
  HmacContext(const HmacContext&) = delete;
  HmacContext& operator=(const HmacContext&) = delete;

  std::string Sign(std::string_view key, std::string_view message) {
    if (ctx_ == nullptr) ctx_ = NewContext();
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    std::size_t len = 0;
    // A null key would keep the previous message's key: an empty one is given a real address.
    static const unsigned char kNoKey = 0;
    const unsigned char* key_bytes =
        key.empty() ? &kNoKey : reinterpret_cast<const unsigned char*>(key.data());
    if (ctx_ == nullptr || EVP_MAC_init(ctx_, key_bytes, key.size(), nullptr) != 1 ||
        EVP_MAC_update(ctx_, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) != 1 ||
        EVP_MAC_final(ctx_, mac.data(), &len, mac.size()) != 1) {
      ThrowCryptoFailure("HMAC-SHA256 failed");
    }
    return std::string(reinterpret_cast<const char*>(mac.data()), len);
  }

 private:
  // An HMAC context with SHA-256 as its digest; null when libcrypto cannot make one.
  static EVP_MAC_CTX* NewContext() {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac == nullptr) return nullptr;
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);  // the context holds its own reference
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    if (ctx != nullptr && EVP_MAC_CTX_set_params(ctx, params) != 1) {
      EVP_MAC_CTX_free(ctx);
      ctx = nullptr;
    }
    return ctx;
  }

  EVP_MAC_CTX* ctx_ = nullptr;
};

std::string HmacSha256(std::string_view key, std::string_view message) {
  thread_local HmacContext context;
  return context.Sign(key, message);
}

}  // namespace

std::string GenerateWebhookSecret() {
  std::array<unsigned char, kGeneratedKeyBytes> key{};
  FillRandomBytes(key);  // throws: a predictable signing key is worse than no subscription
  return std::string(kSecretPrefix) +
         Base64Encode(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
}

Result<std::string> DecodeWebhookSecret(std::string_view secret) {
  if (!secret.starts_with(kSecretPrefix)) {
    return Error{"invalid_secret", "secret: must start with \"whsec_\"", "secret"};
  }
  std::optional<std::string> key = Base64Decode(secret.substr(kSecretPrefix.size()));
  if (!key) {
    return Error{"invalid_secret", "secret: the part after \"whsec_\" must be valid base64",
                 "secret"};
  }
  if (key->size() < kMinKeyBytes || key->size() > kMaxKeyBytes) {
    return Error{"invalid_secret",
                 "secret: the key must decode to between 24 and 64 bytes, got " +
                     std::to_string(key->size()),
                 "secret"};
  }
  return *std::move(key);
}

std::string SignWebhook(std::string_view key, std::string_view msg_id, std::int64_t timestamp_s,
                        std::string_view body) {
  std::string message;
  const std::string ts = std::to_string(timestamp_s);
  message.reserve(msg_id.size() + ts.size() + body.size() + 2);
  message.append(msg_id).append(".").append(ts).append(".").append(body);
  return "v1," + Base64Encode(HmacSha256(key, message));
}

std::string SignWebhook(std::span<const std::string> keys, std::string_view msg_id,
                        std::int64_t timestamp_s, std::string_view body) {
  std::string header;
  for (const std::string& key : keys) {
    if (!header.empty()) header.push_back(' ');
    header += SignWebhook(key, msg_id, timestamp_s, body);
  }
  return header;
}

Status VerifyWebhook(std::string_view key, std::string_view msg_id, std::string_view timestamp,
                     std::string_view body, std::string_view signature_header, std::int64_t now_s,
                     const VerifyOptions& options) {
  std::int64_t ts = 0;
  const char* end = timestamp.data() + timestamp.size();
  auto [ptr, ec] = std::from_chars(timestamp.data(), end, ts);
  if (timestamp.empty() || ec != std::errc() || ptr != end) {
    return Error{"invalid_timestamp", "webhook-timestamp is not an integer number of seconds",
                 "webhook-timestamp"};
  }
  std::int64_t diff = 0;
  if (__builtin_sub_overflow(now_s, ts, &diff) || diff > options.tolerance_s ||
      diff < -options.tolerance_s) {
    return Error{"stale_timestamp", "webhook-timestamp is outside the allowed tolerance",
                 "webhook-timestamp"};
  }

  const std::string expected = SignWebhook(key, msg_id, ts, body);
  const std::string_view expected_sig = std::string_view(expected).substr(3);  // after "v1,"
  bool saw_v1 = false;
  bool matched = false;
  std::string_view rest = signature_header;
  while (!rest.empty()) {
    const std::size_t space = rest.find(' ');
    const std::string_view entry = rest.substr(0, space);
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    const std::size_t comma = entry.find(',');
    if (comma == std::string_view::npos || entry.substr(0, comma) != "v1") continue;
    saw_v1 = true;
    // Keep checking after a match so the time taken does not reveal which entry matched.
    if (ConstantTimeEquals(entry.substr(comma + 1), expected_sig)) matched = true;
  }
  if (!saw_v1) {
    return Error{"malformed_signature", "webhook-signature has no v1 signature",
                 "webhook-signature"};
  }
  if (!matched) {
    return Error{"invalid_signature", "no webhook-signature entry matches", "webhook-signature"};
  }
  return Status::Ok();
}

std::string WebhookMessageId(std::string_view subscription_id, std::string_view event_id) {
  std::string input;
  input.reserve(subscription_id.size() + event_id.size() + 1);
  input.append(subscription_id).append("\n").append(event_id);
  const auto digest = Sha256(input);
  return "msg_" + Hex(digest.data(), 16);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void FillRandomBytes(std::span<unsigned char> out) {
  // RAND_bytes takes an int: larger spans in pieces, so that none is cut short.
  constexpr std::size_t kMaxPiece = static_cast<std::size_t>(std::numeric_limits<int>::max());
  while (!out.empty()) {
    const std::size_t piece = std::min(out.size(), kMaxPiece);
    if (RAND_bytes(out.data(), static_cast<int>(piece)) != 1) {
      ThrowCryptoFailure("RAND_bytes failed");
    }
    out = out.subspan(piece);
  }
}

std::string RandomHex(std::size_t bytes) {
  std::vector<unsigned char> random(bytes);
  FillRandomBytes(random);
  return Hex(random.data(), random.size());
}

std::string Sha256Hex(std::string_view data) {
  const auto digest = Sha256(data);
  return Hex(digest.data(), digest.size());
}

}  // namespace hookbroker
