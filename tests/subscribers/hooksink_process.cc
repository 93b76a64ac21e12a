#include "tests/subscribers/hooksink_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "subscribers/spawn_process.h"

#ifndef HOOKSINK_BINARY
#error "HOOKSINK_BINARY must be defined (tests/CMakeLists.txt does it)"
#endif

namespace hookbroker::testing {
namespace {

std::atomic<int> next_index{0};

std::string ReadFile(const std::string& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

HooksinkProcess::HooksinkProcess(std::string dir, std::vector<std::string> args)
    : dir_(std::move(dir)), args_(std::move(args)) {
  const std::string stem = dir_ + "/hooksink-" + std::to_string(next_index++);
  out_file_ = stem + ".out";
  err_file_ = stem + ".err";
}

HooksinkProcess::~HooksinkProcess() {
  if (pid_ > 0 && !reaped_) Stop(SIGKILL);
}

bool HooksinkProcess::Start(std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = {HOOKSINK_BINARY};
  argv.insert(argv.end(), args_.begin(), args_.end());
  const int out = open(out_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const int err = open(err_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  Result<pid_t> pid = out >= 0 && err >= 0
                          ? subscribers::SpawnProcess(argv, subscribers::CurrentEnvironment(),
                                                      {.in = -1, .out = out, .err = err})
                          : Result<pid_t>(Error{"spawn_failed", "cannot create the logs", ""});
  if (out >= 0) close(out);
  if (err >= 0) close(err);
  if (!pid) return false;
  pid_ = *pid;

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::string prefix = "hooksink ready url=";
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string logs = Err();
    const std::size_t at = logs.find(prefix);
    const std::size_t end = at == std::string::npos ? at : logs.find('\n', at);
    if (end != std::string::npos) {
      url_ = logs.substr(at + prefix.size(), end - at - prefix.size());
      return true;
    }
    if (Wait(std::chrono::milliseconds(0)) != -1) return false;  // exited before the line
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

int HooksinkProcess::Stop(int signal, std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  if (!reaped_) kill(pid_, signal);
  return Wait(timeout);
}

int HooksinkProcess::Wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!reaped_) {
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return exit_code_;
}

int HooksinkProcess::port() const { return std::stoi(url_.substr(url_.rfind(':') + 1)); }

std::string HooksinkProcess::Out() const { return ReadFile(out_file_); }
std::string HooksinkProcess::Err() const { return ReadFile(err_file_); }

}  // namespace hookbroker::testing
