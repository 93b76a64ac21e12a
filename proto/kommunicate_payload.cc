#include "proto/kommunicate_payload.h"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <charconv>

#include "proto/event_text.h"
#include "proto/json_fields.h"
#include "proto/media_type.h"

namespace hookbroker {
namespace {

namespace jf = json_fields;

// Kommunicate's groupId is a number; a Kaizala group id is any string. A canonical decimal
// integer (no sign, no leading zero, fits in int64) goes as the number, anything else as the
// string (clientGroupId carries the string in every case).
boost::json::value GroupIdValue(std::string_view group_id) {
  const bool digits =
      !group_id.empty() && group_id.size() <= 19 &&
      std::all_of(group_id.begin(), group_id.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
      (group_id.size() == 1 || group_id.front() != '0');
  std::int64_t n = 0;
  if (digits) {
    auto [ptr, ec] = std::from_chars(group_id.data(), group_id.data() + group_id.size(), n);
    if (ec == std::errc() && ptr == group_id.data() + group_id.size()) return n;
  }
  return boost::json::string(group_id);
}

boost::json::object FileObject(const boost::json::object& media) {
  boost::json::object file;
  const std::string_view name = jf::String(media, "mediaFileName");
  const std::string_view url = jf::String(media, "mediaUrl");
  file["name"] = name;
  file["url"] = url;
  file["contentType"] = MediaTypeForFileName(name.empty() ? url : name);
  if (std::optional<std::int64_t> size = jf::Int(media, "size")) file["size"] = *size;
  const std::string_view thumbnail = jf::String(media, "thumbnailUrl");
  if (!thumbnail.empty()) file["thumbnailUrl"] = thumbnail;
  return file;
}

}  // namespace

std::string BuildKommunicateMessage(const Subscription& sub,
                                    const boost::json::object& event_json) {
  const boost::json::object& data = jf::Data(event_json);
  const std::string_view group_id = jf::String(event_json, "groupId");
  boost::json::object out;
  std::string_view key = jf::String(data, "postId");
  if (key.empty()) key = jf::String(event_json, "eventId");
  out["key"] = key;
  std::string_view from = jf::String(event_json, "fromUserId");
  if (from.empty()) from = jf::String(event_json, "fromUser");
  out["from"] = from;
  out["groupId"] = GroupIdValue(group_id);
  out["clientGroupId"] = group_id;
  const std::string_view group_name = jf::String(event_json, "groupName");
  out["groupName"] = group_name.empty() ? group_id : group_name;
  const std::string_view root = jf::String(data, "rootId");
  if (!root.empty()) out["conversationId"] = root;
  out["message"] = EventText(event_json);
  out["timeStamp"] = jf::Int(event_json, "timestamp").value_or(0);
  out["receiverConnected"] = false;
  out["receiverLastSeenAtTime"] = 0;
  if (const boost::json::array* media = jf::Array(data, "media")) {
    if (!media->empty() && media->front().is_object()) {
      out["file"] = FileObject(media->front().get_object());
    }
  }
  boost::json::object metadata;
  if (const boost::json::object* props = jf::Object(data, "props")) {
    for (const auto& [name, value] : *props) {
      metadata[name] = value.is_string() ? value.get_string()
                                         : boost::json::string(boost::json::serialize(value));
    }
  }
  metadata["eventType"] = jf::String(event_json, "eventType");
  if (!sub.callback_context.empty()) metadata["context"] = sub.callback_context;
  out["metadata"] = std::move(metadata);
  return boost::json::serialize(out);
}

}  // namespace hookbroker
