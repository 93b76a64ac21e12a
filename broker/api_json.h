// The JSON shapes of the REST API's replies for deliveries, attempts and statistics
// (docs/API.md). Pure.
#pragma once

#include <boost/json/object.hpp>

#include "broker/store.h"

namespace hookbroker::api {

// A delivery and its attempts; `detailed` adds each attempt's url and request headers.
boost::json::object DeliveryToJson(const DeliveryWithAttempts& item, bool detailed);
// One attempt-log entry; `detailed` adds url and request headers (the audit export).
boost::json::object AttemptLogEntryToJson(const AttemptLogEntry& entry, bool detailed);
boost::json::object StatsToJson(const Subscription& sub, const SubscriptionStats& stats);

}  // namespace hookbroker::api
