// EmakinHooks: emakin channel web hooks, POST /hooks/channels/{channelId}/{key} (docs/CHAT.md
// "emakin channel hooks"; DIALECTS.md; seed 001). A message becomes ChatPosts in the channel,
// through the broker's PostSink (so they are stored as events and published): its text with
// Slack markup made Markdown and split at 16383 characters as an incoming webhook's, the
// attachments on the last post. An `id` opens a case, unique per channel (Store records, kind
// kCase, case_codec.h): a repeated id is answered "already reported" and posts nothing.
// `references` makes the message a thread reply to the first referenced case's thread.
//
// A message with an id is posted first, with post ids derived from the channel and the id, and
// its case claimed only after the post's ack: a retry after a crash or a failure in between
// posts again under the same ids, which the ingest acknowledges as duplicates, and then claims
// the case. No case is ever claimed without its post.
//
// The key is an incoming webhook's key whose channel is channelId; incoming webhooks are looked
// up through ChannelHookKeys, so this class does not depend on how they are stored.
//
// Thread-safety: Handle() may be called from many threads at once; a case id is claimed with
// Store::InsertRecord (one atomic transaction) and concurrent messages with one id post under
// the same ids, so they post once; all but the claimer are answered "already reported".
// Lifecycle: borrows everything given to the constructor, which must outlive it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "broker/chat_post.h"
#include "broker/clock.h"
#include "broker/incoming_webhooks.h"
#include "broker/store.h"
#include "proto/result.h"

namespace hookbroker {

// What a post needs of the incoming webhook whose key is in the URL.
struct ChannelHook {
  std::string channel_id;    // the channel the hook posts into
  std::string user_id;       // who posts
  std::string display_name;  // shown as webhook_display_name, "" none
  std::string username;      // default override_username, "" none
  std::string icon_url;      // default override_icon_url, "" none
};

class ChannelHookKeys {
 public:
  virtual ~ChannelHookKeys() = default;
  // The incoming webhook with this key, nullopt when there is none.
  virtual Result<std::optional<ChannelHook>> HookByKey(std::string_view key) const = 0;
};

class EmakinHooks {
 public:
  EmakinHooks(Store& store, const ChannelDirectory& channels, const ChannelHookKeys& hooks,
              PostSink& sink, const Clock& clock);

  // The whole exchange for one request:
  //  200 JSON      the (first) created post (chat_post_json.h, as kChat answers an incoming
  //                webhook)
  //  200 text      "already reported": the id is a case of this channel already; nothing posted
  //  400 JSON      unparsable body, invalid field, no text and no attachment, or no incoming
  //                webhook with this key for this channel ("Invalid webhook.")
  //  404 JSON      the channel does not exist, or none of `references` is a case of the channel
  //  500 JSON      the post or the case could not be stored (no case is claimed then)
  // Errors are Mattermost's JSON error (mattermost_error.h), as incoming webhooks answer.
  HookReply Handle(std::string_view channel_id, std::string_view key, std::string_view body);

 private:
  Store& store_;
  const ChannelDirectory& channels_;
  const ChannelHookKeys& hooks_;
  PostSink& sink_;
  const Clock& clock_;
};

}  // namespace hookbroker
