// The chat side of the broker (issue 6): the messages it posts on the chat's behalf and the
// channels it knows. Shared vocabulary of incoming webhooks, emakin channel hooks and outgoing
// (trigger word) webhooks; the implementations live in their own files.
//
//  - ChatPost: a message to show in a channel, as Mattermost/kChat models a post. An incoming
//    webhook's post and a bot's reply to an outgoing webhook are both ChatPosts.
//  - PostSink: where a ChatPost goes. The broker's sink stores it durably as an event
//    (TextMessageCreated, or AttachmentCreated when it carries only attachments) through the
//    same ingest as a producer's event, so subscribers hear it, and then publishes it on the
//    ZeroMQ PUB socket `--posts-listen` for the chat backend to display.
//  - Channel / ChannelDirectory: the channels (Kaizala groups) the broker knows, by id or name.
//
// Thread-safety: ChatPost and Channel are plain values; implementations of the interfaces must
// be safe to call from any thread (REST handlers, delivery workers).
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proto/result.h"

namespace hookbroker {

struct ChatPost {
  std::string id;          // 26 characters [a-z0-9], assigned by the sink when empty
  std::string channel_id;  // the channel (Kaizala groupId)
  std::string root_id;     // the thread's first post when this is a reply ("comment"), else ""
  std::string user_id;     // who posts: the hook's owner or the bot
  std::string message;     // Markdown, at most 16383 characters
  std::string type;        // "" or "custom_..."
  // Mattermost's post props: override_username, override_icon_url, override_icon_emoji,
  // webhook_display_name, attachments, from_webhook ("true": the bot marking), ...
  boost::json::object props;
  std::int64_t create_at_ms = 0;  // assigned by the sink when 0
};

class PostSink {
 public:
  virtual ~PostSink() = default;
  // Stores the post (durably: returns after fsync) and publishes it. Returns the post as stored,
  // with its id and create_at filled in.
  virtual Result<ChatPost> Post(ChatPost post) = 0;
};

struct Channel {
  std::string id;    // = Kaizala groupId
  std::string name;  // unique, [a-z0-9-_] as Mattermost's channel names
  std::string display_name;
  std::string team_id;
  std::string team_domain;
  bool is_public = true;  // outgoing webhooks fire only in public channels
};

class ChannelDirectory {
 public:
  virtual ~ChannelDirectory() = default;
  virtual Result<std::optional<Channel>> ById(std::string_view id) const = 0;
  virtual Result<std::optional<Channel>> ByName(std::string_view name) const = 0;
};

}  // namespace hookbroker
