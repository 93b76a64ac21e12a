#include "broker/chat_post_json.h"

#include <boost/json.hpp>

namespace hookbroker {

namespace json = boost::json;

json::object ChatPostToJson(const ChatPost& post) {
  json::object o;
  o["id"] = post.id;
  o["create_at"] = post.create_at_ms;
  o["update_at"] = post.create_at_ms;
  o["edit_at"] = 0;
  o["delete_at"] = 0;
  o["is_pinned"] = false;
  o["user_id"] = post.user_id;
  o["channel_id"] = post.channel_id;
  o["root_id"] = post.root_id;
  o["original_id"] = "";
  o["message"] = post.message;
  o["type"] = post.type;
  o["props"] = post.props;
  o["hashtags"] = "";
  o["file_ids"] = json::array();
  o["pending_post_id"] = "";
  o["reply_count"] = 0;
  o["metadata"] = json::object();
  return o;
}

}  // namespace hookbroker
