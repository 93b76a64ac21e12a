// Mattermost (and Slack-compatible) outgoing webhooks, the receiving side: the request a chat
// server POSTs when a post starts with a trigger word, and the JSON reply that makes it post an
// answer. Formats as /work/shared/DIALECTS.md ("Mattermost outgoing webhooks") describes. No I/O.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "proto/result.h"
#include "subscribers/callback_request.h"

namespace hookbroker::subscribers {

struct OutgoingWebhookRequest {
  std::string token;  // the hook's 26-character token; compare with ConstantTimeEquals
  std::string team_id;
  std::string team_domain;
  std::string channel_id;
  std::string channel_name;
  std::int64_t timestamp_ms = 0;  // the form sends seconds, JSON milliseconds; always ms here
  std::string user_id;
  std::string user_name;
  std::string post_id;
  std::string text;
  std::string trigger_word;
  std::vector<std::string> file_ids;  // sent comma-joined
};

// Parses a form-encoded (the default, also when no Content-Type is given) or JSON request.
// Errors: "unsupported_media_type", "invalid_form", "invalid_json", "invalid_field".
Result<OutgoingWebhookRequest> ParseOutgoingWebhook(const CallbackRequest& request);

// The reply. A post is made only when `text` is non-empty; empty fields are left out.
struct OutgoingWebhookReply {
  std::string text;      // Markdown
  std::string username;  // shown instead of the hook owner's name, when allowed
  std::string icon_url;
  std::string response_type;  // "post" (in the channel) or "comment" (a thread reply)
};

std::string OutgoingWebhookReplyJson(const OutgoingWebhookReply& reply);

}  // namespace hookbroker::subscribers
