#include "broker/delivery_queue.h"

#include <algorithm>

namespace hookbroker {

int DeliveryQueue::EndpointIndex(const std::string& origin) {
  auto [it, inserted] = index_.try_emplace(origin, static_cast<int>(endpoints_.size()));
  if (inserted) {
    Endpoint e;
    e.origin = origin;
    endpoints_.push_back(std::move(e));
  }
  return it->second;
}

void DeliveryQueue::MaybeRunnable(int endpoint) {
  Endpoint& e = endpoints_[endpoint];
  if (!e.runnable && !e.ready.empty() && e.in_flight < limit_) {
    e.runnable = true;
    runnable_.push_back(endpoint);
  }
}

void DeliveryQueue::Add(const DeliveryId& id, const std::string& origin, std::int64_t due_ms,
                        bool retry) {
  const int endpoint = EndpointIndex(origin);
  timers_.push(Timer{due_ms, seq_++, id, endpoint, retry});
  ++endpoints_[endpoint].waiting;
  ++size_;
  if (retry) ++retry_waiting_;
}

void DeliveryQueue::ReleaseDueTimers(std::int64_t now_ms) {
  while (!timers_.empty() && timers_.top().due_ms <= now_ms) {
    const Timer t = timers_.top();
    timers_.pop();
    --endpoints_[t.endpoint].waiting;
    if (t.retry) --retry_waiting_;
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
    ++total_in_flight_;
    --size_;
    MaybeRunnable(endpoint);  // back of the line: round robin between endpoints
    return job;
  }
  return std::nullopt;
}

void DeliveryQueue::Done(int endpoint) {
  --endpoints_[endpoint].in_flight;
  --total_in_flight_;
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

std::vector<DeliveryQueue::EndpointState> DeliveryQueue::BusiestEndpoints(std::size_t max) const {
  std::vector<EndpointState> busy;
  for (const Endpoint& e : endpoints_) {
    const std::size_t queued = e.ready.size() + e.waiting;
    if (queued > 0 || e.in_flight > 0) busy.push_back({e.origin, queued, e.in_flight});
  }
  auto load = [](const EndpointState& s) {
    return s.queued + static_cast<std::size_t>(s.in_flight);
  };
  std::sort(busy.begin(), busy.end(),
            [&](const EndpointState& a, const EndpointState& b) { return load(a) > load(b); });
  if (busy.size() > max) busy.resize(max);
  return busy;
}

}  // namespace hookbroker
