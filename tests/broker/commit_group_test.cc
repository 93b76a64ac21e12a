// CommitGroup with real threads and a scripted commit function that can hold a commit open. No
// sleeps: the tests wait for states (a write waiting, a commit begun), and a patience of an hour
// stands for "never runs out" where the test must not depend on time.
#include "broker/commit_group.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace hookbroker {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;

struct Write : CommitGroup::Member {
  explicit Write(int write_id, bool is_patient = false) : id(write_id) { patient = is_patient; }
  int id;
};

// Records each group's writes; holds a commit open while `hold` is set.
class Script {
 public:
  void Commit(std::span<CommitGroup::Member* const> group) {
    std::unique_lock<std::mutex> lock(mu_);
    std::vector<int> ids;
    for (CommitGroup::Member* m : group) {
      const int id = static_cast<Write*>(m)->id;
      ids.push_back(id);
      if (id == failing_) m->status = Error{"storage_error", "write " + std::to_string(id), ""};
    }
    groups_.push_back(ids);
    cv_.notify_all();
    cv_.wait(lock, [this] { return !hold_; });
  }
  void Hold() {
    std::lock_guard<std::mutex> lock(mu_);
    hold_ = true;
  }
  void Release() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      hold_ = false;
    }
    cv_.notify_all();
  }
  void Fail(int id) {
    std::lock_guard<std::mutex> lock(mu_);
    failing_ = id;
  }
  void WaitForGroups(std::size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return groups_.size() >= n; });
  }
  std::vector<std::vector<int>> groups() {
    std::lock_guard<std::mutex> lock(mu_);
    return groups_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool hold_ = false;
  int failing_ = 0;
  std::vector<std::vector<int>> groups_;
};

CommitGroup MakeGroup(microseconds patience, Script& script) {
  return CommitGroup(
      patience, [&script](std::span<CommitGroup::Member* const> group) { script.Commit(group); });
}

// Starts `w`'s commit on another thread; returns once the script holds that commit open.
std::future<Status> LeadHeld(CommitGroup& group, Script& script, Write& w) {
  const std::size_t before = script.groups().size();
  script.Hold();
  auto f = std::async(std::launch::async, [&group, &w] { return group.Commit(w); });
  script.WaitForGroups(before + 1);
  return f;
}

// Starts `w`'s commit on another thread; returns once `waiting` writes wait in the group.
std::future<Status> Queue(CommitGroup& group, Write& w, std::size_t waiting) {
  auto f = std::async(std::launch::async, [&group, &w] { return group.Commit(w); });
  while (group.counts().waiting < waiting) std::this_thread::yield();
  return f;
}

TEST(CommitGroupTest, AWriteAloneCommitsAtOnceAndGetsItsOwnStatus) {
  Script script;
  CommitGroup group = MakeGroup(hours(1), script);
  Write ok(1);
  EXPECT_TRUE(group.Commit(ok).ok());
  script.Fail(2);
  Write bad(2);
  Status s = group.Commit(bad);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "write 2");
  EXPECT_EQ(script.groups(), (std::vector<std::vector<int>>{{1}, {2}}));
  EXPECT_EQ(group.counts().commits, 2u);
}

TEST(CommitGroupTest, WritesThatQueueBehindACommitGoTogetherInTheNext) {
  Script script;
  CommitGroup group = MakeGroup(microseconds(0), script);
  Write first(1);
  auto leading = LeadHeld(group, script, first);
  Write second(2);
  Write third(3);
  auto a = Queue(group, second, 1);
  auto b = Queue(group, third, 2);
  script.Release();
  EXPECT_TRUE(leading.get().ok());
  EXPECT_TRUE(a.get().ok());
  EXPECT_TRUE(b.get().ok());
  const auto groups = script.groups();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[1].size(), 2u) << "the two that waited share the second commit";
  const CommitGroup::Counts counts = group.counts();
  EXPECT_EQ(counts.commits, 2u);
  EXPECT_EQ(counts.members, 3u);
  EXPECT_EQ(counts.waiting, 0u);
}

TEST(CommitGroupTest, APatientWriteRidesWithTheNextPromptWrite) {
  Script script;
  CommitGroup group = MakeGroup(hours(1), script);
  Write ingest(1);
  auto leading = LeadHeld(group, script, ingest);
  Write record(2, /*is_patient=*/true);
  auto riding = Queue(group, record, 1);
  script.Release();
  EXPECT_TRUE(leading.get().ok());
  // The prompt commit is over and nothing leads: the patient write still waits for a prompt one.
  EXPECT_EQ(riding.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  EXPECT_EQ(group.counts().waiting, 1u);
  Write next(3);
  EXPECT_TRUE(group.Commit(next).ok());
  EXPECT_TRUE(riding.get().ok());
  const auto groups = script.groups();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[1], (std::vector<int>{2, 3}));
}

TEST(CommitGroupTest, APatientWriteCommitsAtOnceWhenNoPromptWritesFlow) {
  Script script;
  CommitGroup group = MakeGroup(hours(1), script);
  Write record(1, /*is_patient=*/true);
  auto alone = std::async(std::launch::async, [&] { return group.Commit(record); });
  ASSERT_EQ(alone.wait_for(std::chrono::seconds(10)), std::future_status::ready)
      << "no prompt write was committed, so there is nothing to wait for";
  EXPECT_TRUE(alone.get().ok());
  EXPECT_EQ(script.groups(), (std::vector<std::vector<int>>{{1}}));
}

TEST(CommitGroupTest, APatientWriteLeadsOnceItsPatienceRunsOut) {
  Script script;
  CommitGroup group = MakeGroup(std::chrono::milliseconds(5), script);
  Write ingest(1);
  auto leading = LeadHeld(group, script, ingest);
  Write record(2, /*is_patient=*/true);
  auto riding = Queue(group, record, 1);
  script.Release();
  EXPECT_TRUE(leading.get().ok());
  ASSERT_EQ(riding.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(riding.get().ok());
  EXPECT_EQ(script.groups(), (std::vector<std::vector<int>>{{1}, {2}}));
}

TEST(CommitGroupTest, EachWriteOfAGroupGetsItsOwnStatus) {
  Script script;
  CommitGroup group = MakeGroup(hours(1), script);
  Write first(1);
  auto leading = LeadHeld(group, script, first);
  script.Fail(3);
  Write good(2, /*is_patient=*/true);
  Write bad(3);
  auto a = Queue(group, good, 1);
  auto b = Queue(group, bad, 2);
  script.Release();
  EXPECT_TRUE(leading.get().ok());
  EXPECT_TRUE(a.get().ok());
  EXPECT_FALSE(b.get().ok());
  EXPECT_EQ(script.groups().back(), (std::vector<int>{2, 3}));
}

TEST(CommitGroupTest, AnExceptionFailsItsGroupAndTheGroupGoesOn) {
  int calls = 0;
  CommitGroup group(hours(1), [&calls](std::span<CommitGroup::Member* const>) {
    if (++calls == 1) throw std::runtime_error("out of memory");
  });
  Write first(1);
  Status s = group.Commit(first);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "internal");
  EXPECT_EQ(s.error().message, "commit: out of memory");
  Write second(2);
  EXPECT_TRUE(group.Commit(second).ok()) << "the next write leads a commit of its own";
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace hookbroker
