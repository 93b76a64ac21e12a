#include "tools/bench/seeding.h"

#include <time.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <chrono>

#include "broker/store.h"
#include "proto/event.h"
#include "proto/ingest_codec.h"
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

// An event as the ingest stores it: parsed, then given the broker's defaults (receive time).
hookbroker::Result<hookbroker::Event> IngestedEvent(const std::string& json, std::int64_t now_ms) {
  auto parsed = hookbroker::ParseEvent(boost::json::parse(json));
  if (parsed) hookbroker::AssignDefaults(*parsed, hookbroker::EventId(""), now_ms);
  return parsed;
}

// CPU time of the calling thread, user and system.
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
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
    auto parsed = IngestedEvent(
        MakeEvent("TextMessageCreated", group, "backlog-" + std::to_string(i), 0, event_bytes),
        now);
    if (!parsed) return parsed.error().message;
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

StoreCeilingResult RunStoreCeiling(const std::string& data_dir, const LoadSpec& spec,
                                   std::size_t events, std::size_t per_txn) {
  StoreCeilingResult result;
  auto store = OpenStore(data_dir);
  if (!store) {
    result.error = store.error().message;
    return result;
  }
  using Clock = std::chrono::steady_clock;
  Clock::duration committing{};
  double decode_cpu = 0, commit_cpu = 0;
  const std::size_t per_frame = static_cast<std::size_t>(std::max(spec.batch, 1));
  std::vector<std::string> frames;
  std::vector<hookbroker::Event> batch;
  std::vector<hookbroker::NewDelivery> deliveries;
  std::uint64_t accepted = 0;
  for (std::uint64_t n = 0; n < events;) {
    // The transaction's events as the producers frame them (untimed), then decoded as the
    // ingest thread decodes them (its CPU timed), then committed (wall and CPU timed).
    frames.clear();
    for (std::size_t in_txn = 0; in_txn < per_txn && n < events;) {
      std::string frame = "[";
      for (std::size_t k = 0; k < per_frame && in_txn < per_txn && n < events; ++k) {
        if (k > 0) frame += ',';
        frame +=
            MakeEvent(spec.event_type, spec.group(n), LoadEventId(spec, n), 0, spec.event_bytes);
        ++in_txn;
        ++n;
      }
      frames.push_back(frame + "]");
    }
    batch.clear();
    const double decode_start = ThreadCpuSeconds();
    const std::int64_t now = NowMs();
    for (const std::string& frame : frames) {
      auto request = hookbroker::DecodeIngestFrame(frame);
      if (!request) {
        result.error = request.error().message;
        return result;
      }
      for (auto& event : request->events) {
        if (!event) {
          result.error = event.error().message;
          return result;
        }
        hookbroker::AssignDefaults(*event, hookbroker::EventId(""), now);
        batch.push_back(std::move(*event));
      }
    }
    decode_cpu += ThreadCpuSeconds() - decode_start;
    deliveries.clear();
    const double commit_start = ThreadCpuSeconds();
    const Clock::time_point start = Clock::now();
    auto committed = (*store)->CommitEvents(batch, now, &deliveries);
    committing += Clock::now() - start;
    commit_cpu += ThreadCpuSeconds() - commit_start;
    if (!committed) {
      result.error = committed.error().message;
      return result;
    }
    for (const hookbroker::EventCommit& e : *committed) {
      accepted += e.status == hookbroker::IngestStatus::kAccepted ? 1 : 0;
    }
  }
  result.seconds = std::chrono::duration<double>(committing).count();
  if (accepted != events) {
    result.error = std::to_string(events - accepted) + " of " + std::to_string(events) +
                   " events not accepted (duplicate ids)";
  }
  if (result.seconds > 0) result.events_per_second = static_cast<double>(accepted) / result.seconds;
  if (events > 0) {
    result.decode_cpu_us = 1e6 * decode_cpu / static_cast<double>(events);
    result.commit_cpu_us = 1e6 * commit_cpu / static_cast<double>(events);
  }
  return result;
}

}  // namespace hookbench
