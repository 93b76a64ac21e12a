// Standard Webhooks signatures (https://www.standardwebhooks.com): the secret format, signing and
// verification. HMAC-SHA256 through OpenSSL's libcrypto; no I/O.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "proto/result.h"

namespace hookbroker {

// "whsec_" + base64 of 32 bytes from a cryptographic RNG.
std::string GenerateWebhookSecret();

// The signing key of a secret: the base64-decoded part after "whsec_" (24 to 64 bytes).
Result<std::string> DecodeWebhookSecret(std::string_view secret);

// "v1," + base64(HMAC-SHA256(key, msg_id + "." + timestamp + "." + body)).
std::string SignWebhook(std::string_view key, std::string_view msg_id, std::int64_t timestamp_s,
                        std::string_view body);

// The webhook-signature header for several keys: one "v1,<sig>" entry per key, in the order given,
// separated by spaces (Standard Webhooks' form during a secret rotation).
std::string SignWebhook(std::span<const std::string> keys, std::string_view msg_id,
                        std::int64_t timestamp_s, std::string_view body);

struct VerifyOptions {
  std::int64_t tolerance_s = 300;  // reject timestamps further than this from now
};

// Checks a webhook-signature header (space-separated "v1,<sig>" entries; one must match,
// compared in constant time) and the timestamp tolerance. The Error's code says which check
// failed: "invalid_signature", "stale_timestamp", "invalid_timestamp", "malformed_signature".
Status VerifyWebhook(std::string_view key, std::string_view msg_id, std::string_view timestamp,
                     std::string_view body, std::string_view signature_header, std::int64_t now_s,
                     const VerifyOptions& options = {});

// The webhook-id of a delivery: stable across every attempt of one (subscription, event) pair.
std::string WebhookMessageId(std::string_view subscription_id, std::string_view event_id);

// Compares in time independent of where the inputs differ (length still leaks).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Fills `out` from a cryptographic RNG. Throws std::runtime_error when the RNG fails (with
// OpenSSL's error queue cleared, so that the thread's next TLS call does not read the stale
// error as its own).
void FillRandomBytes(std::span<unsigned char> out);

// `bytes` bytes from a cryptographic RNG as lowercase hex (2 × bytes characters). Throws
// std::runtime_error when the RNG fails: a predictable token or key is worse than none.
std::string RandomHex(std::size_t bytes);

// Lowercase hex SHA-256, e.g. for storing API keys hashed.
std::string Sha256Hex(std::string_view data);

}  // namespace hookbroker
