// DeadlineWatch: ends blocking operations that outlive their deadline.
//
// A timeout per read (or none, for blocking reads) lets an endpoint that answers one byte a
// second keep an attempt (and its worker) for as long as it likes. The sender arms a deadline for
// each attempt; if the attempt is still running then, the watch calls its `expire` function (which
// shuts the connection down, failing the blocked call at once).
//
// Thread-safety: every method may be called from any thread. One thread of its own waits for
// the earliest deadline; `expire` runs on it with the watch's lock held, so Disarm() returning
// means `expire` is not running and never will. Lifecycle: construct, Arm()/Disarm() pairs,
// destroy (expires nothing still armed).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

namespace hookbroker {

class DeadlineWatch {
 public:
  using Clock = std::chrono::steady_clock;

  DeadlineWatch();
  ~DeadlineWatch();
  DeadlineWatch(const DeadlineWatch&) = delete;
  DeadlineWatch& operator=(const DeadlineWatch&) = delete;

  // Calls `expire` at `deadline` unless Disarm() comes first. `expire` must be quick and must not
  // call back into the watch. Returns the token for Disarm().
  std::uint64_t Arm(Clock::time_point deadline, std::function<void()> expire);
  // Cancels an armed deadline; returns true when it had already expired.
  bool Disarm(std::uint64_t token);

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_: armed deadlines ordered by time (then token), and those already expired.
  std::map<std::pair<Clock::time_point, std::uint64_t>, std::function<void()>> armed_;
  std::map<std::uint64_t, Clock::time_point> deadline_of_;
  std::uint64_t next_token_ = 1;
  bool stopping_ = false;
  std::thread thread_;  // last: started after the state above exists
};

}  // namespace hookbroker
