#include "subscribers/callback_verifier.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "proto/base64.h"
#include "proto/signature.h"

namespace hookbroker::subscribers {
namespace {

// The broker's ids are "msg_" + 32 hex; other senders' stay short too. A bound keeps the store's
// keys small (LMDB's key limit is 511 bytes).
constexpr std::size_t kMaxWebhookId = 256;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Compares a secret-bearing header with its expected value in constant time; names the error
// after `what` ("token", "auth").
Status CheckSecretHeader(const CallbackRequest& request, const std::string& lower_name,
                         const std::string& expected, const std::string& what) {
  const std::string* got = request.Header(lower_name);
  if (got == nullptr) {
    return Error{"missing_" + what, "the " + lower_name + " header is missing", lower_name};
  }
  if (!ConstantTimeEquals(*got, expected)) {
    return Error{"invalid_" + what, "the " + lower_name + " header does not match", lower_name};
  }
  return Status::Ok();
}

}  // namespace

Result<CallbackVerifier> CallbackVerifier::Create(VerifierOptions options) {
  if (options.secrets.empty()) {
    return Error{"missing_secret", "at least one whsec_ secret is required", "secret"};
  }
  CallbackVerifier v;
  for (const std::string& secret : options.secrets) {
    Result<std::string> key = DecodeWebhookSecret(secret);
    if (!key) return key.error();
    v.keys_.push_back(std::move(*key));
  }
  options.secrets.clear();  // only the decoded keys are kept
  options.auth_header = Lower(options.auth_header);
  if (!options.basic_credentials.empty()) {
    v.expected_auth_ = "Basic " + Base64Encode(options.basic_credentials);
  }
  v.options_ = std::move(options);
  return v;
}

Status CallbackVerifier::Verify(const CallbackRequest& request, std::int64_t now_s) const {
  const std::string* id = request.Header("webhook-id");
  const std::string* timestamp = request.Header("webhook-timestamp");
  const std::string* signature = request.Header("webhook-signature");
  for (const auto& [value, name] :
       {std::pair{id, "webhook-id"}, std::pair{timestamp, "webhook-timestamp"},
        std::pair{signature, "webhook-signature"}}) {
    if (value == nullptr || value->empty()) {
      return Error{"missing_header", std::string("the ") + name + " header is missing", name};
    }
  }
  if (id->size() > kMaxWebhookId) {
    return Error{"invalid_header", "the webhook-id header is too long", "webhook-id"};
  }
  const VerifyOptions verify{.tolerance_s = options_.tolerance_s};
  Status last = Error{"invalid_signature", "no webhook-signature entry matches", ""};
  for (const std::string& key : keys_) {
    last = VerifyWebhook(key, *id, *timestamp, request.body, *signature, now_s, verify);
    if (last.ok()) break;
    // A bad or stale timestamp, or no v1 entry at all, fails under every key alike.
    if (last.error().code != "invalid_signature") return last;
  }
  if (!last.ok()) return last;

  if (!options_.callback_token.empty()) {
    Status s = CheckSecretHeader(request, "kz-callback-token", options_.callback_token, "token");
    if (!s.ok()) return s;
  }
  if (!expected_auth_.empty()) {
    Status s = CheckSecretHeader(request, options_.auth_header, expected_auth_, "auth");
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

std::optional<std::string> ValidationToken(const CallbackRequest& request) {
  if (request.method != "GET") return std::nullopt;
  auto it = request.query.find("validationToken");
  if (it == request.query.end()) return std::nullopt;
  return it->second;
}

}  // namespace hookbroker::subscribers
