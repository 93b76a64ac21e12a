#include "broker/delivery_queue.h"

#include <algorithm>

namespace hookbroker {

int DeliveryQueue::EndpointIndex(const std::string& origin) {
  auto [it, inserted] = index_.try_emplace(origin, static_cast<int>(endpoints_.size()));
  if (inserted) {
    Endpoint e;
    e.origin = origin;
    e.breaker = CircuitBreaker(breaker_options_);
    endpoints_.push_back(std::move(e));
  }
  return it->second;
}

void DeliveryQueue::MaybeRunnable(int endpoint, std::int64_t now_ms) {
  Endpoint& e = endpoints_[endpoint];
  if (e.runnable || e.held || e.ready.empty()) return;
  const int allowance = e.breaker.Allowance(now_ms, limit_);
  if (e.in_flight < allowance) {
    e.runnable = true;
    runnable_.push_back(endpoint);
  } else if (allowance == 0) {
    e.held = true;
    held_.push_back(endpoint);
  }
}

void DeliveryQueue::ReleaseRecoveredCircuits(std::int64_t now_ms) {
  for (std::size_t i = 0; i < held_.size();) {
    Endpoint& e = endpoints_[held_[i]];
    if (e.breaker.Allowance(now_ms, limit_) > 0) {
      const int endpoint = held_[i];
      held_[i] = held_.back();
      held_.pop_back();
      e.held = false;
      MaybeRunnable(endpoint, now_ms);
    } else {
      ++i;
    }
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
    MaybeRunnable(t.endpoint, now_ms);
  }
}

std::optional<DeliveryQueue::Job> DeliveryQueue::Pop(std::int64_t now_ms) {
  ReleaseDueTimers(now_ms);
  ReleaseRecoveredCircuits(now_ms);
  while (!runnable_.empty()) {
    const int endpoint = runnable_.front();
    runnable_.pop_front();
    Endpoint& e = endpoints_[endpoint];
    e.runnable = false;
    if (e.ready.empty() || e.in_flight >= e.breaker.Allowance(now_ms, limit_)) {
      MaybeRunnable(endpoint, now_ms);  // its circuit opened meanwhile: held until the probe
      continue;
    }
    e.breaker.OnAttemptStarted(now_ms);
    Job job{e.ready.front(), endpoint};
    e.ready.pop_front();
    ++e.in_flight;
    ++total_in_flight_;
    --size_;
    MaybeRunnable(endpoint, now_ms);  // back of the line: round robin between endpoints
    return job;
  }
  return std::nullopt;
}

void DeliveryQueue::Done(int endpoint, std::int64_t now_ms, std::optional<bool> healthy) {
  Endpoint& e = endpoints_[endpoint];
  --e.in_flight;
  --total_in_flight_;
  if (healthy) e.breaker.OnResult(*healthy, now_ms);
  MaybeRunnable(endpoint, now_ms);
}

std::optional<std::int64_t> DeliveryQueue::NextDueMs() const {
  std::optional<std::int64_t> next;
  if (!timers_.empty()) next = timers_.top().due_ms;
  for (int endpoint : held_) {
    const std::int64_t probe = endpoints_[endpoint].breaker.open_until_ms();
    if (!next || probe < *next) next = probe;
  }
  return next;
}

int DeliveryQueue::in_flight(const std::string& origin) const {
  auto it = index_.find(origin);
  return it == index_.end() ? 0 : endpoints_[it->second].in_flight;
}

std::vector<DeliveryQueue::EndpointState> DeliveryQueue::BusiestEndpoints(std::size_t max) const {
  std::vector<EndpointState> busy;
  for (const Endpoint& e : endpoints_) {
    const std::size_t queued = e.ready.size() + e.waiting;
    if (queued > 0 || e.in_flight > 0 || e.breaker.state() != CircuitBreaker::State::kClosed) {
      busy.push_back(
          {e.origin, queued, e.in_flight, e.breaker.state(), e.breaker.consecutive_failures()});
    }
  }
  auto load = [](const EndpointState& s) {
    return s.queued + static_cast<std::size_t>(s.in_flight);
  };
  // Endpoints behind a circuit that is not closed first: an operator looks for those.
  std::sort(busy.begin(), busy.end(), [&](const EndpointState& a, const EndpointState& b) {
    const bool a_open = a.circuit != CircuitBreaker::State::kClosed;
    const bool b_open = b.circuit != CircuitBreaker::State::kClosed;
    if (a_open != b_open) return a_open;
    return load(a) > load(b);
  });
  if (busy.size() > max) busy.resize(max);
  return busy;
}

}  // namespace hookbroker
