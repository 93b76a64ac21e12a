#include "subscribers/outgoing_webhook.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <map>

#include "subscribers/form_decode.h"

namespace hookbroker::subscribers {
namespace {

namespace json = boost::json;

constexpr const char* kStringFields[] = {"token",        "team_id",     "team_domain", "channel_id",
                                         "channel_name", "user_id",     "user_name",   "post_id",
                                         "text",         "trigger_word"};

std::string* StringField(OutgoingWebhookRequest& r, std::string_view name) {
  if (name == "token") return &r.token;
  if (name == "team_id") return &r.team_id;
  if (name == "team_domain") return &r.team_domain;
  if (name == "channel_id") return &r.channel_id;
  if (name == "channel_name") return &r.channel_name;
  if (name == "user_id") return &r.user_id;
  if (name == "user_name") return &r.user_name;
  if (name == "post_id") return &r.post_id;
  if (name == "text") return &r.text;
  return &r.trigger_word;
}

std::vector<std::string> SplitCommas(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    if (std::string_view part = text.substr(0, comma); !part.empty()) out.emplace_back(part);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return out;
}

Result<OutgoingWebhookRequest> FromForm(std::string_view body) {
  auto form = DecodeForm(body);
  if (!form) return form.error();
  OutgoingWebhookRequest r;
  for (const char* name : kStringFields) {
    if (auto it = form->find(name); it != form->end()) *StringField(r, name) = it->second;
  }
  if (auto it = form->find("timestamp"); it != form->end() && !it->second.empty()) {
    std::int64_t seconds = 0;
    const std::string& t = it->second;
    auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), seconds);
    if (ec != std::errc() || ptr != t.data() + t.size()) {
      return Error::Invalid("timestamp", "timestamp: must be whole seconds");
    }
    r.timestamp_ms = seconds * 1000;
  }
  if (auto it = form->find("file_ids"); it != form->end()) r.file_ids = SplitCommas(it->second);
  return r;
}

Result<OutgoingWebhookRequest> FromJson(std::string_view body) {
  boost::system::error_code ec;
  json::value root = json::parse(body, ec);
  if (ec || !root.is_object()) return Error{"invalid_json", "the body is not a JSON object", ""};
  const json::object& obj = root.get_object();
  OutgoingWebhookRequest r;
  for (const char* name : kStringFields) {
    const json::value* v = obj.if_contains(name);
    if (v == nullptr || v->is_null()) continue;
    if (!v->is_string()) return Error::Invalid(name, std::string(name) + ": must be a string");
    *StringField(r, name) = std::string(v->get_string());
  }
  if (const json::value* t = obj.if_contains("timestamp"); t != nullptr && !t->is_null()) {
    if (!t->is_number()) return Error::Invalid("timestamp", "timestamp: must be a number");
    r.timestamp_ms = static_cast<std::int64_t>(t->to_number<double>());
  }
  if (const json::value* f = obj.if_contains("file_ids"); f != nullptr && !f->is_null()) {
    if (f->is_string()) {
      r.file_ids = SplitCommas(f->get_string());
    } else if (f->is_array()) {
      for (const json::value& id : f->get_array()) {
        if (!id.is_string()) return Error::Invalid("file_ids", "file_ids: must hold strings");
        r.file_ids.emplace_back(id.get_string());
      }
    } else {
      return Error::Invalid("file_ids", "file_ids: must be a string or an array");
    }
  }
  return r;
}

}  // namespace

Result<OutgoingWebhookRequest> ParseOutgoingWebhook(const CallbackRequest& request) {
  const std::string* type = request.Header("content-type");
  std::string media = type == nullptr ? std::string() : type->substr(0, type->find(';'));
  while (!media.empty() && media.back() == ' ') media.pop_back();
  std::transform(media.begin(), media.end(), media.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (media == "application/json") return FromJson(request.body);
  if (media.empty() || media == "application/x-www-form-urlencoded") return FromForm(request.body);
  return Error{"unsupported_media_type",
               "expected application/x-www-form-urlencoded or application/json, got " + media,
               "Content-Type"};
}

std::string OutgoingWebhookReplyJson(const OutgoingWebhookReply& reply) {
  json::object out;
  for (const auto& [name, value] :
       {std::pair{"text", &reply.text}, std::pair{"username", &reply.username},
        std::pair{"icon_url", &reply.icon_url}, std::pair{"response_type", &reply.response_type}}) {
    if (!value->empty()) out[name] = *value;
  }
  return json::serialize(out);
}

}  // namespace hookbroker::subscribers
