// DeliveryQueue: which delivery to attempt next. Per-endpoint FIFO queues (an endpoint is a
// callback origin, "https://host:port"), a limit on attempts in flight per endpoint, round-robin
// between endpoints, and a timer heap for deliveries waiting to retry. A slow endpoint fills
// only its own slots; the others keep going. Each endpoint has a CircuitBreaker: while it is open
// the endpoint's deliveries wait (no attempts), then one probe goes through.
//
// No threads, no clock: the caller passes the time. Thread-safety: none; the Dispatcher guards it
// with its mutex.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "broker/circuit_breaker.h"
#include "proto/ids.h"

namespace hookbroker {

class DeliveryQueue {
 public:
  explicit DeliveryQueue(int per_endpoint_limit, CircuitBreakerOptions breaker = {})
      : limit_(per_endpoint_limit), breaker_options_(breaker) {}

  struct Job {
    DeliveryId id;
    int endpoint = -1;
  };

  // Queues a delivery for `origin`, to be attempted at or after `due_ms`. `retry`: it has been
  // attempted before (counted as retry-waiting until due).
  void Add(const DeliveryId& id, const std::string& origin, std::int64_t due_ms,
           bool retry = false);
  // The next attempt to make at `now_ms`, taking a slot of its endpoint; nullopt when nothing is
  // due or every endpoint with due work is at its limit or behind an open circuit.
  std::optional<Job> Pop(std::int64_t now_ms);
  // Gives back the slot taken by Pop(). `healthy`: what the attempt said of the endpoint
  // (CircuitBreaker); nullopt when no request was made.
  void Done(int endpoint, std::int64_t now_ms, std::optional<bool> healthy);

  // The earliest time a waiting delivery becomes due or an open circuit lets a probe through;
  // nullopt when nothing waits.
  std::optional<std::int64_t> NextDueMs() const;
  const std::string& origin(int endpoint) const { return endpoints_[endpoint].origin; }
  // Whether an endpoint may have due work and a free slot (Pop() may still find none).
  bool has_runnable() const { return !runnable_.empty(); }
  // Deliveries queued (waiting or due), not counting those in flight.
  std::size_t size() const { return size_; }
  int in_flight(const std::string& origin) const;
  // Deliveries waiting for a retry time that has not come yet.
  std::size_t retry_waiting() const { return retry_waiting_; }

  struct EndpointState {
    std::string origin;
    std::size_t queued = 0;  // waiting or due
    int in_flight = 0;
    CircuitBreaker::State circuit = CircuitBreaker::State::kClosed;
    int consecutive_failures = 0;
  };
  // At most `max` endpoints: those whose circuit is not closed first, then the busiest (queued +
  // in flight); idle endpoints with a closed circuit are left out.
  std::vector<EndpointState> BusiestEndpoints(std::size_t max) const;
  int total_in_flight() const { return total_in_flight_; }

 private:
  struct Endpoint {
    std::string origin;
    std::deque<DeliveryId> ready;
    std::size_t waiting = 0;  // in timers_
    int in_flight = 0;
    bool runnable = false;  // listed in runnable_
    bool held = false;      // listed in held_: ready work behind an open circuit
    CircuitBreaker breaker;
  };
  struct Timer {
    std::int64_t due_ms;
    std::uint64_t seq;  // FIFO among equal due times
    DeliveryId id;
    int endpoint;
    bool retry;
    bool operator>(const Timer& o) const {
      return due_ms != o.due_ms ? due_ms > o.due_ms : seq > o.seq;
    }
  };

  int EndpointIndex(const std::string& origin);
  void MaybeRunnable(int endpoint, std::int64_t now_ms);
  void ReleaseDueTimers(std::int64_t now_ms);
  void ReleaseRecoveredCircuits(std::int64_t now_ms);

  const int limit_;
  const CircuitBreakerOptions breaker_options_;
  std::vector<Endpoint> endpoints_;
  std::unordered_map<std::string, int> index_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
  std::deque<int> runnable_;  // endpoints with ready work and a free slot, round robin
  std::vector<int> held_;     // endpoints with ready work behind an open circuit
  std::uint64_t seq_ = 0;
  std::size_t size_ = 0;
  std::size_t retry_waiting_ = 0;
  int total_in_flight_ = 0;
};

}  // namespace hookbroker
