#include "broker/outgoing_hook.h"

#include <algorithm>

#include "proto/limits.h"
#include "proto/url.h"

namespace hookbroker {
namespace {

namespace json = boost::json;

bool HasControlCharacter(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  });
}

const json::value* Present(const json::object& obj, std::string_view key) {
  const json::value* v = obj.if_contains(key);
  return (v == nullptr || v->is_null()) ? nullptr : v;
}

// An optional string of at most `max_len` bytes without control characters; "" when absent.
Result<std::string> OptionalString(const json::object& obj, std::string_view key,
                                   std::size_t max_len) {
  const json::value* v = Present(obj, key);
  if (v == nullptr) return std::string();
  const json::string* s = v->if_string();
  if (s == nullptr || s->size() > max_len || HasControlCharacter(*s)) {
    return Error::Invalid(std::string(key), std::string(key) + ": must be a string of at most " +
                                                std::to_string(max_len) +
                                                " characters, without control characters");
  }
  return std::string(*s);
}

// A JSON array of non-empty strings whose `separator`-joined length is at most `max_joined`.
Result<std::vector<std::string>> StringList(const json::object& obj, std::string_view key,
                                            std::size_t max_joined, bool allow_space) {
  std::vector<std::string> out;
  const json::value* v = Present(obj, key);
  if (v == nullptr) return out;
  const std::string name(key);
  const json::array* arr = v->if_array();
  if (arr == nullptr) return Error::Invalid(name, name + ": must be an array of strings");
  std::size_t joined = 0;
  for (const json::value& item : *arr) {
    const json::string* s = item.if_string();
    if (s == nullptr || s->empty() || HasControlCharacter(*s) ||
        (!allow_space && s->find(' ') != json::string::npos)) {
      return Error::Invalid(name, name + ": each entry must be a non-empty string" +
                                      (allow_space ? "" : " without spaces"));
    }
    joined += s->size() + (out.empty() ? 0 : 1);
    out.emplace_back(*s);
  }
  if (joined > max_joined) {
    return Error::Invalid(name,
                          name + ": at most " + std::to_string(max_joined) + " characters in all");
  }
  return out;
}

}  // namespace

std::string_view ToString(HookContentType type) {
  return type == HookContentType::kJson ? "application/json" : "application/x-www-form-urlencoded";
}

Result<OutgoingHook> ParseOutgoingHookFields(const json::object& obj,
                                             const OutgoingHookPolicy& policy) {
  OutgoingHook hook;
  auto channel = OptionalString(obj, "channel_id", limits::kMaxObjectIdLength);
  if (!channel) return channel.error();
  hook.channel_id = std::move(channel).value();
  auto team = OptionalString(obj, "team_id", limits::kMaxObjectIdLength);
  if (!team) return team.error();
  hook.team_id = std::move(team).value();

  // Trigger words are matched against the post's first word, so a space could never match.
  auto words = StringList(obj, "trigger_words", kMaxTriggerWordsJoined, false);
  if (!words) return words.error();
  hook.trigger_words = std::move(words).value();
  if (hook.channel_id.empty() && hook.trigger_words.empty()) {
    return Error::Invalid("trigger_words",
                          "trigger_words: required (at least one) when channel_id is not set");
  }
  if (const json::value* when = Present(obj, "trigger_when")) {
    const std::int64_t* n = when->if_int64();
    if (n == nullptr || (*n != 0 && *n != 1)) {
      return Error::Invalid("trigger_when",
                            "trigger_when: 0 (first word equals) or 1 (first word starts with)");
    }
    hook.trigger_when = static_cast<TriggerWhen>(*n);
  }

  auto urls = StringList(obj, "callback_urls", kMaxCallbackUrlsJoined, false);
  if (!urls) return urls.error();
  if (urls->empty()) return Error::Invalid("callback_urls", "callback_urls: at least one URL");
  for (const std::string& text : *urls) {
    Result<Url> url = ParseUrl(text);
    if (!url) {
      // ParseUrl speaks of callBackUrl, the subscriptions' field; say which field it is here.
      std::string why = url.error().message;
      if (why.starts_with("callBackUrl: ")) why.erase(0, 13);
      return Error::Invalid("callback_urls", "callback_urls: " + text + ": " + why);
    }
    if (url->scheme != "https" && !policy.allow_http_callbacks) {
      return Error::Invalid("callback_urls", "callback_urls: " + text +
                                                 ": plain http URLs are refused; use https (or "
                                                 "start the broker with --allow-http-callbacks)");
    }
  }
  hook.callback_urls = std::move(urls).value();

  auto type = OptionalString(obj, "content_type", 128);
  if (!type) return type.error();
  if (*type == "application/json") {
    hook.content_type = HookContentType::kJson;
  } else if (type->empty() || *type == "application/x-www-form-urlencoded") {
    hook.content_type = HookContentType::kForm;
  } else {
    return Error::Invalid("content_type",
                          "content_type: application/x-www-form-urlencoded (the default) or "
                          "application/json");
  }

  struct Text {
    const char* name;
    std::size_t max;
    std::string* out;
  };
  for (const Text& t : {Text{"display_name", kMaxHookDisplayName, &hook.display_name},
                        Text{"description", kMaxHookDescription, &hook.description},
                        Text{"username", kMaxHookUsername, &hook.username},
                        Text{"icon_url", kMaxHookIconUrl, &hook.icon_url}}) {
    auto value = OptionalString(obj, t.name, t.max);
    if (!value) return value.error();
    *t.out = std::move(value).value();
  }
  return hook;
}

Result<OutgoingHook> ParseOutgoingHookRequest(const json::value& body,
                                              const OutgoingHookPolicy& policy) {
  const json::object* obj = body.if_object();
  if (obj == nullptr) return Error{"invalid_json", "request body must be a JSON object", ""};
  return ParseOutgoingHookFields(*obj, policy);
}

}  // namespace hookbroker
