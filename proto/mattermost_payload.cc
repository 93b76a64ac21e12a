#include "proto/mattermost_payload.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <utility>

#include "proto/form_encode.h"

namespace hookbroker {
namespace {

std::string StringOr(const boost::json::object& obj, std::string_view key,
                     std::string fallback = {}) {
  const boost::json::value* v = obj.if_contains(key);
  if (v == nullptr || !v->is_string()) return fallback;
  return std::string(v->get_string());
}

std::string JoinCommas(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out.push_back(',');
    out += part;
  }
  return out;
}

// Floor division, so that a (nonsensical) negative time still maps to the second it falls in.
std::int64_t WholeSeconds(std::int64_t ms) { return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000); }

}  // namespace

MattermostPayload MattermostPayloadFromEvent(const Event& event,
                                             const MattermostChannelNames& channel,
                                             std::string token, std::string trigger_word) {
  const boost::json::object& source = event.source;
  static const boost::json::object kEmpty;
  const boost::json::value* data_value = source.if_contains("data");
  const boost::json::object& data =
      data_value != nullptr && data_value->is_object() ? data_value->get_object() : kEmpty;

  MattermostPayload p;
  p.token = std::move(token);
  p.team_id = channel.team_id;
  p.team_domain = channel.team_domain;
  p.channel_id = event.group_id;
  p.channel_name = channel.name.empty() ? StringOr(source, "groupName") : channel.name;
  p.timestamp_ms = event.timestamp_ms;
  p.user_id = StringOr(source, "fromUserId");
  p.user_name = StringOr(source, "fromUserName");
  p.post_id = StringOr(data, "postId", event.id.value());
  p.text = StringOr(data, "text");
  p.trigger_word = std::move(trigger_word);
  if (const boost::json::value* ids = data.if_contains("fileIds"); ids != nullptr) {
    if (const boost::json::array* arr = ids->if_array()) {
      for (const boost::json::value& id : *arr) {
        if (id.is_string() && !id.get_string().empty()) p.file_ids.emplace_back(id.get_string());
      }
    }
  }
  return p;
}

std::string MattermostFormBody(const MattermostPayload& p) {
  const std::string seconds = std::to_string(WholeSeconds(p.timestamp_ms));
  const std::string file_ids = JoinCommas(p.file_ids);
  return FormEncode({{"channel_id", p.channel_id},
                     {"channel_name", p.channel_name},
                     {"file_ids", file_ids},
                     {"post_id", p.post_id},
                     {"team_domain", p.team_domain},
                     {"team_id", p.team_id},
                     {"text", p.text},
                     {"timestamp", seconds},
                     {"token", p.token},
                     {"trigger_word", p.trigger_word},
                     {"user_id", p.user_id},
                     {"user_name", p.user_name}});
}

std::string MattermostJsonBody(const MattermostPayload& p) {
  boost::json::object out;
  out["token"] = p.token;
  out["team_id"] = p.team_id;
  out["team_domain"] = p.team_domain;
  out["channel_id"] = p.channel_id;
  out["channel_name"] = p.channel_name;
  out["timestamp"] = p.timestamp_ms;
  out["user_id"] = p.user_id;
  out["user_name"] = p.user_name;
  out["post_id"] = p.post_id;
  out["text"] = p.text;
  out["trigger_word"] = p.trigger_word;
  out["file_ids"] = JoinCommas(p.file_ids);
  return boost::json::serialize(out);
}

}  // namespace hookbroker
