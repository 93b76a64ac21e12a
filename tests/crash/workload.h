// The crash test's world: three webhook receivers, four subscriptions on them and four kinds of
// event, so that every acknowledged event implies a known set of deliveries.
//
//   receiver 0 always answers 200; receivers 1 and 2 answer 500 or 503 to about one POST in
//   fail_one_in, on a seeded pattern fixed before the run (so which POST got which answer is
//   known afterwards: the receiver pairs the i-th POST with the i-th scripted answer under one
//   lock).
//
// Thread-safety: ScriptedReceiver's methods may be called from any thread (the receiver is);
// the pattern is immutable after construction.
#pragma once

#include <array>
#include <boost/json.hpp>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "subscribers/reference_receiver.h"

namespace hookbroker::crash {

struct SubscriptionSpec {
  const char* object_type;
  const char* object_id;
  int receiver;  // index into the receivers
};

inline constexpr int kReceivers = 3;
inline constexpr std::array<SubscriptionSpec, 4> kSubscriptions = {{
    {"Group", "crash-g-a", 0},
    {"Group", "crash-g-a", 1},
    {"Group", "crash-g-b", 2},
    {"ActionPackage", "crash-p-x", 0},
}};

enum class EventKind : std::uint8_t {
  kGroupA,    // subscriptions 0 and 1
  kGroupB,    // subscription 2
  kPackageX,  // in group b with package x: subscriptions 2 and 3
  kNoMatch,   // no subscription; kept only by retention
};
inline constexpr int kEventKinds = 4;

// Indexes into kSubscriptions of the subscriptions an event of `kind` matches.
std::vector<int> MatchingSubscriptions(EventKind kind);
// An ingest event object of `kind` with eventId `id`.
boost::json::object MakeEvent(EventKind kind, const std::string& id);

class ScriptedReceiver {
 public:
  // fail_one_in == 0: always 200. Otherwise the first `script_posts` POSTs follow a pattern of
  // 200s with a 500 or 503 about every fail_one_in; later POSTs get 200.
  ScriptedReceiver(int fail_one_in, std::size_t script_posts, std::mt19937_64& rng);
  Status Start();
  void Stop() { receiver_.Stop(); }
  std::string BaseUrl() const { return receiver_.BaseUrl(); }  // "http://127.0.0.1:PORT"
  std::string Url() const { return BaseUrl() + "/hook"; }      // the callback URL
  // The status the receiver answered (or will answer) to its POST number `index` (0-based).
  int StatusOfPost(std::size_t index) const;
  std::vector<subscribers::ReceivedRequest> Posts() const { return receiver_.Posts(); }

 private:
  std::vector<std::uint16_t> statuses_;  // POST i → status; past the end: 200
  subscribers::ReferenceReceiver receiver_;
};

}  // namespace hookbroker::crash
