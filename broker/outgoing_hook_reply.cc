#include "broker/outgoing_hook_reply.h"

#include <boost/json/parse.hpp>

#include "broker/message_split.h"
#include "broker/slack_markup.h"
#include "broker/webhook_payload.h"
#include "proto/limits.h"

namespace hookbroker {
namespace {

namespace json = boost::json;

Error InvalidReply(std::string why) { return Error{"invalid_reply", std::move(why), ""}; }

bool IsBlank(std::string_view body) {
  return body.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

Result<std::string> StringField(const json::object& obj, std::string_view key) {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr || v->is_null()) return std::string();
  if (!v->is_string()) return InvalidReply(std::string(key) + ": must be a string");
  return std::string(v->get_string());
}

}  // namespace

Result<std::vector<ChatPost>> ChatPostsFromReply(std::string_view body, const OutgoingHook& hook,
                                                 const TriggeringPost& trigger,
                                                 bool allow_overrides) {
  std::vector<ChatPost> posts;
  if (IsBlank(body)) return posts;
  json::parse_options options;
  options.max_depth = limits::kMaxJsonDepth;
  boost::system::error_code ec;
  json::value root = json::parse(body, ec, {}, options);
  if (ec) {
    // As Mattermost: raw newlines inside strings (the seed's own example answer has them).
    root = json::parse(EscapeControlCharsInStrings(body), ec, {}, options);
  }
  if (ec || !root.is_object()) return InvalidReply("the reply is not a JSON object");
  const json::object& obj = root.get_object();

  std::string text, username, icon_url, type, response_type;
  for (const auto& [name, out] : {std::pair{"text", &text}, std::pair{"username", &username},
                                  std::pair{"icon_url", &icon_url}, std::pair{"type", &type},
                                  std::pair{"response_type", &response_type}}) {
    auto value = StringField(obj, name);
    if (!value) return value.error();
    *out = std::move(value).value();
  }
  const json::array* attachments = nullptr;
  if (const json::value* a = obj.if_contains("attachments"); a != nullptr && !a->is_null()) {
    attachments = a->if_array();
    if (attachments == nullptr) return InvalidReply("attachments: must be an array");
    if (attachments->empty()) attachments = nullptr;
  }
  const json::object* reply_props = nullptr;
  if (const json::value* p = obj.if_contains("props"); p != nullptr && !p->is_null()) {
    reply_props = p->if_object();
    if (reply_props == nullptr) return InvalidReply("props: must be an object");
  }
  if (type.starts_with("system_")) {
    return Error{"refused_type", "type: " + type + " is reserved for the system", "type"};
  }
  if (text.empty() && attachments == nullptr) return posts;

  ChatPost base;
  base.channel_id = trigger.channel_id;
  base.root_id = response_type == "comment"
                     ? (trigger.root_id.empty() ? trigger.post_id : trigger.root_id)
                     : std::string();
  base.user_id = hook.id.value();  // the broker has no users: the hook speaks
  base.type = type;
  if (reply_props != nullptr) {
    for (const auto& [key, value] : *reply_props) {
      if (key == "from_webhook" || key.starts_with("override_")) continue;
      base.props[key] = value;
    }
  }
  if (allow_overrides) {
    const std::string& name = username.empty() ? hook.username : username;
    const std::string& icon = icon_url.empty() ? hook.icon_url : icon_url;
    if (!name.empty()) base.props["override_username"] = name;
    if (!icon.empty()) base.props["override_icon_url"] = icon;
  }
  base.props["from_webhook"] = "true";

  for (std::string& piece : SplitMessage(SlackToMarkdown(text))) {
    posts.push_back(base);
    posts.back().message = std::move(piece);
  }
  if (attachments != nullptr) {
    json::array translated = *attachments;
    SlackAttachmentsToMarkdown(translated);
    posts.back().props["attachments"] = std::move(translated);
  }
  return posts;
}

}  // namespace hookbroker
