#include "broker/channel_codec.h"

#include <boost/json.hpp>

namespace hookbroker {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxNameLength = 64;         // Mattermost's channel name limit
constexpr std::size_t kMaxDisplayNameLength = 64;  // Mattermost's display name limit
constexpr std::size_t kMaxChannelIdLength = 128;
constexpr std::size_t kMaxTeamFieldLength = 128;

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// Counts UTF-8 code points (display names are shown to people, and limited as Mattermost does).
std::size_t CodePoints(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

Result<std::string> StringField(const json::value& v, const char* name, std::size_t max_length) {
  if (!v.is_string()) return Error::Invalid(name, std::string(name) + ": expected a string");
  if (v.get_string().size() > max_length) {
    return Error::Invalid(
        name, std::string(name) + ": at most " + std::to_string(max_length) + " characters");
  }
  return std::string(v.get_string());
}

}  // namespace

bool IsValidChannelName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength || !IsLowerAlnum(name.front())) return false;
  for (char c : name) {
    if (!IsLowerAlnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

bool IsValidChannelId(std::string_view id) {
  if (id.empty() || id.size() > kMaxChannelIdLength) return false;
  for (char c : id) {
    const bool ok =
        IsLowerAlnum(c) || (c >= 'A' && c <= 'Z') || c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

json::object ChannelToJson(const Channel& c) {
  return json::object{{"id", c.id},
                      {"name", c.name},
                      {"display_name", c.display_name},
                      {"team_id", c.team_id},
                      {"team_domain", c.team_domain},
                      {"type", c.is_public ? "O" : "P"}};
}

Result<Channel> ParseChannelRequest(std::string_view id, const json::value& body) {
  if (!IsValidChannelId(id)) {
    return Error::Invalid("id", "id: 1 to 128 of the characters A-Z a-z 0-9 . _ : -");
  }
  const json::object* obj = body.if_object();
  if (obj == nullptr) return Error{"invalid_json", "request body must be a JSON object", ""};
  Channel c;
  c.id = std::string(id);
  bool has_name = false;
  bool has_display_name = false;
  for (const auto& [key, value] : *obj) {
    if (key == "id") {
      if (!value.is_string() || value.get_string() != id) {
        return Error::Invalid("id", "id: must be the id in the path when given");
      }
    } else if (key == "name") {
      auto name = StringField(value, "name", kMaxNameLength);
      if (!name) return name.error();
      if (!IsValidChannelName(*name)) {
        return Error::Invalid("name",
                              "name: 1 to 64 of a-z 0-9 - _ starting with a letter or digit "
                              "(the channel's handle, e.g. town-square)");
      }
      c.name = std::move(*name);
      has_name = true;
    } else if (key == "display_name") {
      if (!value.is_string() || value.get_string().empty() ||
          CodePoints(value.get_string()) > kMaxDisplayNameLength) {
        return Error::Invalid("display_name", "display_name: 1 to 64 characters");
      }
      c.display_name = std::string(value.get_string());
      has_display_name = true;
    } else if (key == "team_id" || key == "team_domain") {
      const std::string field(key);
      auto text = StringField(value, field.c_str(), kMaxTeamFieldLength);
      if (!text) return text.error();
      (key == "team_id" ? c.team_id : c.team_domain) = std::move(*text);
    } else if (key == "type") {
      if (value == json::value("O")) {
        c.is_public = true;
      } else if (value == json::value("P")) {
        c.is_public = false;
      } else {
        return Error::Invalid("type", "type: \"O\" (public) or \"P\" (private)");
      }
    } else {
      return Error::Invalid(std::string(key), std::string(key) + ": unknown field");
    }
  }
  if (!has_name) return Error::Missing("name");
  if (!has_display_name) c.display_name = c.name;
  return c;
}

Result<Channel> DecodeChannelRecord(std::string_view bytes) {
  boost::system::error_code ec;
  json::value v = json::parse(bytes, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  Error corrupt{"storage_corrupt", "a stored channel record is not readable", ""};
  if (o == nullptr) return corrupt;
  auto text = [&](const char* name) -> const json::string* {
    const json::value* f = o->if_contains(name);
    return f == nullptr ? nullptr : f->if_string();
  };
  const json::string* id = text("id");
  const json::string* name = text("name");
  const json::string* display = text("display_name");
  const json::string* team_id = text("team_id");
  const json::string* team_domain = text("team_domain");
  const json::string* type = text("type");
  if (!id || !name || !display || !team_id || !team_domain || !type) return corrupt;
  Channel c;
  c.id = std::string(*id);
  c.name = std::string(*name);
  c.display_name = std::string(*display);
  c.team_id = std::string(*team_id);
  c.team_domain = std::string(*team_domain);
  c.is_public = *type != "P";
  return c;
}

}  // namespace hookbroker
