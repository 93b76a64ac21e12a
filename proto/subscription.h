// Subscription: a Kaizala-style webhook registration, its validation and its JSON forms. No I/O.
//
// Three JSON forms exist and are kept apart on purpose:
//  - the request (POST /v1/webhook): Kaizala's spellings `callBackUrl`, `eventTypes`, ...;
//  - the API reply (GET /v1/webhook): Kaizala's reply spellings `id`, `events`, `callbackUrl`,
//    with no signing secret and no password;
//  - the stored form (LMDB): everything, including secrets.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/ids.h"
#include "proto/payload_format.h"
#include "proto/result.h"

namespace hookbroker {

enum class ObjectType { kGroup, kActionPackage, kAction };
std::string_view ToString(ObjectType type);  // "Group", "ActionPackage", "Action"
std::optional<ObjectType> ParseObjectType(std::string_view text);

// How the callback authenticates itself to the receiver.
struct CallbackAuth {
  enum class Kind { kNone, kBasic, kToken };
  Kind kind = Kind::kNone;
  std::string username;                  // kBasic
  std::string password;                  // kBasic
  std::string token;                     // kToken: sent as "Basic base64(token)"
  std::string header = "Authorization";  // the header carrying it (kBasic and kToken)

  // The header value: "Basic base64(username:password)" or "Basic base64(token)"; empty for kNone.
  std::string HeaderValue() const;
};

// Kaizala's default validity: two years from registration.
inline constexpr std::int64_t kDefaultValidityMs = 2LL * 365 * 24 * 3600 * 1000;

struct Subscription {
  SubscriptionId id;
  std::string object_id;
  ObjectType object_type = ObjectType::kGroup;
  std::vector<std::string> event_types;  // {"*"} means every type
  std::string callback_url;
  std::string callback_token;    // sent as kz-callback-token when not empty
  std::string callback_context;  // echoed as "context"
  std::int64_t validity_ms = 0;  // expiry, epoch ms
  std::int64_t created_ms = 0;
  CallbackAuth auth;
  std::string secret;  // "whsec_...": signs every callback
  // The secret replaced by the last rotation (secret_rotation.h): it signs callbacks too until
  // previous_secret_until_ms, then it is ignored. Empty when there was no rotation.
  std::string previous_secret;
  std::int64_t previous_secret_until_ms = 0;
  bool paused = false;  // deliveries wait (pending, not attempted) while paused
  // Disabled by the broker (410 Gone, or no successful callback for too long) or an operator:
  // no new deliveries, pending ones are cancelled when they come due. 0: enabled.
  std::int64_t disabled_ms = 0;
  std::string disabled_reason;
  bool deleted = false;
  std::int64_t deleted_ms = 0;
  // The callbacks' shape (docs/CHAT.md "Payload formats"). Records written before formats
  // existed have none stored and read as kaizala.
  PayloadFormat format = PayloadFormat::kKaizala;
  // mattermost only: kFormContentType (the default) or kJsonContentType (mattermost_payload.h).
  // Empty otherwise.
  std::string content_type;

  bool disabled() const { return disabled_ms != 0; }
  bool MatchesType(std::string_view event_type) const;
  // Not deleted and not expired at `now_ms`.
  bool ActiveAt(std::int64_t now_ms) const;
};

struct RequestPolicy {
  bool allow_http_callbacks = false;  // otherwise only https:// callback URLs
};

// Validates a registration body. On success the Subscription has everything but `id` and, when
// the request carried none, `secret` (the caller generates them). `validity` must lie in the
// future; absent, it is now + kDefaultValidityMs. `format` (payload_format.h) defaults to
// kaizala; `contentType` is accepted with the mattermost format only. A kommunicate
// subscription sends its callBackToken in `Authentication`, so an `auth` using that header
// too is refused when there is a callBackToken.
Result<Subscription> ParseSubscriptionRequest(const boost::json::value& body,
                                              const RequestPolicy& policy, std::int64_t now_ms);

// Kaizala's reply spellings: id, objectId, objectType, events, callbackUrl, callbackToken,
// callbackContext, ts, validity, and the extensions `paused`, `disabled` (with `disabledAt` and
// `disabledReason` when true), `auth` (without its password or token), `format` and, for the
// mattermost format, `contentType`.
boost::json::object SubscriptionToApiJson(const Subscription& sub);

// Applies a PATCH body to `sub`: any of callBackUrl, callBackToken, callBackContext, eventTypes,
// validity, auth (null removes it), format, contentType, paused and disabled (false re-enables a
// disabled subscription; true disables it "by an operator"), validated exactly as at registration.
// objectId, objectType and secret cannot change (Error naming the field). On error `sub` is
// unchanged. *url_changed tells whether callBackUrl changed (the caller then re-runs the
// handshake).
Status ApplySubscriptionPatch(const boost::json::value& patch, const RequestPolicy& policy,
                              std::int64_t now_ms, Subscription* sub, bool* url_changed);

// Everything, secrets included: for the store only.
boost::json::object SubscriptionToStorageJson(const Subscription& sub);
Result<Subscription> SubscriptionFromStorageJson(const boost::json::value& value);

}  // namespace hookbroker
