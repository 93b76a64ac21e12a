#include "broker/outgoing_hook_reply.h"

#include <boost/json/parse.hpp>

namespace hookbroker {
namespace {

namespace json = boost::json;

Error InvalidReply(std::string why) { return Error{"invalid_reply", std::move(why), ""}; }

bool IsBlank(std::string_view body) {
  return body.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// The UTF-8 text cut into pieces of at most `max_chars` code points, never inside one.
std::vector<std::string> SplitRunes(std::string_view text, std::size_t max_chars) {
  std::vector<std::string> parts;
  std::size_t start = 0, chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool starts_rune = (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    if (!starts_rune) continue;
    if (chars == max_chars) {
      parts.emplace_back(text.substr(start, i - start));
      start = i;
      chars = 0;
    }
    ++chars;
  }
  parts.emplace_back(text.substr(start));
  return parts;
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
  boost::system::error_code ec;
  json::value root = json::parse(body, ec);
  if (ec || !root.is_object()) return InvalidReply("the reply is not a JSON object");
  const json::object& obj = root.get_object();

  std::string fields[5];
  const char* names[5] = {"text", "username", "icon_url", "type", "response_type"};
  for (int i = 0; i < 5; ++i) {
    auto value = StringField(obj, names[i]);
    if (!value) return value.error();
    fields[i] = std::move(value).value();
  }
  auto& [text, username, icon_url, type, response_type] = fields;
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

  for (std::string& piece : SplitRunes(text, kMaxPostMessageChars)) {
    posts.push_back(base);
    posts.back().message = std::move(piece);
  }
  if (attachments != nullptr) posts.back().props["attachments"] = *attachments;
  return posts;
}

}  // namespace hookbroker
