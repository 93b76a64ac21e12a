// CommitGroup: lets writes from several threads share one write transaction, so one fsync.
//
// LMDB has one writer, and on the benchmark's disk a commit's fsync costs about as much whatever
// it holds (docs/PERFORMANCE.md, scenario 3). Under load the ingest committer commits back to
// back, and the dispatcher's recorder commits attempt records in between: two fsyncs where one
// would do, and an event that arrives during the recorder's commit waits for both.
//
// A write is prompt (the ingest: acknowledgements wait for it) or patient (the recorder's audit
// records, which already linger to gather). A prompt write leads a commit as soon as none is being
// led, and takes with it every write waiting then. A patient write that arrives while prompt
// writes are flowing (one is being committed, or one was committed less than `patience` ago)
// waits up to `patience` to ride with the next one; otherwise, or once that time is up, it leads
// a commit itself. With patience 0 every write leads as soon as it can (LevelDB's write queue:
// writes that queue behind a commit go together in the next).
//
// The commit function gets the group and sets each member's status; it runs on the leading
// thread, without the group's lock, while the members' threads wait. An exception from it fails
// every member of that group (status "internal") and leaves the group usable. Members are owned
// by their callers and outlive Commit().
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <span>
#include <vector>

#include "proto/result.h"

namespace hookbroker {

class CommitGroup {
 public:
  struct Member {
    bool patient = false;
    Status status = Status::Ok();  // set by the commit function
   private:
    friend class CommitGroup;
    bool done_ = false;  // guarded by the group's mutex
  };
  using CommitFn = std::function<void(std::span<Member* const>)>;

  CommitGroup(std::chrono::microseconds patience, CommitFn commit);
  CommitGroup(const CommitGroup&) = delete;
  CommitGroup& operator=(const CommitGroup&) = delete;

  // Blocks until `member` has been committed, by this thread or another, and returns its status.
  Status Commit(Member& member);

  struct Counts {
    std::size_t commits = 0;  // commits led since construction
    std::size_t members = 0;  // writes they held
    std::size_t waiting = 0;  // writes waiting now
  };
  Counts counts() const;

 private:
  using Clock = std::chrono::steady_clock;

  const std::chrono::microseconds patience_;
  const CommitFn commit_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_:
  std::vector<Member*> waiting_;
  bool leading_ = false;         // a commit is being led
  bool leading_prompt_ = false;  // ... and it holds a prompt write
  bool prompt_seen_ = false;     // a commit holding a prompt write has ended
  Clock::time_point last_prompt_end_{};
  std::size_t commits_ = 0;
  std::size_t members_ = 0;
};

}  // namespace hookbroker
