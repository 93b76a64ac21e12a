// OutgoingHook: a Mattermost outgoing (trigger word) webhook as the broker keeps it, and the
// validation of a request to create one (POST /v1/hooks/outgoing, docs/API.md). Fields and
// rules follow Mattermost's model.OutgoingWebhook (/work/shared/DIALECTS.md). No I/O.
//
// Thread-safety: plain value and pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proto/ids.h"
#include "proto/result.h"

namespace hookbroker {

// 26 characters [a-z0-9] (proto/chat_id.h), chosen by the broker.
using OutgoingHookId = NamedType<std::string, struct OutgoingHookIdTag>;

enum class TriggerWhen : int {
  kFirstWordEquals = 0,      // the post's first word is one of the trigger words
  kFirstWordStartsWith = 1,  // the post's first word starts with one of them
};

enum class HookContentType { kForm, kJson };
std::string_view ToString(HookContentType type);  // the MIME type sent

// Mattermost's limits (model/outgoing_webhook.go), so a hook valid there is valid here.
inline constexpr std::size_t kMaxHookDisplayName = 64;
inline constexpr std::size_t kMaxHookDescription = 500;
inline constexpr std::size_t kMaxHookUsername = 64;
inline constexpr std::size_t kMaxHookIconUrl = 1024;
inline constexpr std::size_t kMaxTriggerWordsJoined = 1024;  // comma-joined
inline constexpr std::size_t kMaxCallbackUrlsJoined = 1024;  // newline-joined

struct OutgoingHook {
  OutgoingHookId id;
  std::string token;       // 26 characters; sent in every request, the bot's proof of origin
  std::string channel_id;  // "" = every public channel (then trigger words are required)
  std::string team_id;     // optional, echoed in the payload's team_id
  std::vector<std::string> trigger_words;
  TriggerWhen trigger_when = TriggerWhen::kFirstWordEquals;
  std::vector<std::string> callback_urls;  // one or more, checked when created
  HookContentType content_type = HookContentType::kForm;
  std::string display_name;
  std::string description;
  std::string username;  // the replies' default username (override_username)
  std::string icon_url;  // the replies' default icon (override_icon_url)
  std::int64_t create_at_ms = 0;
  std::int64_t update_at_ms = 0;
};

struct OutgoingHookPolicy {
  bool allow_http_callbacks = false;  // otherwise only https:// callback URLs
};

// Validates a create request (JSON object with Mattermost's field names; fields it does not
// know, such as creator_id, are ignored as Mattermost's own API would). On success the hook has
// everything but id, token and times. Errors name the field ("callback_urls: ...").
// The URLs are only parsed here; the address policy (SSRF guard) is the caller's, as it may
// need DNS.
Result<OutgoingHook> ParseOutgoingHookRequest(const boost::json::value& body,
                                              const OutgoingHookPolicy& policy);

// The same rules on an object's fields, also used to read a stored hook back
// (outgoing_hook_codec.h).
Result<OutgoingHook> ParseOutgoingHookFields(const boost::json::object& obj,
                                             const OutgoingHookPolicy& policy);

}  // namespace hookbroker
