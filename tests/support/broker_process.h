// The real hookbroker daemon as a child process, for end-to-end tests.
//
// Start() runs HOOKBROKER_BINARY with the given flags plus --http-listen 127.0.0.1:0,
// --ingest-listen tcp://127.0.0.1:* and --posts-listen tcp://127.0.0.1:* (unless the flags
// already set them), and waits for the daemon's ready line on stdout:
//   hookbroker ready rest=http://127.0.0.1:PORT ingest=tcp://127.0.0.1:PORT posts=tcp://...
// Everything the daemon writes (stdout and stderr) is kept and can be read with Output().
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hookbroker::testing {

class BrokerProcess {
 public:
  explicit BrokerProcess(std::vector<std::string> args);
  ~BrokerProcess();  // SIGKILL if still running
  BrokerProcess(const BrokerProcess&) = delete;
  BrokerProcess& operator=(const BrokerProcess&) = delete;

  // Spawns and waits for the ready line; false (with Output() telling why) on exit or timeout.
  bool Start(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Sends `signal` and waits for exit; returns the exit status as from waitpid's WEXITSTATUS,
  // or 128 + signal number when killed by a signal, or -1 on timeout.
  int Stop(int signal, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Waits for the process to exit by itself; same return values as Stop().
  int Wait(std::chrono::milliseconds timeout);

  const std::string& rest_url() const { return rest_url_; }       // "http://127.0.0.1:PORT"
  const std::string& ingest_endpoint() const { return ingest_; }  // "tcp://127.0.0.1:PORT"
  const std::string& posts_endpoint() const { return posts_; }    // the chat posts PUB socket
  int pid() const { return pid_; }
  std::string Output() const;  // stdout + stderr so far

 private:
  void ReadLoop();
  // Reaps the child if it exited within `timeout`; returns its status as Stop() does, or -1.
  int WaitForExit(std::chrono::milliseconds timeout);
  // After the child exited: lets the reader drain what the child wrote last.
  void AwaitReaderDone(std::chrono::milliseconds timeout);

  std::vector<std::string> args_;
  int pid_ = -1;
  bool reaped_ = false;
  int exit_status_ = -1;  // once reaped_
  int out_fd_ = -1;
  std::string rest_url_;
  std::string ingest_;
  std::string posts_;
  std::thread reader_;
  mutable std::mutex mu_;
  std::condition_variable cv_;  // output_ grew, or the reader finished
  std::string output_;          // guarded by mu_
  bool reader_done_ = false;    // guarded by mu_: the pipe reached EOF (or the reader was stopped)
  bool reader_stop_ = false;    // guarded by mu_: quit without waiting for EOF (destructor)
};

// Runs a program to completion with the given arguments, environment additions and stdin;
// returns its exit code and what it printed (stdout and stderr separately).
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::vector<std::string>& extra_env = {},
                         const std::string& stdin_text = "",
                         std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace hookbroker::testing
