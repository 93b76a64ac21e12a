#include "broker/deadline_watch.h"

namespace hookbroker {

DeadlineWatch::DeadlineWatch() : thread_([this] { Run(); }) {}

DeadlineWatch::~DeadlineWatch() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

std::uint64_t DeadlineWatch::Arm(Clock::time_point deadline, std::function<void()> expire) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::uint64_t token = next_token_++;
  const bool earliest = armed_.empty() || deadline < armed_.begin()->first.first;
  armed_.emplace(std::make_pair(deadline, token), std::move(expire));
  deadline_of_.emplace(token, deadline);
  // Deadlines mostly arrive in order (one timeout for all): wake the thread only when it must
  // wait less than it does now.
  if (earliest) cv_.notify_one();
  return token;
}

bool DeadlineWatch::Disarm(std::uint64_t token) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = deadline_of_.find(token);
  if (it == deadline_of_.end()) return true;  // expired (and removed) by Run()
  armed_.erase(std::make_pair(it->second, token));
  deadline_of_.erase(it);
  return false;
}

void DeadlineWatch::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    if (armed_.empty()) {
      cv_.wait(lock);
      continue;
    }
    const auto first = armed_.begin();
    // A copy: Disarm() may erase this entry while the lock is released during the wait, and
    // wait_until reads its deadline again when it wakes.
    const Clock::time_point deadline = first->first.first;
    if (Clock::now() < deadline) {
      cv_.wait_until(lock, deadline);
      continue;
    }
    first->second();
    deadline_of_.erase(first->first.second);
    armed_.erase(first);
  }
}

}  // namespace hookbroker
