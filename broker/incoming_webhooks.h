// IncomingWebhooks: the incoming webhooks of Mattermost / Slack / kChat (docs/CHAT.md): their
// records (Store kind kIncomingHook) and the handling of POST /hooks/{key}, from the request's
// parts to the reply (status, content type, body), so that it is tested without HTTP.
//
// Handle(): the hook (unknown → 400 "Invalid webhook."), the payload (webhook_payload.h;
// unparsable → 400), text or attachments required (400), `type` empty or custom_... (400), the
// channel (the hook's, or the payload's `channel` by name or #name, in the hook's team: unknown
// → 404; another channel on a locked hook → 403; @username → 400, the broker has no users),
// then each post (webhook_post.h) through the PostSink, in order. Reply: kChat's, 200 with the
// (first) created post as JSON; with slack_return_format, 200 text/plain "ok"; errors as
// Mattermost's JSON (mattermost_error.h).
//
// Thread-safety: every method may be called from any thread. Lifecycle: borrows the store, the
// channels and the sink, which must outlive it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "broker/chat_post.h"
#include "broker/incoming_hook.h"
#include "broker/store.h"
#include "proto/result.h"

namespace hookbroker {

struct IncomingRequest {
  std::string key;           // from the URL
  std::string content_type;  // "" when absent
  std::string body;
  std::map<std::string, std::string> multipart_fields;
  bool slack_return_format = false;
};

struct HookReply {
  int status = 200;
  std::string content_type;
  std::string body;
};

// A reply carrying Mattermost's JSON error body (broker/mattermost_error.h); shared by the
// incoming and emakin hooks.
HookReply MattermostFailure(int status, std::string id, std::string message,
                            std::string detailed = "");

class IncomingWebhooks {
 public:
  IncomingWebhooks(Store& store, const ChannelDirectory& channels, PostSink& sink)
      : store_(store), channels_(channels), sink_(sink) {}

  HookReply Handle(const IncomingRequest& request) const;

  // Gives `request` (ParseIncomingHookRequest) its id, owner, team and time, and stores it.
  // Error invalid_field (field channel_id) when the channel is unknown.
  Result<IncomingHook> Create(IncomingHook request, std::string user_id, std::int64_t now_ms);
  Result<std::optional<IncomingHook>> Get(std::string_view id) const;
  // Ordered by id; only those posting to channel_id when it is not empty.
  Result<std::vector<IncomingHook>> List(std::string_view channel_id = "") const;
  Result<bool> Delete(std::string_view id);

 private:
  Store& store_;
  const ChannelDirectory& channels_;
  PostSink& sink_;
};

}  // namespace hookbroker
