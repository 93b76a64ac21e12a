#include "broker/commit_group.h"

#include <algorithm>
#include <exception>
#include <string>
#include <utility>

namespace hookbroker {

CommitGroup::CommitGroup(std::chrono::microseconds patience, CommitFn commit)
    : patience_(patience), commit_(std::move(commit)) {}

Status CommitGroup::Commit(Member& member) {
  std::unique_lock<std::mutex> lock(mu_);
  waiting_.push_back(&member);
  const Clock::time_point arrived = Clock::now();
  const bool ride = member.patient && patience_.count() > 0 &&
                    (leading_prompt_ || (prompt_seen_ && arrived - last_prompt_end_ < patience_));
  const Clock::time_point deadline = arrived + patience_;
  for (;;) {
    if (member.done_) return member.status;
    const bool may_lead = !ride || Clock::now() >= deadline;
    if (!leading_ && may_lead) break;
    // Woken when a commit ends; a patient write also at its deadline.
    if (may_lead) {
      cv_.wait(lock);
    } else {
      cv_.wait_until(lock, deadline);
    }
  }

  std::vector<Member*> group;
  group.swap(waiting_);
  leading_ = true;
  leading_prompt_ = std::any_of(group.begin(), group.end(), [](Member* m) { return !m->patient; });
  lock.unlock();
  try {
    commit_(group);
  } catch (const std::exception& e) {
    for (Member* m : group) m->status = Error{"internal", std::string("commit: ") + e.what(), ""};
  } catch (...) {
    for (Member* m : group) m->status = Error{"internal", "commit: unknown exception", ""};
  }
  lock.lock();
  if (leading_prompt_) {
    last_prompt_end_ = Clock::now();
    prompt_seen_ = true;
  }
  leading_ = false;
  leading_prompt_ = false;
  ++commits_;
  members_ += group.size();
  for (Member* m : group) m->done_ = true;
  lock.unlock();
  cv_.notify_all();
  return member.status;
}

CommitGroup::Counts CommitGroup::counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return Counts{commits_, members_, waiting_.size()};
}

}  // namespace hookbroker
