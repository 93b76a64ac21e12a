// Mattermost's JSON error body, which incoming webhooks answer with (docs/CHAT.md):
//   {"id":"web.incoming_webhook.invalid.app_error","message":"Invalid webhook.",
//    "detailed_error":"...","request_id":"<26 chars>","status_code":400}
// Pure, except for the random request id.
#pragma once

#include <string>

namespace hookbroker {

struct MattermostError {
  int status = 400;
  std::string id;       // Mattermost's error id, stable
  std::string message;  // for people
  std::string detailed;
};

// The body, with a fresh request id.
std::string MattermostErrorBody(const MattermostError& error);

// The 413 for a body over the REST limit on a /hooks/ path.
MattermostError BodyTooLarge(std::size_t limit_bytes);

}  // namespace hookbroker
