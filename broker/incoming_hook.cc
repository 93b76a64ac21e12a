#include "broker/incoming_hook.h"

#include <boost/json.hpp>

#include "proto/limits.h"

namespace hookbroker {
namespace {

namespace json = boost::json;

std::size_t CodePoints(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

}  // namespace

json::object IncomingHookToJson(const IncomingHook& h) {
  return json::object{{"id", h.id},
                      {"create_at", h.create_at_ms},
                      {"update_at", h.create_at_ms},
                      {"delete_at", 0},
                      {"user_id", h.user_id},
                      {"channel_id", h.channel_id},
                      {"team_id", h.team_id},
                      {"display_name", h.display_name},
                      {"description", h.description},
                      {"username", h.username},
                      {"icon_url", h.icon_url},
                      {"channel_locked", h.channel_locked},
                      {"url", "/hooks/" + h.id}};
}

Result<IncomingHook> ParseIncomingHookRequest(const json::value& body) {
  const json::object* obj = body.if_object();
  if (obj == nullptr) return Error{"invalid_json", "request body must be a JSON object", ""};
  IncomingHook h;
  const std::pair<const char*, std::pair<std::string*, std::size_t>> texts[] = {
      {"channel_id", {&h.channel_id, 128}},
      {"display_name", {&h.display_name, 64}},
      {"description", {&h.description, 500}},
      {"username", {&h.username, 64}},
      {"icon_url", {&h.icon_url, limits::kMaxUrlLength}},
      {"team_id", {nullptr, 128}}};
  for (const auto& [key, value] : *obj) {
    if (key == "channel_locked") {
      if (!value.is_bool()) {
        return Error::Invalid("channel_locked", "channel_locked: expected true or false");
      }
      h.channel_locked = value.get_bool();
      continue;
    }
    bool known = false;
    for (const auto& [name, target] : texts) {
      if (key != name) continue;
      known = true;
      if (!value.is_string() || CodePoints(value.get_string()) > target.second) {
        return Error::Invalid(name, std::string(name) + ": expected a string of at most " +
                                        std::to_string(target.second) + " characters");
      }
      if (target.first != nullptr) *target.first = std::string(value.get_string());
    }
    if (!known) return Error::Invalid(std::string(key), std::string(key) + ": unknown field");
  }
  if (h.channel_id.empty()) return Error::Missing("channel_id");
  return h;
}

Result<IncomingHook> DecodeIncomingHookRecord(std::string_view bytes) {
  boost::system::error_code ec;
  json::value v = json::parse(bytes, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  const Error corrupt{"storage_corrupt", "a stored incoming webhook record is not readable", ""};
  if (o == nullptr) return corrupt;
  IncomingHook h;
  const std::pair<const char*, std::string*> texts[] = {{"id", &h.id},
                                                        {"channel_id", &h.channel_id},
                                                        {"team_id", &h.team_id},
                                                        {"user_id", &h.user_id},
                                                        {"display_name", &h.display_name},
                                                        {"description", &h.description},
                                                        {"username", &h.username},
                                                        {"icon_url", &h.icon_url}};
  for (const auto& [name, out] : texts) {
    const json::value* f = o->if_contains(name);
    if (f == nullptr || !f->is_string()) return corrupt;
    *out = std::string(f->get_string());
  }
  const json::value* locked = o->if_contains("channel_locked");
  const json::value* created = o->if_contains("create_at");
  if (locked == nullptr || !locked->is_bool() || created == nullptr || !created->is_int64()) {
    return corrupt;
  }
  h.channel_locked = locked->get_bool();
  h.create_at_ms = created->get_int64();
  return h;
}

}  // namespace hookbroker
