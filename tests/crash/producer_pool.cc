#include "tests/crash/producer_pool.h"

#include <algorithm>
#include <chrono>
#include <random>

#include "tests/crash/wall_clock.h"
#include "tests/support/zmq_producer.h"

namespace hookbroker::crash {
namespace {

// Long enough for a group commit under load, short enough that a killed broker's producers
// give up quickly.
constexpr std::chrono::milliseconds kReplyTimeout{3000};

}  // namespace

void ProducerPool::Start(const std::string& endpoint, int threads, std::uint64_t seed) {
  for (int t = 0; t < threads; ++t) {
    threads_.emplace_back([this, endpoint, t, seed] { Run(endpoint, t, seed + t); });
  }
}

void ProducerPool::Stop() {
  stop_ = true;
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void ProducerPool::Run(const std::string& endpoint, int thread, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> batch_size(1, 5);
  std::uniform_int_distribution<int> kind(0, kEventKinds - 1);
  std::uint64_t sequence = 0;
  while (!stop_.load()) {
    const int want = batch_size(rng);
    const int first = claimed_.fetch_add(want);
    const int n = std::min(want, quota_ - first);
    if (n <= 0) return;
    boost::json::array batch;
    std::vector<std::string> ids;
    std::vector<EventKind> kinds;
    for (int i = 0; i < n; ++i) {
      kinds.push_back(static_cast<EventKind>(kind(rng)));
      ids.push_back("c" + std::to_string(cycle_) + "-p" + std::to_string(thread) + "-" +
                    std::to_string(sequence++));
      batch.push_back(MakeEvent(kinds.back(), ids.back()));
    }
    const std::int64_t sent_ms = WallMs();
    ++in_flight_;
    const auto reply =
        testing::RequestReply(endpoint, boost::json::serialize(batch), kReplyTimeout);
    --in_flight_;
    if (!reply) {
      // The broker was killed (or is too slow): these events are neither known stored nor
      // known lost. The controller stops the pool after a kill; keep going until then.
      ledger_.Unanswered(ids.size());
      continue;
    }
    HandleReply(*reply, ids, kinds, sent_ms);
  }
}

void ProducerPool::HandleReply(const std::string& reply, const std::vector<std::string>& ids,
                               const std::vector<EventKind>& kinds, std::int64_t sent_ms) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(reply, ec);
  const boost::json::object* o = v.if_object();
  const boost::json::array* results =
      o != nullptr && o->contains("results") ? o->at("results").if_array() : nullptr;
  if (ec || results == nullptr || results->size() != ids.size()) {
    ledger_.ErrorReply(reply);
    return;
  }
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const boost::json::object* r = (*results)[i].if_object();
    const auto expected = static_cast<std::int64_t>(MatchingSubscriptions(kinds[i]).size());
    const bool accepted = r != nullptr && r->contains("status") && r->contains("deliveries") &&
                          r->at("status") == "accepted" && r->at("eventId") == ids[i].c_str() &&
                          r->at("deliveries").is_int64() &&
                          r->at("deliveries").as_int64() == expected;
    if (!accepted) {
      ledger_.BadResult("event " + ids[i] + " expected accepted with " + std::to_string(expected) +
                        " deliveries, got " + boost::json::serialize((*results)[i]));
      continue;
    }
    ledger_.Acked(AckedEvent{ids[i], sent_ms, kinds[i], cycle_});
  }
}

}  // namespace hookbroker::crash
