// The real hooksink executable as a child process, run as a user would run it, for the
// subscribers tests. Its stdout (the forwarded events, unless --output says otherwise) and stderr
// (the ready line and logs) go to files in `dir`.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace hookbroker::testing {

class HooksinkProcess {
 public:
  // `dir` receives hooksink-N.out and hooksink-N.err (N counts the objects, so restarts keep
  // their own logs).
  HooksinkProcess(std::string dir, std::vector<std::string> args);
  ~HooksinkProcess();  // SIGKILL if still running
  HooksinkProcess(const HooksinkProcess&) = delete;
  HooksinkProcess& operator=(const HooksinkProcess&) = delete;

  // Spawns HOOKSINK_BINARY and waits for "hooksink ready url=URL" on stderr; false on exit or
  // timeout (Err() tells why).
  bool Start(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Sends `signal` (unless already exited) and waits; returns the exit code, 128 + signal when
  // killed by one, or -1 on timeout.
  int Stop(int signal, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Waits for the process to end by itself; same return values.
  int Wait(std::chrono::milliseconds timeout);

  const std::string& url() const { return url_; }  // "https://127.0.0.1:PORT"
  int port() const;
  std::string Out() const;  // stdout so far
  std::string Err() const;  // stderr so far

 private:
  std::string dir_;
  std::vector<std::string> args_;
  std::string out_file_;
  std::string err_file_;
  pid_t pid_ = -1;
  bool reaped_ = false;
  int exit_code_ = -1;
  std::string url_;
};

}  // namespace hookbroker::testing
