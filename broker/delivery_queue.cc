#include "broker/delivery_queue.h"

namespace hookbroker {

int DeliveryQueue::EndpointIndex(const std::string& origin) {
  auto [it, inserted] = index_.try_emplace(origin, static_cast<int>(endpoints_.size()));
  if (inserted) endpoints_.push_back(Endpoint{origin, {}, 0, false});
  return it->second;
}

void DeliveryQueue::MaybeRunnable(int endpoint) {
  Endpoint& e = endpoints_[endpoint];
  if (!e.runnable && !e.ready.empty() && e.in_flight < limit_) {
    e.runnable = true;
    runnable_.push_back(endpoint);
  }
}

void DeliveryQueue::Add(const DeliveryId& id, const std::string& origin, std::int64_t due_ms) {
  timers_.push(Timer{due_ms, seq_++, id, EndpointIndex(origin)});
  ++size_;
}

void DeliveryQueue::ReleaseDueTimers(std::int64_t now_ms) {
  while (!timers_.empty() && timers_.top().due_ms <= now_ms) {
    const Timer t = timers_.top();
    timers_.pop();
    endpoints_[t.endpoint].ready.push_back(t.id);
    MaybeRunnable(t.endpoint);
  }
}

std::optional<DeliveryQueue::Job> DeliveryQueue::Pop(std::int64_t now_ms) {
  ReleaseDueTimers(now_ms);
  while (!runnable_.empty()) {
    const int endpoint = runnable_.front();
    runnable_.pop_front();
    Endpoint& e = endpoints_[endpoint];
    e.runnable = false;
    if (e.ready.empty() || e.in_flight >= limit_) continue;
    Job job{e.ready.front(), endpoint};
    e.ready.pop_front();
    ++e.in_flight;
    --size_;
    MaybeRunnable(endpoint);  // back of the line: round robin between endpoints
    return job;
  }
  return std::nullopt;
}

void DeliveryQueue::Done(int endpoint) {
  --endpoints_[endpoint].in_flight;
  MaybeRunnable(endpoint);
}

std::optional<std::int64_t> DeliveryQueue::NextDueMs() const {
  if (timers_.empty()) return std::nullopt;
  return timers_.top().due_ms;
}

int DeliveryQueue::in_flight(const std::string& origin) const {
  auto it = index_.find(origin);
  return it == index_.end() ? 0 : endpoints_[it->second].in_flight;
}

}  // namespace hookbroker
