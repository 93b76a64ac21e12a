#include "proto/envelope.h"

#include <boost/json/serialize.hpp>
#include <string_view>

namespace hookbroker {
namespace {

void CopyIfPresent(const boost::json::object& from, boost::json::object& to, std::string_view key) {
  const boost::json::value* v = from.if_contains(key);
  if (v != nullptr && !v->is_null()) to[key] = *v;
}

}  // namespace

std::string BuildKaizalaEnvelope(const Subscription& sub, const boost::json::object& event_json) {
  // The event's memory resource: a caller that parsed into a stack arena builds the envelope in
  // it too, without a heap allocation per field.
  boost::json::object out(event_json.storage());
  out["subscriptionId"] = sub.id.value();
  out["objectId"] = sub.object_id;
  out["objectType"] = ToString(sub.object_type);
  CopyIfPresent(event_json, out, "eventType");
  CopyIfPresent(event_json, out, "eventId");
  const boost::json::value* data = event_json.if_contains("data");
  if (data != nullptr && data->is_object()) {
    out["data"] = *data;
  } else {
    // Kaizala receivers index into `data` unconditionally.
    out["data"] = boost::json::object();
  }
  if (!sub.callback_context.empty()) out["context"] = sub.callback_context;
  for (std::string_view key :
       {"fromUser", "fromUserId", "fromUserName", "fromUserProfilePic", "timestamp"}) {
    CopyIfPresent(event_json, out, key);
  }
  return boost::json::serialize(out);
}

}  // namespace hookbroker
