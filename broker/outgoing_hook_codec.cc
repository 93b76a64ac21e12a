#include "broker/outgoing_hook_codec.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "proto/chat_id.h"

namespace hookbroker {
namespace {

namespace json = boost::json;

json::array Strings(const std::vector<std::string>& items) {
  json::array out;
  for (const std::string& s : items) out.emplace_back(s);
  return out;
}

Error Corrupt(const std::string& why) {
  return Error{"corrupt_record", "stored outgoing webhook: " + why, ""};
}

}  // namespace

json::object OutgoingHookJson(const OutgoingHook& hook, bool with_token) {
  json::object o;
  o["id"] = hook.id.value();
  if (with_token) o["token"] = hook.token;
  o["create_at"] = hook.create_at_ms;
  o["update_at"] = hook.update_at_ms;
  o["channel_id"] = hook.channel_id;
  o["team_id"] = hook.team_id;
  o["trigger_words"] = Strings(hook.trigger_words);
  o["trigger_when"] = static_cast<int>(hook.trigger_when);
  o["callback_urls"] = Strings(hook.callback_urls);
  o["content_type"] = ToString(hook.content_type);
  o["display_name"] = hook.display_name;
  o["description"] = hook.description;
  o["username"] = hook.username;
  o["icon_url"] = hook.icon_url;
  return o;
}

std::string EncodeOutgoingHook(const OutgoingHook& hook) {
  return json::serialize(OutgoingHookJson(hook, true));
}

Result<OutgoingHook> DecodeOutgoingHook(std::string_view stored) {
  boost::system::error_code ec;
  json::value v = json::parse(stored, ec);
  if (ec || !v.is_object()) return Corrupt("not a JSON object");
  const json::object& obj = v.get_object();
  // The URLs were checked against the policy in force when the hook was made.
  auto hook = ParseOutgoingHookFields(obj, OutgoingHookPolicy{.allow_http_callbacks = true});
  if (!hook) return Corrupt(hook.error().message);
  const json::value* id = obj.if_contains("id");
  const json::value* token = obj.if_contains("token");
  if (id == nullptr || !id->is_string() || !IsChatId(id->get_string())) return Corrupt("bad id");
  if (token == nullptr || !token->is_string() || !IsChatId(token->get_string())) {
    return Corrupt("bad token");
  }
  hook->id = OutgoingHookId(std::string(id->get_string()));
  hook->token = std::string(token->get_string());
  const json::value* created = obj.if_contains("create_at");
  const json::value* updated = obj.if_contains("update_at");
  if (created == nullptr || !created->is_int64() || updated == nullptr || !updated->is_int64()) {
    return Corrupt("bad create_at or update_at");
  }
  hook->create_at_ms = created->get_int64();
  hook->update_at_ms = updated->get_int64();
  return hook;
}

}  // namespace hookbroker
