// Fuzz target: the Standard Webhooks headers a receiver checks (proto/signature): the secret,
// webhook-id, webhook-timestamp, webhook-signature and the body, as newline-separated fields.
// Properties: nothing crashes; only "v1," entries matching the HMAC are accepted; a signature the
// broker makes for the same message always verifies, also among other entries.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "proto/base64.h"
#include "proto/signature.h"

namespace {

// The next newline-separated field of `rest`, consumed.
std::string_view Field(std::string_view& rest) {
  const std::size_t nl = rest.find('\n');
  const std::string_view field = rest.substr(0, nl);
  rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  return field;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hookbroker;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::string_view secret = Field(rest);
  const std::string_view msg_id = Field(rest);
  const std::string_view timestamp = Field(rest);
  const std::string_view header = Field(rest);
  const std::string_view body = rest;

  if (std::optional<std::string> decoded = Base64Decode(secret)) {
    FUZZ_CHECK(Base64Decode(Base64Encode(*decoded)) == decoded);
  }
  Result<std::string> key = DecodeWebhookSecret(secret);
  const std::string signing_key = key ? *key : std::string(32, 'k');
  if (key) FUZZ_CHECK(key->size() >= 24 && key->size() <= 64);

  constexpr std::int64_t kNowS = 1700000000;
  Status verdict = VerifyWebhook(signing_key, msg_id, timestamp, body, header, kNowS);
  if (!verdict) {
    const std::string& code = verdict.error().code;
    FUZZ_CHECK(code == "invalid_signature" || code == "stale_timestamp" ||
               code == "invalid_timestamp" || code == "malformed_signature");
  }

  const std::string good = SignWebhook(signing_key, msg_id, kNowS, body);
  FUZZ_CHECK(good.rfind("v1,", 0) == 0);
  FUZZ_CHECK(VerifyWebhook(signing_key, msg_id, std::to_string(kNowS), body, good, kNowS).ok());
  const std::string mixed = std::string(header) + " " + good;
  FUZZ_CHECK(VerifyWebhook(signing_key, msg_id, std::to_string(kNowS), body, mixed, kNowS).ok());
  return 0;
}
