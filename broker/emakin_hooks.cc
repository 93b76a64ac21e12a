#include "broker/emakin_hooks.h"

#include <boost/json.hpp>

#include "broker/case_codec.h"
#include "broker/chat_post_json.h"
#include "broker/log.h"
#include "broker/mattermost_error.h"
#include "broker/chat_id.h"
#include "proto/emakin_message.h"

namespace hookbroker {
namespace {

namespace json = boost::json;

HookReply Fail(int status, std::string id, std::string message, std::string detailed = "") {
  return HookReply{status, "application/json",
                   MattermostErrorBody(MattermostError{status, std::move(id), std::move(message),
                                                       std::move(detailed)})};
}

HookReply StoreError(const Error& e) {
  LogError("emakin", "cannot store a channel hook message: " + e.message);
  return Fail(500, "web.emakin_webhook.store.app_error", "The message could not be stored.",
              e.message);
}

// emakin's attachments as Slack attachments (the post's props.attachments): a title linking to
// the file or page. The PostSink derives an AttachmentCreated's media from them.
json::array SlackAttachments(const std::vector<EmakinAttachment>& attachments) {
  json::array out;
  for (const EmakinAttachment& a : attachments) {
    const std::string title =
        a.kind == EmakinAttachment::Kind::kFile ? EmakinFileName(a) : a.display_name;
    out.push_back(json::object{{"fallback", title}, {"title", title}, {"title_link", a.url}});
  }
  return out;
}

ChatPost MakePost(const ChannelHook& hook, const EmakinMessage& msg, std::string id,
                  std::string root_id, std::int64_t now_ms) {
  ChatPost post;
  post.id = std::move(id);
  post.channel_id = hook.channel_id;
  post.root_id = std::move(root_id);
  post.user_id = hook.user_id;
  post.message = msg.text;
  post.create_at_ms = now_ms;
  post.props["from_webhook"] = "true";
  if (!hook.display_name.empty()) post.props["webhook_display_name"] = hook.display_name;
  if (!hook.username.empty()) post.props["override_username"] = hook.username;
  if (!hook.icon_url.empty()) post.props["override_icon_url"] = hook.icon_url;
  if (!msg.attachments.empty()) post.props["attachments"] = SlackAttachments(msg.attachments);
  if (!msg.id.empty()) post.props["emakin_case_id"] = msg.id;
  return post;
}

}  // namespace

EmakinHooks::EmakinHooks(Store& store, const ChannelDirectory& channels,
                         const ChannelHookKeys& hooks, PostSink& sink, const Clock& clock)
    : store_(store), channels_(channels), hooks_(hooks), sink_(sink), clock_(clock) {}

HookReply EmakinHooks::Handle(std::string_view channel_id, std::string_view key,
                              std::string_view body) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(body, ec);
  if (ec) {
    return Fail(400, "web.emakin_webhook.parse.app_error", "Unable to parse the request body.",
                ec.message());
  }
  Result<EmakinMessage> msg = ParseEmakinMessage(parsed);
  if (!msg) {
    return Fail(400, "web.emakin_webhook.parse.app_error", msg.error().message, msg.error().field);
  }

  // A key of another channel's hook is as unknown here as no key at all: the URL is the secret.
  Result<std::optional<ChannelHook>> hook = hooks_.HookByKey(key);
  if (!hook) return StoreError(hook.error());
  if (!*hook || (*hook)->channel_id != channel_id) {
    return Fail(400, "web.incoming_webhook.invalid.app_error", "Invalid webhook.");
  }
  Result<std::optional<Channel>> channel = channels_.ById(channel_id);
  if (!channel) return StoreError(channel.error());
  if (!*channel) {
    return Fail(404, "web.incoming_webhook.channel.app_error", "Couldn't find the channel.",
                std::string(channel_id));
  }

  std::string root_id;
  if (!msg->references.empty()) {
    for (const std::string& ref : msg->references) {
      Result<std::optional<std::string>> stored =
          store_.GetRecord(RecordKind::kCase, CaseKey(channel_id, ref));
      if (!stored) return StoreError(stored.error());
      if (!*stored) continue;
      Result<CaseRecord> c = DecodeCase(**stored);
      if (!c) return StoreError(c.error());
      root_id = c->root_id;
      break;
    }
    if (root_id.empty()) {
      return Fail(404, "web.emakin_webhook.case.app_error",
                  "None of the referenced cases exists in this channel.");
    }
  }

  const std::int64_t now = clock_.NowMs();
  ChatPost post = MakePost(**hook, *msg, NewChatId(), root_id, now);
  std::string case_key;
  if (!msg->id.empty()) {
    case_key = CaseKey(channel_id, msg->id);
    CaseRecord record{std::string(channel_id), msg->id, root_id.empty() ? post.id : root_id,
                      post.id, now};
    Result<bool> inserted = store_.InsertRecord(RecordKind::kCase, case_key, EncodeCase(record));
    if (!inserted) return StoreError(inserted.error());
    if (!*inserted) return HookReply{200, "text/plain", "already reported"};
  }
  Result<ChatPost> posted = sink_.Post(std::move(post));
  if (!posted) {
    // Free the id again, so that the sender's retry can open the case.
    if (!case_key.empty()) (void)store_.DeleteRecord(RecordKind::kCase, case_key);
    return StoreError(posted.error());
  }
  return HookReply{200, "application/json", json::serialize(ChatPostToJson(*posted))};
}

}  // namespace hookbroker
