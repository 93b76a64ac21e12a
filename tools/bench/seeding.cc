#include "tools/bench/seeding.h"

#include <boost/json/parse.hpp>
#include <chrono>

#include "broker/store.h"
#include "proto/event.h"
#include "proto/signature.h"
#include "proto/subscription.h"
#include "tools/bench/producer.h"

namespace hookbench {
namespace {

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

hookbroker::Result<std::unique_ptr<hookbroker::Store>> OpenStore(const std::string& dir) {
  hookbroker::StoreOptions options;
  options.dir = dir;
  return hookbroker::Store::Open(options);
}

hookbroker::Subscription MakeSubscription(const std::string& group,
                                          const std::vector<std::string>& event_types,
                                          const std::string& url, std::int64_t now_ms) {
  hookbroker::Subscription sub;
  sub.id = hookbroker::SubscriptionId(hookbroker::GenerateUuid());
  sub.object_id = group;
  sub.object_type = hookbroker::ObjectType::kGroup;
  sub.event_types = event_types;
  sub.callback_url = url;
  sub.callback_token = "bench-token";
  sub.validity_ms = now_ms + hookbroker::kDefaultValidityMs;
  sub.created_ms = now_ms;
  sub.secret = hookbroker::GenerateWebhookSecret();
  return sub;
}

}  // namespace

std::string SeedSubscriptions(const std::string& data_dir, std::size_t count,
                              const std::string& group_prefix,
                              const std::vector<std::string>& event_types, const std::string& url) {
  auto store = OpenStore(data_dir);
  if (!store) return store.error().message;
  const std::int64_t now = NowMs();
  constexpr std::size_t kChunk = 10000;
  std::vector<hookbroker::Subscription> chunk;
  chunk.reserve(kChunk);
  for (std::size_t i = 0; i < count; ++i) {
    chunk.push_back(MakeSubscription(group_prefix + std::to_string(i), event_types, url, now));
    if (chunk.size() == kChunk || i + 1 == count) {
      if (auto s = (*store)->PutSubscriptions(chunk); !s) return s.error().message;
      chunk.clear();
    }
  }
  return "";
}

std::string SeedBacklog(const std::string& data_dir, std::size_t count, const std::string& group,
                        const std::string& url, std::size_t event_bytes) {
  auto store = OpenStore(data_dir);
  if (!store) return store.error().message;
  const std::int64_t now = NowMs();
  if (auto s = (*store)->PutSubscription(MakeSubscription(group, {"*"}, url, now)); !s) {
    return s.error().message;
  }
  constexpr std::size_t kChunk = 1000;
  std::vector<hookbroker::Event> events;
  std::vector<hookbroker::NewDelivery> deliveries;
  for (std::size_t i = 0; i < count; ++i) {
    auto parsed = hookbroker::ParseEvent(boost::json::parse(
        MakeEvent("TextMessageCreated", group, "backlog-" + std::to_string(i), 0, event_bytes)));
    if (!parsed) return parsed.error().message;
    hookbroker::AssignDefaults(*parsed, hookbroker::EventId(""), now);
    events.push_back(std::move(parsed).value());
    if (events.size() == kChunk || i + 1 == count) {
      deliveries.clear();
      auto r = (*store)->CommitEvents(events, now, &deliveries);
      if (!r) return r.error().message;
      events.clear();
    }
  }
  return "";
}

}  // namespace hookbench
