#include "proto/callback_payload.h"

#include <boost/json/serialize.hpp>

#include "proto/envelope.h"
#include "proto/json_fields.h"
#include "proto/kommunicate_payload.h"
#include "proto/mattermost_payload.h"
#include "proto/slack_payload.h"

namespace hookbroker {
namespace {

// Mattermost's outgoing payload for a subscription: the token is the callBackToken; there is no
// team and no trigger word; the channel's name is the event's groupName when it has one.
void RenderMattermost(const Subscription& sub, const boost::json::object& event_json,
                      CallbackPayload& out) {
  // The builder reads the event's typed fields and its source; the stored JSON has them all
  // (it was validated at ingest), so it is taken as it is rather than validated again.
  Event event;
  event.source = event_json;
  event.id = EventId(std::string(json_fields::String(event_json, "eventId")));
  event.group_id = json_fields::String(event_json, "groupId");
  event.timestamp_ms = json_fields::Int(event_json, "timestamp").value_or(0);
  const MattermostPayload payload =
      MattermostPayloadFromEvent(event, MattermostChannelNames{}, sub.callback_token, "");
  if (sub.content_type == kJsonContentType) {
    out.content_type = kJsonContentType;
    out.body = MattermostJsonBody(payload);
  } else {
    out.content_type = kFormContentType;
    out.body = MattermostFormBody(payload);
  }
}

CallbackHeader BasicHeader(const CallbackAuth& auth) {
  return CallbackHeader{auth.header, auth.HeaderValue(), "Basic ****"};
}

}  // namespace

CallbackPayload RenderCallbackPayload(const Subscription& sub,
                                      const boost::json::object& event_json) {
  CallbackPayload out;
  out.content_type = kJsonContentType;
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
      RenderMattermost(sub, event_json, out);
      token_in_kz_header = false;
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
