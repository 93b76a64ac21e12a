#include "broker/incoming_webhooks.h"

#include <boost/json.hpp>

#include "broker/chat_id.h"
#include "broker/chat_post_json.h"
#include "broker/log.h"
#include "broker/mattermost_error.h"
#include "broker/webhook_payload.h"
#include "broker/webhook_post.h"

namespace hookbroker {
namespace {

namespace json = boost::json;

HookReply StoreFailure(const Error& e) {
  LogError("hooks", "incoming webhook: " + e.message);
  return MattermostFailure(500, "web.incoming_webhook.store.app_error",
                           "The message could not be stored.", e.message);
}

HookReply ChannelNotFound(std::string detail) {
  return MattermostFailure(404, "web.incoming_webhook.channel.app_error",
                           "Couldn't find the channel.", std::move(detail));
}

}  // namespace

HookReply MattermostFailure(int status, std::string id, std::string message, std::string detailed) {
  return HookReply{status, "application/json",
                   MattermostErrorBody(MattermostError{status, std::move(id), std::move(message),
                                                       std::move(detailed)})};
}

HookReply IncomingWebhooks::Handle(const IncomingRequest& request) const {
  auto hook = Get(request.key);
  if (!hook) return StoreFailure(hook.error());
  if (!*hook)
    return MattermostFailure(400, "web.incoming_webhook.invalid.app_error", "Invalid webhook.");

  auto payload = ParseIncomingPayload(request.content_type, request.body, request.multipart_fields);
  if (!payload) {
    return MattermostFailure(400, "web.incoming_webhook.parse.app_error",
                             "Unable to parse the incoming data.", payload.error().message);
  }
  if (payload->text.empty() && (!payload->attachments || payload->attachments->empty())) {
    return MattermostFailure(400, "web.incoming_webhook.text.app_error", "No text specified.");
  }
  if (!payload->type.empty() && !payload->type.starts_with("custom_")) {
    return MattermostFailure(400, "web.incoming_webhook.type.app_error", "Invalid post type.",
                             "type must be empty or start with custom_");
  }

  const IncomingHook& h = **hook;
  auto own = channels_.ById(h.channel_id);
  if (!own) return StoreFailure(own.error());
  std::optional<Channel> target = *own;
  if (!payload->channel.empty()) {
    std::string_view name = payload->channel;
    if (name.starts_with('@')) {
      return MattermostFailure(
          400, "web.incoming_webhook.user.app_error", "Couldn't find the user.",
          "hookbroker has no users: direct messages (@username) are not supported");
    }
    if (name.starts_with('#')) name.remove_prefix(1);
    auto named = channels_.ByName(name);
    if (!named) return StoreFailure(named.error());
    target = *named;
    if (target && target->team_id != h.team_id) target.reset();  // other teams are not seen
    if (!target) return ChannelNotFound("no channel named " + std::string(name));
  }
  if (!target) return ChannelNotFound("the webhook's channel " + h.channel_id + " is gone");
  if (h.channel_locked && target->id != h.channel_id) {
    return MattermostFailure(403, "web.incoming_webhook.channel_locked.app_error",
                             "This webhook is not permitted to post to the requested channel.");
  }

  std::optional<ChatPost> first;
  for (ChatPost& post : BuildWebhookPosts(h, *target, std::move(*payload))) {
    auto stored = sink_.Post(std::move(post));
    if (!stored) {
      if (stored.error().code == "invalid_post") {
        return MattermostFailure(400, "web.incoming_webhook.post.app_error",
                                 "The message was refused.", stored.error().message);
      }
      return StoreFailure(stored.error());
    }
    if (!first) first = std::move(*stored);
  }
  if (request.slack_return_format) return HookReply{200, "text/plain", "ok"};
  return HookReply{200, "application/json", json::serialize(ChatPostToJson(*first))};
}

Result<IncomingHook> IncomingWebhooks::Create(IncomingHook hook, std::string user_id,
                                              std::int64_t now_ms) {
  auto channel = channels_.ById(hook.channel_id);
  if (!channel) return channel.error();
  if (!*channel) return Error::Invalid("channel_id", "channel_id: no such channel");
  hook.team_id = (*channel)->team_id;
  hook.user_id = std::move(user_id);
  hook.create_at_ms = now_ms;
  for (;;) {  // a 130-bit random id repeats never in practice; the loop makes it certain
    hook.id = NewChatId();
    auto inserted = store_.InsertRecord(RecordKind::kIncomingHook, hook.id,
                                        json::serialize(IncomingHookToJson(hook)));
    if (!inserted) return inserted.error();
    if (*inserted) return hook;
  }
}

Result<std::optional<IncomingHook>> IncomingWebhooks::Get(std::string_view id) const {
  if (!IsChatIdShaped(id)) return std::optional<IncomingHook>();
  auto bytes = store_.GetRecord(RecordKind::kIncomingHook, id);
  if (!bytes) return bytes.error();
  if (!*bytes) return std::optional<IncomingHook>();
  auto hook = DecodeIncomingHookRecord(**bytes);
  if (!hook) return hook.error();
  return std::optional<IncomingHook>(std::move(*hook));
}

Result<std::vector<IncomingHook>> IncomingWebhooks::List(std::string_view channel_id) const {
  auto records = store_.ListRecords(RecordKind::kIncomingHook);
  if (!records) return records.error();
  std::vector<IncomingHook> out;
  for (const StoredRecord& r : *records) {
    auto hook = DecodeIncomingHookRecord(r.value);
    if (!hook) return hook.error();
    if (channel_id.empty() || hook->channel_id == channel_id) out.push_back(std::move(*hook));
  }
  return out;
}

Result<bool> IncomingWebhooks::Delete(std::string_view id) {
  if (!IsChatIdShaped(id)) return false;
  return store_.DeleteRecord(RecordKind::kIncomingHook, id);
}

}  // namespace hookbroker
