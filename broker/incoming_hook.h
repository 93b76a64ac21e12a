// IncomingHook: an incoming webhook (docs/CHAT.md), with Mattermost's fields, and its JSON: one
// shape for the REST API (/v1/hooks/incoming) and for the stored record (Store kind
// kIncomingHook, key = id):
//   {"id","create_at","update_at","delete_at","user_id","channel_id","team_id","display_name",
//    "description","username","icon_url","channel_locked","url":"/hooks/{id}"}
// The id is the secret in the hook's URL. Pure; plain values.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "proto/result.h"

namespace hookbroker {

struct IncomingHook {
  std::string id;          // 26 characters [a-z0-9] (chat_id.h)
  std::string channel_id;  // where it posts unless the payload names another channel
  std::string team_id;     // the channel's, when the hook was made
  std::string user_id;     // who made it: the API key's id; the posts' user_id
  std::string display_name;
  std::string description;
  std::string username;         // default username of its posts ("webhook" when empty)
  std::string icon_url;         // default picture of its posts
  bool channel_locked = false;  // only its own channel, whatever the payload's `channel`
  std::int64_t create_at_ms = 0;
};

boost::json::object IncomingHookToJson(const IncomingHook& hook);

// The body of POST /v1/hooks/incoming: `channel_id` required; `display_name` (≤ 64),
// `description` (≤ 500), `username` (≤ 64), `icon_url` (≤ 2048), `channel_locked` (bool)
// optional; `team_id` accepted and ignored (the channel's is used). Other fields are an Error
// naming them. Fills the request's fields only.
Result<IncomingHook> ParseIncomingHookRequest(const boost::json::value& body);

// A stored record back to a hook; Error "storage_corrupt" when it is not one.
Result<IncomingHook> DecodeIncomingHookRecord(std::string_view bytes);

}  // namespace hookbroker
