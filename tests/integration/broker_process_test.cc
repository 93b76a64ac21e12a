// The test harness itself: a broker started by BrokerProcess does not outlive a test process that
// dies without stopping it. The real daemon, in a forked test process that exits at once.
#include "tests/support/broker_process.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/temp_dir.h"

namespace hookbroker::testing {
namespace {

TEST(BrokerProcessTest, BrokerDiesWithATestProcessThatDiedWithoutStoppingIt) {
  TempDir dir;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t test_process = fork();
  ASSERT_GE(test_process, 0);
  if (test_process == 0) {
    // The "crashed test": starts a broker, reports its pid, and ends without any destructor.
    close(fds[0]);
    auto* broker =
        new BrokerProcess({"--data-dir", dir.File("data"), "--api-key", "test-api-key-0123456789"});
    const int pid = broker->Start() ? broker->pid() : -1;
    const ssize_t n = write(fds[1], &pid, sizeof pid);
    _exit(n == sizeof pid ? 0 : 1);
  }
  close(fds[1]);
  int broker_pid = -1;
  ASSERT_EQ(read(fds[0], &broker_pid, sizeof broker_pid), static_cast<ssize_t>(sizeof broker_pid));
  close(fds[0]);
  ASSERT_GT(broker_pid, 0) << "the broker did not start in the test process";
  // Open the broker's pidfd before the test process is reaped, while the pid is surely its.
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, broker_pid, 0));
  int status = 0;
  ASSERT_EQ(waitpid(test_process, &status, 0), test_process);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  if (pidfd < 0) {
    // It had already gone between the report and pidfd_open.
    EXPECT_EQ(errno, ESRCH);
    return;
  }
  // A pidfd becomes readable when its process ends.
  pollfd p{pidfd, POLLIN, 0};
  EXPECT_EQ(poll(&p, 1, 10000), 1) << "broker " << broker_pid << " outlived its test process";
  close(pidfd);
  if (p.revents == 0) kill(broker_pid, SIGKILL);
}

}  // namespace
}  // namespace hookbroker::testing
