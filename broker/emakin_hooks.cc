#include "broker/emakin_hooks.h"

#include <openssl/evp.h>

#include <array>
#include <boost/json.hpp>
#include <optional>
#include <stdexcept>
#include <vector>

#include "broker/case_codec.h"
#include "broker/chat_id.h"
#include "broker/chat_post_json.h"
#include "broker/log.h"
#include "broker/mattermost_error.h"
#include "broker/message_split.h"
#include "broker/slack_markup.h"
#include "proto/emakin_message.h"

namespace hookbroker {
namespace {

namespace json = boost::json;

HookReply StoreError(const Error& e) {
  LogError("emakin", "cannot store a channel hook message: " + e.message);
  return MattermostFailure(500, "web.emakin_webhook.store.app_error",
                           "The message could not be stored.", e.message);
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

// The id of piece `piece` of the post a message with a case id makes: 26 characters [a-z0-9]
// (chat_id.h's shape) from SHA-256 of "channelId/caseId" (piece 0) or "channelId/caseId\nN":
// a channel id has no '/' and a case id no control character, so distinct inputs never meet.
// The same message always gets the same ids, so posting it again after a crash is a duplicate
// the ingest acknowledges without storing it twice.
std::string CasePostId(std::string_view channel_id, std::string_view case_id, std::size_t piece) {
  std::string seed = std::string(channel_id) + "/" + std::string(case_id);
  if (piece > 0) seed += "\n" + std::to_string(piece);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(seed.data(), seed.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("EVP_Digest(SHA-256) failed");
  }
  // The digest as a big-endian number, written in base 36 (its 26 lowest digits).
  static constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::vector<unsigned char> number(digest.begin(), digest.begin() + size);
  std::string id(kChatIdLength, 'a');
  for (std::size_t i = kChatIdLength; i-- > 0;) {
    unsigned int remainder = 0;
    for (unsigned char& byte : number) {
      const unsigned int value = (remainder << 8) | byte;
      byte = static_cast<unsigned char>(value / kAlphabet.size());
      remainder = value % kAlphabet.size();
    }
    id[i] = kAlphabet[remainder];
  }
  return id;
}

// The posts of one message, in order: its text with Slack markup made Markdown and split as an
// incoming webhook's (slack_markup.h, message_split.h), each piece a post in the thread root_id
// ("" for a new thread), the attachments on the last one. With a case id, the ids are
// CasePostId's; without, they are left for the PostSink.
std::vector<ChatPost> MakePosts(const ChannelHook& hook, const EmakinMessage& msg,
                                const std::string& root_id, std::int64_t now_ms) {
  const std::vector<std::string> pieces = SplitMessage(SlackToMarkdown(msg.text));
  std::vector<ChatPost> posts;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    ChatPost post;
    if (!msg.id.empty()) post.id = CasePostId(hook.channel_id, msg.id, i);
    post.channel_id = hook.channel_id;
    post.root_id = root_id;
    post.user_id = hook.user_id;
    post.message = pieces[i];
    post.create_at_ms = now_ms;
    post.props["from_webhook"] = "true";
    if (!hook.display_name.empty()) post.props["webhook_display_name"] = hook.display_name;
    if (!hook.username.empty()) post.props["override_username"] = hook.username;
    if (!hook.icon_url.empty()) post.props["override_icon_url"] = hook.icon_url;
    if (i + 1 == pieces.size() && !msg.attachments.empty()) {
      post.props["attachments"] = SlackAttachments(msg.attachments);
    }
    if (!msg.id.empty()) post.props["emakin_case_id"] = msg.id;
    posts.push_back(std::move(post));
  }
  return posts;
}

HookReply AlreadyReported() { return HookReply{200, "text/plain", "already reported"}; }

}  // namespace

EmakinHooks::EmakinHooks(Store& store, const ChannelDirectory& channels,
                         const ChannelHookKeys& hooks, PostSink& sink, const Clock& clock)
    : store_(store), channels_(channels), hooks_(hooks), sink_(sink), clock_(clock) {}

HookReply EmakinHooks::Handle(std::string_view channel_id, std::string_view key,
                              std::string_view body) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(body, ec);
  if (ec) {
    return MattermostFailure(400, "web.emakin_webhook.parse.app_error",
                             "Unable to parse the request body.", ec.message());
  }
  Result<EmakinMessage> msg = ParseEmakinMessage(parsed);
  if (!msg) {
    return MattermostFailure(400, "web.emakin_webhook.parse.app_error", msg.error().message,
                             msg.error().field);
  }

  // A key of another channel's hook is as unknown here as no key at all: the URL is the secret.
  Result<std::optional<ChannelHook>> hook = hooks_.HookByKey(key);
  if (!hook) return StoreError(hook.error());
  if (!*hook || (*hook)->channel_id != channel_id) {
    return MattermostFailure(400, "web.incoming_webhook.invalid.app_error", "Invalid webhook.");
  }
  Result<std::optional<Channel>> channel = channels_.ById(channel_id);
  if (!channel) return StoreError(channel.error());
  if (!*channel) {
    return MattermostFailure(404, "web.incoming_webhook.channel.app_error",
                             "Couldn't find the channel.", std::string(channel_id));
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
      return MattermostFailure(404, "web.emakin_webhook.case.app_error",
                               "None of the referenced cases exists in this channel.");
    }
  }

  // The post first, the case after its ack: the post's ids are deterministic for a case, so a
  // retry after a crash between the two (or after a failed claim) posts nothing twice, and no
  // case is ever claimed without its post.
  std::string case_key;
  if (!msg->id.empty()) {
    case_key = CaseKey(channel_id, msg->id);
    Result<std::optional<std::string>> existing = store_.GetRecord(RecordKind::kCase, case_key);
    if (!existing) return StoreError(existing.error());
    if (*existing) return AlreadyReported();
  }
  const std::int64_t now = clock_.NowMs();
  std::optional<ChatPost> first;
  for (ChatPost& post : MakePosts(**hook, *msg, root_id, now)) {
    Result<ChatPost> posted = sink_.Post(std::move(post));
    if (!posted) return StoreError(posted.error());
    if (!first) first = std::move(*posted);
  }
  if (!case_key.empty()) {
    CaseRecord record{std::string(channel_id), msg->id, root_id.empty() ? first->id : root_id,
                      first->id, now};
    Result<bool> inserted = store_.InsertRecord(RecordKind::kCase, case_key, EncodeCase(record));
    if (!inserted) return StoreError(inserted.error());
    // A concurrent message with this id claimed it first; its posts are these (same ids).
    if (!*inserted) return AlreadyReported();
  }
  return HookReply{200, "application/json", json::serialize(ChatPostToJson(*first))};
}

}  // namespace hookbroker
