// CallbackVerifier: the checks a receiver makes on every hookbroker callback before trusting it:
// the Standard Webhooks signature (every configured secret, several signatures in the header
// during a rotation, constant-time compare, timestamp tolerance), the kz-callback-token header and
// the basic-auth header. Also answers whether a request is the Kaizala validation handshake.
//
// Thread-safety: immutable after Create(); Verify() may be called from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proto/result.h"
#include "subscribers/callback_request.h"

namespace hookbroker::subscribers {

struct VerifierOptions {
  // "whsec_..." secrets; a callback is accepted when it is signed by any of them (list the old
  // and the new secret while rotating). At least one is required.
  std::vector<std::string> secrets;
  // Expected kz-callback-token (the webhook's callBackToken); empty: the header is not checked.
  std::string callback_token;
  // Expected basic-auth credentials before base64: "username:password", or the bare token of an
  // auth of kind token. Empty: not checked.
  std::string basic_credentials;
  // The header carrying the basic auth (the webhook's auth.header; "Authentication" for
  // Kommunicate-style receivers). Matched case-insensitively.
  std::string auth_header = "Authorization";
  // Timestamps further than this from now, either way, are rejected (Standard Webhooks: 5 min).
  std::int64_t tolerance_s = 300;
};

class CallbackVerifier {
 public:
  // Decodes the secrets. Errors: "invalid_secret" (a secret is malformed), "missing_secret".
  static Result<CallbackVerifier> Create(VerifierOptions options);

  // Checks one callback against the clock `now_s` (Unix seconds). The Error's code says which
  // check failed and its field names the header:
  //   missing_header      webhook-id, webhook-timestamp or webhook-signature absent
  //   invalid_header      webhook-id longer than 256 characters
  //   invalid_timestamp   webhook-timestamp is not an integer
  //   stale_timestamp     webhook-timestamp further than tolerance from now (a late replay)
  //   malformed_signature no "v1,..." entry in webhook-signature
  //   invalid_signature   no entry matches any secret (wrong secret, or body/id/timestamp altered)
  //   missing_token / invalid_token   kz-callback-token absent / different
  //   missing_auth / invalid_auth     the auth header absent / different
  Status Verify(const CallbackRequest& request, std::int64_t now_s) const;

 private:
  CallbackVerifier() = default;

  std::vector<std::string> keys_;  // decoded signing keys, in the order given
  VerifierOptions options_;        // secrets cleared; auth_header lowercased
  std::string expected_auth_;      // "Basic " + base64(basic_credentials), or empty
};

// The token of a Kaizala validation handshake (GET with ?validationToken=X), or nullopt when the
// request is not one. The receiver answers 200 with X as a text/plain body. The broker sends the
// handshake without any signature, token or auth header.
std::optional<std::string> ValidationToken(const CallbackRequest& request);

}  // namespace hookbroker::subscribers
