// A child process started with posix_spawn: stdout read into memory by a thread (to find a
// line such as the broker's ready line), stderr to a file. The child gets only fds 0-2 (the
// bench holds listening sockets that cpp-httplib does not open close-on-exec) and default
// signal handling.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hookbench {

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();  // SIGKILL if still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // stderr goes to stderr_path ("" : into the same buffer as stdout).
  bool Start(const std::vector<std::string>& argv, const std::string& stderr_path);
  // Waits for a complete stdout line starting with `prefix`; false on exit or timeout.
  bool WaitForLine(const std::string& prefix, std::chrono::milliseconds timeout, std::string* line);
  // Sends `sig` and waits; exit status, 128 + signal, or -1 on timeout (then SIGKILL).
  int Stop(int sig, std::chrono::milliseconds timeout);
  // Waits for the child to exit by itself; -1 on timeout.
  int Wait(std::chrono::milliseconds timeout);
  pid_t pid() const { return pid_; }
  // Whether it is still running; when it has exited, *status as Stop() returns it.
  bool Running(int* status);
  std::string Output() const;

 private:
  void ReadLoop();
  pid_t pid_ = -1;
  bool reaped_ = false;
  int exit_status_ = -1;  // once reaped_
  int out_fd_ = -1;
  std::thread reader_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string output_;  // guarded by mu_
  bool eof_ = false;    // guarded by mu_
};

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};
// Runs argv to completion (killed after `timeout`).
CommandResult RunCommand(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

// From /proc/PID: resident memory (VmRSS, KiB) and CPU time used (user + system, seconds).
long ResidentKiB(pid_t pid, const char* field = "VmRSS:");  // or "RssAnon:", "RssFile:"

double CpuSeconds(pid_t pid);

}  // namespace hookbench
