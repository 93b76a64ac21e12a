// The JSON form of a Channel (chat_post.h), as Mattermost spells a channel: one shape for the
// REST API (/v1/channels, docs/CHAT.md) and for the stored record (Store kind kChannel):
//   {"id","name","display_name","team_id","team_domain","type":"O"|"P"}
// ("O" open/public, "P" private). Pure; no I/O.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string_view>

#include "broker/chat_post.h"
#include "proto/result.h"

namespace hookbroker {

// Channel names as Mattermost's: 1 to 64 of [a-z0-9_-], starting with a letter or digit.
bool IsValidChannelName(std::string_view name);
// Channel ids (= Kaizala groupIds): 1 to 128 of [A-Za-z0-9._:-].
bool IsValidChannelId(std::string_view id);

boost::json::object ChannelToJson(const Channel& channel);

// The body of PUT /v1/channels/{id}: `name` required; `display_name` (default: the name),
// `team_id`, `team_domain`, `type` ("O" default, or "P"); an `id` must equal `id`. Unknown fields
// and bad values are an Error naming the field.
Result<Channel> ParseChannelRequest(std::string_view id, const boost::json::value& body);

// A stored record back to a Channel; Error "storage_corrupt" when it is not one.
Result<Channel> DecodeChannelRecord(std::string_view bytes);

}  // namespace hookbroker
