#include "tests/crash/workload.h"

namespace hookbroker::crash {

std::vector<int> MatchingSubscriptions(EventKind kind) {
  switch (kind) {
    case EventKind::kGroupA:
      return {0, 1};
    case EventKind::kGroupB:
      return {2};
    case EventKind::kPackageX:
      return {2, 3};
    case EventKind::kNoMatch:
      return {};
  }
  return {};
}

boost::json::object MakeEvent(EventKind kind, const std::string& id) {
  boost::json::object e;
  e["eventType"] = "TextMessageCreated";
  e["eventId"] = id;
  switch (kind) {
    case EventKind::kGroupA:
      e["groupId"] = "crash-g-a";
      break;
    case EventKind::kGroupB:
      e["groupId"] = "crash-g-b";
      break;
    case EventKind::kPackageX:
      e["groupId"] = "crash-g-b";
      e["actionPackageId"] = "crash-p-x";
      break;
    case EventKind::kNoMatch:
      e["groupId"] = "crash-g-none";
      break;
  }
  e["data"] = boost::json::object{{"text", "crash test " + id}};
  return e;
}

ScriptedReceiver::ScriptedReceiver(int fail_one_in, std::size_t script_posts,
                                   std::mt19937_64& rng) {
  if (fail_one_in <= 0) return;
  statuses_.reserve(script_posts);
  // Runs of 200s of length 1 .. 2*fail_one_in - 2, each followed by one failure: on average
  // one failure in fail_one_in, and never two in a row.
  std::uniform_int_distribution<int> run(1, 2 * fail_one_in - 2);
  std::bernoulli_distribution use_503(0.5);
  while (statuses_.size() < script_posts) {
    const int ok = run(rng);
    const std::uint16_t failure = use_503(rng) ? 503 : 500;
    receiver_.Script(ok, subscribers::ScriptedResponse{});
    statuses_.insert(statuses_.end(), static_cast<std::size_t>(ok), 200);
    subscribers::ScriptedResponse fail;
    fail.status = failure;
    fail.body = "scripted failure";
    receiver_.Script(1, fail);
    statuses_.push_back(failure);
  }
}

Status ScriptedReceiver::Start() { return receiver_.Start(); }

int ScriptedReceiver::StatusOfPost(std::size_t index) const {
  return index < statuses_.size() ? statuses_[index] : 200;
}

}  // namespace hookbroker::crash
