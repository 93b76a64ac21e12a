#include "broker/webhook_payload.h"

#include <boost/json.hpp>
#include <cctype>

#include "proto/limits.h"
#include "proto/utf8.h"

namespace hookbroker {
namespace {

namespace json = boost::json;

Error Unparsable(std::string detail) { return Error{"invalid_payload", std::move(detail), ""}; }

std::string MediaType(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  std::string out(t);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Result<json::value> ParseJson(std::string_view text) {
  json::parse_options opts;
  opts.max_depth = limits::kMaxJsonDepth;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec, {}, opts);
  if (ec) {
    // Mattermost's tolerance: raw newlines and tabs inside strings.
    boost::system::error_code ec2;
    v = json::parse(EscapeControlCharsInStrings(text), ec2, {}, opts);
    if (ec2) return Unparsable("the body is not valid JSON: " + ec.message());
  }
  return v;
}

// Copies a string field; null and absent leave `out` alone.
Status TakeString(const json::object& o, const char* name, std::string* out) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr || v->is_null()) return Status::Ok();
  if (!v->is_string()) return Unparsable(std::string(name) + ": expected a string");
  *out = std::string(v->get_string());
  return Status::Ok();
}

// Mattermost's post priority: {"priority": "" | "important" | "urgent", "requested_ack": bool,
// "persistent_notifications": bool}.
Status ValidatePriority(const json::value& v) {
  const json::object* o = v.if_object();
  if (o == nullptr) return Unparsable("priority: expected an object");
  for (const auto& [key, value] : *o) {
    if (key == "priority") {
      if (value != "" && value != "important" && value != "urgent") {
        return Unparsable("priority.priority: \"\", \"important\" or \"urgent\"");
      }
    } else if (key == "requested_ack" || key == "persistent_notifications") {
      if (!value.is_bool()) return Unparsable("priority." + std::string(key) + ": true or false");
    } else {
      return Unparsable("priority." + std::string(key) + ": unknown field");
    }
  }
  return Status::Ok();
}

Result<IncomingPayload> FromObject(const json::value& v) {
  const json::object* o = v.if_object();
  if (o == nullptr) return Unparsable("the payload must be a JSON object");
  IncomingPayload p;
  const std::pair<const char*, std::string*> strings[] = {
      {"text", &p.text},         {"channel", &p.channel},       {"username", &p.username},
      {"icon_url", &p.icon_url}, {"icon_emoji", &p.icon_emoji}, {"type", &p.type}};
  for (const auto& [name, out] : strings) {
    if (Status s = TakeString(*o, name, out); !s) return s.error();
  }
  if (const json::value* a = o->if_contains("attachments"); a != nullptr && !a->is_null()) {
    if (!a->is_array()) return Unparsable("attachments: expected an array");
    p.attachments = a->get_array();
  }
  if (const json::value* pr = o->if_contains("props"); pr != nullptr && !pr->is_null()) {
    if (!pr->is_object()) return Unparsable("props: expected an object");
    p.props = pr->get_object();
  }
  if (const json::value* pri = o->if_contains("priority"); pri != nullptr && !pri->is_null()) {
    if (Status valid = ValidatePriority(*pri); !valid) return valid.error();
    p.priority = pri->get_object();
  }
  return p;
}

Result<IncomingPayload> FromJsonText(std::string_view text) {
  auto v = ParseJson(text);
  if (!v) return v.error();
  return FromObject(*v);
}

// Multipart fields are text; the structured ones hold JSON.
Result<IncomingPayload> FromMultipart(const std::map<std::string, std::string>& fields) {
  if (auto it = fields.find("payload"); it != fields.end()) return FromJsonText(it->second);
  json::object o;
  for (const char* name : {"text", "channel", "username", "icon_url", "icon_emoji", "type"}) {
    auto it = fields.find(name);
    if (it == fields.end()) continue;
    // JSON bodies are checked by the parser; a form field's bytes are not.
    if (!IsValidUtf8(it->second)) return Unparsable(std::string(name) + ": not valid UTF-8");
    o[name] = it->second;
  }
  for (const char* name : {"attachments", "props", "priority"}) {
    auto it = fields.find(name);
    if (it == fields.end()) continue;
    auto v = ParseJson(it->second);
    if (!v) return Unparsable(std::string(name) + ": " + v.error().message);
    o[name] = std::move(*v);
  }
  return FromObject(o);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 &&
               HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> FormField(std::string_view body, std::string_view name) {
  while (!body.empty()) {
    const std::size_t amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    const std::size_t eq = pair.find('=');
    if (PercentDecode(pair.substr(0, eq)) == name) {
      return eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    body.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::string EscapeControlCharsInStrings(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() + 16);
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (!in_string) {
      in_string = c == '"';
      out.push_back(c);
      continue;
    }
    if (escaped) {
      escaped = false;
    } else if (c == '\\') {
      escaped = true;
    } else if (c == '"') {
      in_string = false;
    } else if (u < 0x20) {
      switch (c) {
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          out += "\\u00";
          out.push_back(kHex[u >> 4]);
          out.push_back(kHex[u & 0xF]);
      }
      continue;
    }
    out.push_back(c);
  }
  return out;
}

Result<IncomingPayload> ParseIncomingPayload(
    std::string_view content_type, std::string_view body,
    const std::map<std::string, std::string>& multipart_fields) {
  const std::string type = MediaType(content_type);
  if (type == "multipart/form-data") return FromMultipart(multipart_fields);
  const bool form =
      type == "application/x-www-form-urlencoded" || (type.empty() && body.starts_with("payload="));
  if (form) {
    auto payload = FormField(body, "payload");
    if (!payload) return Unparsable("a form body needs the field payload (the JSON)");
    return FromJsonText(*payload);
  }
  return FromJsonText(body);
}

}  // namespace hookbroker
