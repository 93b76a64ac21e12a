#include "tests/crash/verdict.h"

#include <algorithm>
#include <boost/json.hpp>

#include "broker/store.h"

namespace hookbroker::crash {
namespace {

std::string PairKey(std::size_t subscription, const std::string& event_id) {
  return std::to_string(subscription) + "\n" + event_id;
}

std::string StringField(const boost::json::value& v, const char* name) {
  const boost::json::object* o = v.if_object();
  if (o == nullptr) return {};
  const auto it = o->find(name);
  if (it == o->end() || !it->value().is_string()) return {};
  return std::string(it->value().as_string());
}

struct Callback {
  std::string webhook_id;
  std::size_t subscription = 0;
  std::string event_id;
  bool success = false;  // answered 2xx
  std::int64_t arrived_ms = 0;
};

// Calls fn for each well-formed POST, per receiver in arrival order; returns how many were not.
std::size_t ForEachCallback(const std::vector<const ScriptedReceiver*>& receivers,
                            const std::vector<std::string>& subscription_ids,
                            const std::function<void(const Callback&)>& fn) {
  std::size_t malformed = 0;
  for (const ScriptedReceiver* receiver : receivers) {
    const auto posts = receiver->Posts();
    for (std::size_t i = 0; i < posts.size(); ++i) {
      const auto& post = posts[i];
      const auto id = post.headers.find("webhook-id");
      boost::system::error_code ec;
      const boost::json::value body = boost::json::parse(post.body, ec);
      const std::string subscription = ec ? "" : StringField(body, "subscriptionId");
      const std::string event = ec ? "" : StringField(body, "eventId");
      const auto sub = std::find(subscription_ids.begin(), subscription_ids.end(), subscription);
      if (id == post.headers.end() || sub == subscription_ids.end() || event.empty()) {
        ++malformed;
        continue;
      }
      const int status = receiver->StatusOfPost(i);
      fn(Callback{id->second, static_cast<std::size_t>(sub - subscription_ids.begin()), event,
                  status >= 200 && status < 300, post.received_ms});
    }
  }
  return malformed;
}

}  // namespace

std::map<std::string, LastSuccess> LastSuccesses(
    const std::vector<const ScriptedReceiver*>& receivers,
    const std::vector<std::string>& subscription_ids) {
  std::map<std::string, LastSuccess> last;
  ForEachCallback(receivers, subscription_ids, [&](const Callback& c) {
    if (c.success) last[c.webhook_id] = LastSuccess{c.subscription, c.event_id, c.arrived_ms};
  });
  return last;
}

DeliveryTally TallyDeliveries(const std::vector<const ScriptedReceiver*>& receivers,
                              const std::vector<std::string>& subscription_ids,
                              const std::vector<AckedEvent>& acked,
                              const std::vector<std::int64_t>& kills_ms,
                              const std::vector<std::set<std::string>>& unrecorded_at_kill,
                              std::int64_t arrival_slack_ms) {
  DeliveryTally t;
  t.duplicates_per_kill.assign(kills_ms.size(), 0);
  std::map<std::string, std::int64_t> last_success;  // webhook-id → arrival of its last 2xx
  std::set<std::string> delivered;                   // PairKey of every 2xx
  t.malformed = ForEachCallback(receivers, subscription_ids, [&](const Callback& c) {
    ++t.posts;
    if (!c.success) ++t.failed_answers;
    const auto earlier = last_success.find(c.webhook_id);
    if (earlier == last_success.end()) {
      if (c.success) {
        last_success.emplace(c.webhook_id, c.arrived_ms);
        delivered.insert(PairKey(c.subscription, c.event_id));
      }
      return;
    }
    // Sent again after a 2xx: only a kill between the two that left that 2xx unrecorded
    // explains it.
    std::size_t k = static_cast<std::size_t>(
        std::lower_bound(kills_ms.begin(), kills_ms.end(), earlier->second - arrival_slack_ms) -
        kills_ms.begin());
    const std::size_t last = static_cast<std::size_t>(
        std::upper_bound(kills_ms.begin(), kills_ms.end(), c.arrived_ms) - kills_ms.begin());
    while (k < last &&
           (k >= unrecorded_at_kill.size() || unrecorded_at_kill[k].count(c.webhook_id) == 0)) {
      ++k;
    }
    const bool explained = k < last;
    if (!explained && t.unexplained_duplicates++ == 0) {
      t.first_unexplained = c.webhook_id + " (subscription " + std::to_string(c.subscription) +
                            ", event " + c.event_id + ")";
    }
    if (c.success) {
      ++t.duplicates;
      if (explained) ++t.duplicates_per_kill[k];
      earlier->second = c.arrived_ms;
    }
  });
  for (const AckedEvent& e : acked) {
    for (int s : MatchingSubscriptions(e.kind)) {
      ++t.expected;
      if (delivered.count(PairKey(static_cast<std::size_t>(s), e.id)) == 0 && t.missing++ == 0) {
        t.first_missing = "subscription " + std::to_string(s) + ", event " + e.id;
      }
    }
  }
  return t;
}

Result<StoreCheck> CheckStore(const std::string& data_dir, const std::vector<AckedEvent>& acked,
                              const std::function<bool(const AckedEvent&)>& must_be_present,
                              const std::vector<std::string>& subscription_ids,
                              const std::map<std::string, LastSuccess>& successes) {
  StoreOptions options;
  options.dir = data_dir;
  auto store = Store::Open(options);
  if (!store) return store.error();
  StoreCheck check;
  for (const AckedEvent& e : acked) {
    if (!must_be_present(e)) continue;
    ++check.checked;
    auto json = (*store)->GetEventJson(EventId(e.id));
    if (!json) return json.error();
    if (!json->has_value() && check.missing++ == 0) check.first_missing = e.id;
  }
  for (const auto& [webhook_id, success] : successes) {
    DeliveryFilter filter;
    filter.subscription_id = SubscriptionId(subscription_ids[success.subscription]);
    filter.event_id = EventId(success.event_id);
    auto page = (*store)->ListDeliveries(filter);
    if (!page) return page.error();
    // Still pending: the 2xx was not recorded. Not there at all: it was recorded as final and
    // has since expired (pending deliveries never expire).
    const bool pending = std::any_of(page->deliveries.begin(), page->deliveries.end(),
                                     [](const DeliveryWithAttempts& d) {
                                       return d.delivery.status == DeliveryStatus::kPending;
                                     });
    if (pending) check.unrecorded.insert(webhook_id);
  }
  for (const std::string& id : subscription_ids) {
    auto stats = (*store)->GetSubscriptionStats(SubscriptionId(id));
    if (!stats) return stats.error();
    std::int64_t pending = 0;
    DeliveryFilter filter;
    filter.subscription_id = SubscriptionId(id);
    filter.status = DeliveryStatus::kPending;
    for (;;) {
      auto page = (*store)->ListDeliveries(filter);
      if (!page) return page.error();
      pending += static_cast<std::int64_t>(page->deliveries.size());
      if (!page->next_before_id) break;
      filter.before_id = page->next_before_id;
    }
    const std::int64_t counted = stats->has_value() ? (*stats)->pending : 0;
    if (counted != pending && check.counter_mismatches++ == 0) {
      check.first_counter_mismatch = "subscription " + id + ": counter " + std::to_string(counted) +
                                     ", pending deliveries " + std::to_string(pending);
    }
  }
  return check;
}

}  // namespace hookbroker::crash
