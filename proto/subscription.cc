#include "proto/subscription.h"

#include <algorithm>
#include <array>
#include <boost/json/array.hpp>
#include <limits>

#include "proto/base64.h"
#include "proto/event.h"
#include "proto/limits.h"
#include "proto/mattermost_payload.h"
#include "proto/signature.h"
#include "proto/url.h"

namespace hookbroker {
namespace {

// Headers the broker itself sets; letting a registration override them would corrupt the
// request or forge its signature.
constexpr std::array<std::string_view, 5> kReservedHeaders = {
    "content-type", "content-length", "host", "transfer-encoding", "connection"};

bool HasControlCharacter(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  });
}

std::string Lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

const boost::json::value* Present(const boost::json::object& obj, std::string_view key) {
  const boost::json::value* v = obj.if_contains(key);
  return (v == nullptr || v->is_null()) ? nullptr : v;
}

std::optional<std::int64_t> Integer(const boost::json::value& v) {
  if (const std::int64_t* i = v.if_int64()) return *i;
  if (const std::uint64_t* u = v.if_uint64()) {
    if (*u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return static_cast<std::int64_t>(*u);
    }
    return std::nullopt;
  }
  if (const double* d = v.if_double()) {
    if (*d >= -9223372036854775808.0 && *d < 9223372036854775808.0 &&
        *d == static_cast<double>(static_cast<std::int64_t>(*d))) {
      return static_cast<std::int64_t>(*d);
    }
  }
  return std::nullopt;
}

bool IsValidHeaderName(std::string_view name) {
  if (name.empty() || name.size() > limits::kMaxAuthFieldLength) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool IsAllowedAuthHeader(std::string_view name) {
  const std::string lower = Lowercase(name);
  if (lower.starts_with("webhook-") || lower.starts_with("kz-")) return false;
  return std::find(kReservedHeaders.begin(), kReservedHeaders.end(), lower) ==
         kReservedHeaders.end();
}

Result<std::string> AuthString(const boost::json::object& auth, std::string_view key,
                               bool allow_empty) {
  const std::string field = "auth." + std::string(key);
  const boost::json::value* v = Present(auth, key);
  if (v == nullptr) return Error::Missing(field);
  const boost::json::string* s = v->if_string();
  if (s == nullptr || (!allow_empty && s->empty()) || s->size() > limits::kMaxAuthFieldLength) {
    return Error::Invalid(field, field + ": must be a " + (allow_empty ? "" : "non-empty ") +
                                     "string of at most " +
                                     std::to_string(limits::kMaxAuthFieldLength) + " characters");
  }
  return std::string(*s);
}

Result<CallbackAuth> ParseAuth(const boost::json::value& value) {
  const boost::json::object* obj = value.if_object();
  if (obj == nullptr) return Error::Invalid("auth", "auth: must be a JSON object");
  const bool basic = obj->contains("username") || obj->contains("password");
  const bool token = obj->contains("token");
  if (basic == token) {
    return Error::Invalid("auth", "auth: give either \"username\" and \"password\", or \"token\"");
  }
  CallbackAuth auth;
  if (basic) {
    Result<std::string> username = AuthString(*obj, "username", false);
    if (!username) return username.error();
    if (username->find(':') != std::string::npos || HasControlCharacter(*username)) {
      return Error::Invalid("auth.username",
                            "auth.username: must not contain ':' or control characters");
    }
    Result<std::string> password = AuthString(*obj, "password", true);
    if (!password) return password.error();
    auth.kind = CallbackAuth::Kind::kBasic;
    auth.username = std::move(username).value();
    auth.password = std::move(password).value();
  } else {
    Result<std::string> secret = AuthString(*obj, "token", false);
    if (!secret) return secret.error();
    auth.kind = CallbackAuth::Kind::kToken;
    auth.token = std::move(secret).value();
  }
  if (const boost::json::value* header = Present(*obj, "header")) {
    const boost::json::string* s = header->if_string();
    if (s == nullptr || !IsValidHeaderName(*s)) {
      return Error::Invalid("auth.header",
                            "auth.header: must be an HTTP header name (letters, digits and '-')");
    }
    if (!IsAllowedAuthHeader(*s)) {
      return Error::Invalid("auth.header", "auth.header: \"" + std::string(*s) +
                                               "\" is set by the broker and cannot be used");
    }
    auth.header = std::string(*s);
  }
  return auth;
}

Result<std::vector<std::string>> ParseEventTypes(const boost::json::object& body) {
  const boost::json::value* v = Present(body, "eventTypes");
  if (v == nullptr) return Error::Missing("eventTypes");
  const boost::json::array* list = v->if_array();
  if (list == nullptr || list->empty() || list->size() > limits::kMaxEventTypesPerSubscription) {
    return Error::Invalid("eventTypes", "eventTypes: must be a non-empty array of at most " +
                                            std::to_string(limits::kMaxEventTypesPerSubscription) +
                                            " event type names");
  }
  std::vector<std::string> types;
  for (const boost::json::value& item : *list) {
    const boost::json::string* s = item.if_string();
    if (s == nullptr || (*s != "*" && !IsValidEventTypeName(*s))) {
      return Error::Invalid("eventTypes",
                            "eventTypes: each entry must be \"*\", a Kaizala event type or a name "
                            "matching [A-Za-z][A-Za-z0-9_.-]{0,63}");
    }
    if (std::find(types.begin(), types.end(), *s) == types.end()) types.emplace_back(*s);
  }
  if (types.size() > 1 && std::find(types.begin(), types.end(), "*") != types.end()) {
    return Error::Invalid("eventTypes",
                          "eventTypes: \"*\" already means every type and must "
                          "be the only entry");
  }
  return types;
}

std::string_view AuthKindName(CallbackAuth::Kind kind) {
  switch (kind) {
    case CallbackAuth::Kind::kBasic:
      return "basic";
    case CallbackAuth::Kind::kToken:
      return "token";
    case CallbackAuth::Kind::kNone:
      break;
  }
  return "none";
}

std::optional<CallbackAuth::Kind> ParseAuthKind(std::string_view name) {
  if (name == "none") return CallbackAuth::Kind::kNone;
  if (name == "basic") return CallbackAuth::Kind::kBasic;
  if (name == "token") return CallbackAuth::Kind::kToken;
  return std::nullopt;
}

// The stored form's keys: short, and never renamed once records exist under them.
namespace key {
constexpr std::string_view kVersion = "v";
constexpr std::string_view kId = "id";
constexpr std::string_view kObjectId = "oid";
constexpr std::string_view kObjectType = "otype";
constexpr std::string_view kEventTypes = "types";
constexpr std::string_view kUrl = "url";
constexpr std::string_view kToken = "ctok";
constexpr std::string_view kContext = "ctx";
constexpr std::string_view kValidity = "valid";
constexpr std::string_view kCreated = "created";
constexpr std::string_view kAuthKind = "akind";
constexpr std::string_view kAuthUser = "auser";
constexpr std::string_view kAuthPassword = "apass";
constexpr std::string_view kAuthToken = "atok";
constexpr std::string_view kAuthHeader = "ahdr";
constexpr std::string_view kSecret = "secret";
constexpr std::string_view kPreviousSecret = "psecret";
constexpr std::string_view kPreviousSecretUntil = "psecretUntil";
constexpr std::string_view kPaused = "paused";
constexpr std::string_view kDisabledMs = "disabledMs";  // absent in records written before it
constexpr std::string_view kDisabledReason = "disabledWhy";
constexpr std::string_view kDeleted = "deleted";
constexpr std::string_view kDeletedMs = "deletedMs";
constexpr std::string_view kFormat = "fmt";  // absent in records written before formats
constexpr std::string_view kContentType = "fmtType";
}  // namespace key

constexpr std::int64_t kStorageVersion = 1;

Error Corrupt(std::string_view what) {
  return Error{"corrupt_record", "stored subscription is malformed: " + std::string(what), ""};
}

// Readers for the stored form; each reports the key so a corrupt record can be found.
class StoredReader {
 public:
  explicit StoredReader(const boost::json::object& obj) : obj_(obj) {}

  bool String(std::string_view k, std::string& out) {
    const boost::json::value* v = obj_.if_contains(k);
    if (v == nullptr || !v->is_string()) return Fail(k);
    out = std::string(v->get_string());
    return true;
  }
  bool Int(std::string_view k, std::int64_t& out) {
    const boost::json::value* v = obj_.if_contains(k);
    std::optional<std::int64_t> i;
    if (v != nullptr && !v->is_double()) i = Integer(*v);
    if (!i) return Fail(k);
    out = *i;
    return true;
  }
  bool Bool(std::string_view k, bool& out) {
    const boost::json::value* v = obj_.if_contains(k);
    if (v == nullptr || !v->is_bool()) return Fail(k);
    out = v->get_bool();
    return true;
  }
  bool StringList(std::string_view k, std::vector<std::string>& out) {
    const boost::json::value* v = obj_.if_contains(k);
    if (v == nullptr || !v->is_array()) return Fail(k);
    out.clear();
    for (const boost::json::value& item : v->get_array()) {
      if (!item.is_string()) return Fail(k);
      out.emplace_back(item.get_string());
    }
    return true;
  }
  bool Fail(std::string_view k) {
    if (bad_key_.empty()) bad_key_ = std::string(k);
    return false;
  }
  const std::string& bad_key() const { return bad_key_; }

 private:
  const boost::json::object& obj_;
  std::string bad_key_;
};

}  // namespace

std::string_view ToString(ObjectType type) {
  switch (type) {
    case ObjectType::kGroup:
      return "Group";
    case ObjectType::kActionPackage:
      return "ActionPackage";
    case ObjectType::kAction:
      return "Action";
  }
  return "Group";
}

std::optional<ObjectType> ParseObjectType(std::string_view text) {
  if (text == "Group") return ObjectType::kGroup;
  if (text == "ActionPackage") return ObjectType::kActionPackage;
  if (text == "Action") return ObjectType::kAction;
  return std::nullopt;
}

std::string CallbackAuth::HeaderValue() const {
  switch (kind) {
    case Kind::kBasic:
      return "Basic " + Base64Encode(username + ":" + password);
    case Kind::kToken:
      // Kaizala's receivers expect the token itself base64-encoded under the Basic scheme.
      return "Basic " + Base64Encode(token);
    case Kind::kNone:
      break;
  }
  return {};
}

bool Subscription::MatchesType(std::string_view event_type) const {
  return std::any_of(event_types.begin(), event_types.end(),
                     [&](const std::string& t) { return t == "*" || t == event_type; });
}

bool Subscription::ActiveAt(std::int64_t now_ms) const { return !deleted && now_ms < validity_ms; }

Result<Subscription> ParseSubscriptionRequest(const boost::json::value& body,
                                              const RequestPolicy& policy, std::int64_t now_ms) {
  const boost::json::object* obj = body.if_object();
  if (obj == nullptr) return Error{"invalid_json", "request body must be a JSON object", ""};
  Subscription sub;
  sub.created_ms = now_ms;

  const boost::json::value* object_id = Present(*obj, "objectId");
  if (object_id == nullptr) return Error::Missing("objectId");
  // No control characters: the store's scope index separates the object id from the webhook id
  // with a NUL, so "a\0b" would otherwise match every event of object "a".
  if (!object_id->is_string() || object_id->get_string().empty() ||
      object_id->get_string().size() > limits::kMaxObjectIdLength ||
      HasControlCharacter(object_id->get_string())) {
    return Error::Invalid("objectId", "objectId: must be a non-empty string of at most " +
                                          std::to_string(limits::kMaxObjectIdLength) +
                                          " characters without control characters");
  }
  sub.object_id = std::string(object_id->get_string());

  const boost::json::value* object_type = Present(*obj, "objectType");
  if (object_type == nullptr) return Error::Missing("objectType");
  std::optional<ObjectType> type;
  if (object_type->is_string()) type = ParseObjectType(object_type->get_string());
  if (!type) {
    return Error::Invalid("objectType", "objectType: must be one of Group, ActionPackage, Action");
  }
  sub.object_type = *type;

  Result<std::vector<std::string>> types = ParseEventTypes(*obj);
  if (!types) return types.error();
  sub.event_types = std::move(types).value();

  const boost::json::value* url_value = Present(*obj, "callBackUrl");
  if (url_value == nullptr) return Error::Missing("callBackUrl");
  if (!url_value->is_string()) {
    return Error::Invalid("callBackUrl", "callBackUrl: must be a string");
  }
  Result<Url> url = ParseUrl(url_value->get_string());
  if (!url) return url.error();
  if (url->scheme != "https" && !policy.allow_http_callbacks) {
    return Error::Invalid("callBackUrl",
                          "callBackUrl: plain http callback URLs are refused; use https (or start "
                          "the broker with --allow-http-callbacks)");
  }
  sub.callback_url = std::string(url_value->get_string());

  if (const boost::json::value* token = Present(*obj, "callBackToken")) {
    const boost::json::string* s = token->if_string();
    if (s == nullptr || s->size() > limits::kMaxCallbackTokenLength || HasControlCharacter(*s)) {
      return Error::Invalid("callBackToken", "callBackToken: must be a string of at most " +
                                                 std::to_string(limits::kMaxCallbackTokenLength) +
                                                 " characters without control characters");
    }
    sub.callback_token = std::string(*s);
  }

  if (const boost::json::value* context = Present(*obj, "callBackContext")) {
    const boost::json::string* s = context->if_string();
    if (s == nullptr || s->size() > limits::kMaxCallbackContextLength) {
      return Error::Invalid("callBackContext",
                            "callBackContext: must be a string of at most " +
                                std::to_string(limits::kMaxCallbackContextLength) + " characters");
    }
    sub.callback_context = std::string(*s);
  }

  sub.validity_ms = now_ms + kDefaultValidityMs;
  if (const boost::json::value* validity = Present(*obj, "validity")) {
    const std::optional<std::int64_t> ms = Integer(*validity);
    if (!ms || *ms <= now_ms) {
      return Error::Invalid("validity",
                            "validity: must be an integer time in epoch milliseconds in the "
                            "future");
    }
    sub.validity_ms = *ms;
  }

  if (const boost::json::value* auth = Present(*obj, "auth")) {
    Result<CallbackAuth> parsed = ParseAuth(*auth);
    if (!parsed) return parsed.error();
    sub.auth = std::move(parsed).value();
  }

  if (const boost::json::value* format = Present(*obj, "format")) {
    std::optional<PayloadFormat> parsed;
    if (format->is_string()) parsed = ParsePayloadFormat(format->get_string());
    if (!parsed) {
      return Error::Invalid("format",
                            "format: must be one of kaizala, kommunicate, slack, mattermost, raw");
    }
    sub.format = *parsed;
  }
  if (const boost::json::value* ctype = Present(*obj, "contentType")) {
    if (sub.format != PayloadFormat::kMattermost) {
      return Error::Invalid("contentType",
                            "contentType: only the mattermost format has a choice of encoding");
    }
    if (!ctype->is_string() ||
        (ctype->get_string() != kFormContentType && ctype->get_string() != kJsonContentType)) {
      return Error::Invalid("contentType", "contentType: must be " + std::string(kFormContentType) +
                                               " or " + std::string(kJsonContentType));
    }
    sub.content_type = std::string(ctype->get_string());
  } else if (sub.format == PayloadFormat::kMattermost) {
    sub.content_type = kFormContentType;
  }
  if (sub.format == PayloadFormat::kKommunicate && !sub.callback_token.empty() &&
      sub.auth.kind != CallbackAuth::Kind::kNone &&
      Lowercase(sub.auth.header) == Lowercase(kKommunicateAuthHeader)) {
    return Error::Invalid("auth.header",
                          "auth.header: the kommunicate format already sends callBackToken in "
                          "the Authentication header");
  }

  if (const boost::json::value* secret = Present(*obj, "secret")) {
    if (!secret->is_string()) {
      return Error{"invalid_secret", "secret: must be a string starting with \"whsec_\"", "secret"};
    }
    Result<std::string> key = DecodeWebhookSecret(secret->get_string());
    if (!key) return key.error();
    sub.secret = std::string(secret->get_string());
  }
  return sub;
}

boost::json::object SubscriptionToApiJson(const Subscription& sub) {
  boost::json::object out;
  out["id"] = sub.id.value();
  out["objectId"] = sub.object_id;
  out["objectType"] = ToString(sub.object_type);
  boost::json::array events;
  for (const std::string& t : sub.event_types) events.emplace_back(t);
  out["events"] = std::move(events);
  out["callbackUrl"] = sub.callback_url;
  if (!sub.callback_token.empty()) out["callbackToken"] = sub.callback_token;
  if (!sub.callback_context.empty()) out["callbackContext"] = sub.callback_context;
  out["ts"] = sub.created_ms;
  out["validity"] = sub.validity_ms;
  out["paused"] = sub.paused;
  out["disabled"] = sub.disabled();
  if (sub.disabled()) {
    out["disabledAt"] = sub.disabled_ms;
    out["disabledReason"] = sub.disabled_reason;
  }
  if (sub.auth.kind != CallbackAuth::Kind::kNone) {
    boost::json::object auth;
    auth["type"] = AuthKindName(sub.auth.kind);
    if (sub.auth.kind == CallbackAuth::Kind::kBasic) auth["username"] = sub.auth.username;
    auth["header"] = sub.auth.header;
    out["auth"] = std::move(auth);
  }
  out["format"] = ToString(sub.format);
  if (!sub.content_type.empty()) out["contentType"] = sub.content_type;
  return out;
}

boost::json::object SubscriptionToStorageJson(const Subscription& sub) {
  boost::json::object out;
  out[key::kVersion] = kStorageVersion;
  out[key::kId] = sub.id.value();
  out[key::kObjectId] = sub.object_id;
  out[key::kObjectType] = ToString(sub.object_type);
  boost::json::array types;
  for (const std::string& t : sub.event_types) types.emplace_back(t);
  out[key::kEventTypes] = std::move(types);
  out[key::kUrl] = sub.callback_url;
  out[key::kToken] = sub.callback_token;
  out[key::kContext] = sub.callback_context;
  out[key::kValidity] = sub.validity_ms;
  out[key::kCreated] = sub.created_ms;
  out[key::kAuthKind] = AuthKindName(sub.auth.kind);
  out[key::kAuthUser] = sub.auth.username;
  out[key::kAuthPassword] = sub.auth.password;
  out[key::kAuthToken] = sub.auth.token;
  out[key::kAuthHeader] = sub.auth.header;
  out[key::kSecret] = sub.secret;
  if (!sub.previous_secret.empty()) {
    out[key::kPreviousSecret] = sub.previous_secret;
    out[key::kPreviousSecretUntil] = sub.previous_secret_until_ms;
  }
  out[key::kPaused] = sub.paused;
  if (sub.disabled()) {
    out[key::kDisabledMs] = sub.disabled_ms;
    out[key::kDisabledReason] = sub.disabled_reason;
  }
  out[key::kDeleted] = sub.deleted;
  out[key::kDeletedMs] = sub.deleted_ms;
  out[key::kFormat] = ToString(sub.format);
  if (!sub.content_type.empty()) out[key::kContentType] = sub.content_type;
  return out;
}

Result<Subscription> SubscriptionFromStorageJson(const boost::json::value& value) {
  const boost::json::object* obj = value.if_object();
  if (obj == nullptr) return Corrupt("not a JSON object");
  StoredReader r(*obj);
  std::int64_t version = 0;
  if (!r.Int(key::kVersion, version)) return Corrupt("missing or bad \"v\"");
  if (version != kStorageVersion) {
    return Corrupt("unknown record version " + std::to_string(version));
  }

  Subscription sub;
  std::string id;
  std::string object_type;
  std::string auth_kind;
  const bool ok =
      r.String(key::kId, id) && r.String(key::kObjectId, sub.object_id) &&
      r.String(key::kObjectType, object_type) && r.StringList(key::kEventTypes, sub.event_types) &&
      r.String(key::kUrl, sub.callback_url) && r.String(key::kToken, sub.callback_token) &&
      r.String(key::kContext, sub.callback_context) && r.Int(key::kValidity, sub.validity_ms) &&
      r.Int(key::kCreated, sub.created_ms) && r.String(key::kAuthKind, auth_kind) &&
      r.String(key::kAuthUser, sub.auth.username) &&
      r.String(key::kAuthPassword, sub.auth.password) &&
      r.String(key::kAuthToken, sub.auth.token) && r.String(key::kAuthHeader, sub.auth.header) &&
      r.String(key::kSecret, sub.secret) && r.Bool(key::kPaused, sub.paused) &&
      r.Bool(key::kDeleted, sub.deleted) && r.Int(key::kDeletedMs, sub.deleted_ms);
  if (!ok) return Corrupt("missing or bad \"" + r.bad_key() + "\"");
  if (obj->contains(key::kDisabledMs) && !(r.Int(key::kDisabledMs, sub.disabled_ms) &&
                                           r.String(key::kDisabledReason, sub.disabled_reason))) {
    return Corrupt("missing or bad \"" + r.bad_key() + "\"");
  }
  // Written only while a rotation is remembered (records from before rotation existed lack it).
  if (obj->contains(key::kPreviousSecret) &&
      !(r.String(key::kPreviousSecret, sub.previous_secret) &&
        r.Int(key::kPreviousSecretUntil, sub.previous_secret_until_ms))) {
    return Corrupt("missing or bad \"" + r.bad_key() + "\"");
  }
  std::string format = "kaizala";
  if (obj->contains(key::kFormat) && !r.String(key::kFormat, format)) {
    return Corrupt("missing or bad \"" + r.bad_key() + "\"");
  }
  if (obj->contains(key::kContentType) && !r.String(key::kContentType, sub.content_type)) {
    return Corrupt("missing or bad \"" + r.bad_key() + "\"");
  }
  const std::optional<PayloadFormat> parsed_format = ParsePayloadFormat(format);
  if (!parsed_format) return Corrupt("unknown payload format \"" + format + "\"");
  sub.format = *parsed_format;
  sub.id = SubscriptionId(std::move(id));
  const std::optional<ObjectType> type = ParseObjectType(object_type);
  if (!type) return Corrupt("unknown object type \"" + object_type + "\"");
  sub.object_type = *type;
  const std::optional<CallbackAuth::Kind> kind = ParseAuthKind(auth_kind);
  if (!kind) return Corrupt("unknown auth kind \"" + auth_kind + "\"");
  sub.auth.kind = *kind;
  return sub;
}

Status ApplySubscriptionPatch(const boost::json::value& patch, const RequestPolicy& policy,
                              std::int64_t now_ms, Subscription* sub, bool* url_changed) {
  const boost::json::object* obj = patch.if_object();
  if (obj == nullptr) return Error{"invalid_json", "request body must be a JSON object", ""};
  for (const char* fixed : {"objectId", "objectType", "secret"}) {
    if (obj->contains(fixed)) {
      return Error::Invalid(
          fixed, std::string(fixed) == "secret"
                     ? "secret: cannot be changed here; rotate it with POST "
                       "/v1/webhook/{id}/secret/rotate"
                     : std::string(fixed) + ": cannot be changed; register a new webhook");
    }
  }
  static constexpr std::string_view kPatchable[] = {
      "callBackUrl", "callBackToken", "callBackContext", "eventTypes", "validity",
      "auth",        "format",        "contentType",     "paused",     "disabled"};
  for (const auto& [name, value] : *obj) {
    if (std::find(std::begin(kPatchable), std::end(kPatchable), name) == std::end(kPatchable)) {
      return Error::Invalid(std::string(name), std::string(name) + ": unknown field");
    }
  }
  std::optional<bool> paused;
  if (const boost::json::value* p = obj->if_contains("paused")) {
    if (!p->is_bool()) return Error::Invalid("paused", "paused: expected true or false");
    paused = p->get_bool();
  }
  std::optional<bool> disabled;
  if (const boost::json::value* d = obj->if_contains("disabled")) {
    if (!d->is_bool()) return Error::Invalid("disabled", "disabled: expected true or false");
    disabled = d->get_bool();
  }

  // The subscription as a registration request, with the patch laid over it, validated by the
  // same code as a registration: one set of rules.
  boost::json::object merged;
  merged["objectId"] = sub->object_id;
  merged["objectType"] = ToString(sub->object_type);
  boost::json::array types;
  for (const std::string& t : sub->event_types) types.emplace_back(t);
  merged["eventTypes"] = std::move(types);
  merged["callBackUrl"] = sub->callback_url;
  if (!sub->callback_token.empty()) merged["callBackToken"] = sub->callback_token;
  if (!sub->callback_context.empty()) merged["callBackContext"] = sub->callback_context;
  if (sub->auth.kind == CallbackAuth::Kind::kBasic) {
    merged["auth"] = boost::json::object{{"username", sub->auth.username},
                                         {"password", sub->auth.password},
                                         {"header", sub->auth.header}};
  } else if (sub->auth.kind == CallbackAuth::Kind::kToken) {
    merged["auth"] = boost::json::object{{"token", sub->auth.token}, {"header", sub->auth.header}};
  }
  merged["secret"] = sub->secret;
  merged["format"] = ToString(sub->format);
  if (!sub->content_type.empty()) merged["contentType"] = sub->content_type;
  // A changed format drops the old content type, as a registration would; patching the same
  // format again keeps it.
  if (const boost::json::value* f = obj->if_contains("format");
      f != nullptr && !obj->contains("contentType") && *f != merged["format"]) {
    merged.erase("contentType");
  }
  for (const auto& [name, value] : *obj) {
    if (name == "paused" || name == "disabled") continue;
    if (value.is_null()) {
      merged.erase(name);
    } else {
      merged[name] = value;
    }
  }
  Result<Subscription> checked = ParseSubscriptionRequest(merged, policy, now_ms);
  if (!checked) return checked.error();
  *url_changed = checked->callback_url != sub->callback_url;
  sub->event_types = std::move(checked->event_types);
  sub->callback_url = std::move(checked->callback_url);
  sub->callback_token = std::move(checked->callback_token);
  sub->callback_context = std::move(checked->callback_context);
  sub->auth = std::move(checked->auth);
  sub->format = checked->format;
  sub->content_type = std::move(checked->content_type);
  if (obj->contains("validity")) sub->validity_ms = checked->validity_ms;
  if (paused) sub->paused = *paused;
  if (disabled && *disabled != sub->disabled()) {
    sub->disabled_ms = *disabled ? std::max<std::int64_t>(now_ms, 1) : 0;
    sub->disabled_reason = *disabled ? "disabled by an operator" : "";
  }
  return Status::Ok();
}

}  // namespace hookbroker
