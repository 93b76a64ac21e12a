// A ChatPost as kChat/Mattermost shows a post: the body of an incoming webhook's kChat reply and
// of each message on the posts socket (docs/CHAT.md):
//   {"id","create_at","update_at","edit_at","delete_at","is_pinned","user_id","channel_id",
//    "root_id","original_id","message","type","props","hashtags","file_ids","pending_post_id",
//    "reply_count","metadata"}
// Pure.
#pragma once

#include <boost/json/object.hpp>

#include "broker/chat_post.h"

namespace hookbroker {

boost::json::object ChatPostToJson(const ChatPost& post);

}  // namespace hookbroker
