#include "proto/callback_payload.h"

#include <boost/json/serialize.hpp>

#include "proto/envelope.h"
#include "proto/kommunicate_payload.h"
#include "proto/slack_payload.h"

namespace hookbroker {
namespace {

constexpr std::string_view kJson = "application/json";

CallbackHeader BasicHeader(const CallbackAuth& auth) {
  return CallbackHeader{auth.header, auth.HeaderValue(), "Basic ****"};
}

}  // namespace

CallbackPayload RenderCallbackPayload(const Subscription& sub,
                                      const boost::json::object& event_json) {
  CallbackPayload out;
  out.content_type = kJson;
  bool token_in_kz_header = true;
  switch (sub.format) {
    case PayloadFormat::kKaizala:
      out.body = BuildKaizalaEnvelope(sub, event_json);
      break;
    case PayloadFormat::kKommunicate:
      out.body = BuildKommunicateMessage(sub, event_json);
      token_in_kz_header = false;
      if (!sub.callback_token.empty()) {
        CallbackAuth kommunicate;
        kommunicate.kind = CallbackAuth::Kind::kToken;
        kommunicate.token = sub.callback_token;
        kommunicate.header = kKommunicateAuthHeader;
        out.headers.push_back(BasicHeader(kommunicate));
      }
      break;
    case PayloadFormat::kSlack:
      out.body = BuildSlackMessage(sub, event_json);
      break;
    case PayloadFormat::kMattermost:
      break;
    case PayloadFormat::kRaw:
      out.body = boost::json::serialize(event_json);
      break;
  }
  if (token_in_kz_header && !sub.callback_token.empty()) {
    out.headers.push_back(CallbackHeader{"kz-callback-token", sub.callback_token, "****"});
  }
  if (sub.auth.kind != CallbackAuth::Kind::kNone) out.headers.push_back(BasicHeader(sub.auth));
  return out;
}

}  // namespace hookbroker
