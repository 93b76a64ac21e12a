// The body of a Kaizala-format callback. No I/O.
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "proto/subscription.h"

namespace hookbroker {

// {"subscriptionId","objectId","objectType" (the subscription's), "eventType","eventId","data",
//  "context","fromUser","fromUserId","fromUserName","fromUserProfilePic","timestamp"}, from the
// stored event JSON (EventJson). Absent optional event fields are omitted; `data` defaults to {};
// `context` is omitted when the subscription has none. The envelope's JSON is built with
// event_json's memory resource.
std::string BuildKaizalaEnvelope(const Subscription& sub, const boost::json::object& event_json);

}  // namespace hookbroker
