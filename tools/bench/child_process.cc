#include "tools/bench/child_process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

extern char** environ;

namespace hookbench {
namespace {

using Clock = std::chrono::steady_clock;

int Decode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

pid_t SpawnWith(const std::vector<std::string>& args, int out_fd, int err_fd) {
  std::vector<std::string> storage(args);
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return rc == 0 ? pid : -1;
}

int WaitPid(pid_t pid, std::chrono::milliseconds timeout, bool* reaped, int* status_out) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      *reaped = true;
      *status_out = Decode(status);
      return *status_out;
    }
    if (r < 0 && errno != EINTR) return -1;
    if (Clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !reaped_) {
    kill(pid_, SIGKILL);
    WaitPid(pid_, std::chrono::seconds(10), &reaped_, &exit_status_);
  }
  if (reader_.joinable()) reader_.join();
  if (out_fd_ >= 0) close(out_fd_);
}

bool ChildProcess::Start(const std::vector<std::string>& argv, const std::string& stderr_path) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return false;
  int err_fd = fds[1];
  if (!stderr_path.empty()) {
    err_fd = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (err_fd < 0) err_fd = fds[1];
  }
  pid_ = SpawnWith(argv, fds[1], err_fd);
  if (err_fd != fds[1]) close(err_fd);
  close(fds[1]);
  out_fd_ = fds[0];
  if (pid_ < 0) return false;
  reader_ = std::thread([this] { ReadLoop(); });
  return true;
}

void ChildProcess::ReadLoop() {
  char buf[4096];
  while (true) {
    const ssize_t n = read(out_fd_, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    std::lock_guard<std::mutex> lock(mu_);
    if (n <= 0) {
      eof_ = true;
      cv_.notify_all();
      return;
    }
    output_.append(buf, static_cast<std::size_t>(n));
    cv_.notify_all();
  }
}

bool ChildProcess::WaitForLine(const std::string& prefix, std::chrono::milliseconds timeout,
                               std::string* line) {
  std::unique_lock<std::mutex> lock(mu_);
  const auto deadline = Clock::now() + timeout;
  while (true) {
    std::size_t start = 0;
    while (start < output_.size()) {
      const std::size_t end = output_.find('\n', start);
      if (end == std::string::npos) break;
      if (output_.compare(start, prefix.size(), prefix) == 0) {
        *line = output_.substr(start, end - start);
        return true;
      }
      start = end + 1;
    }
    if (eof_) return false;
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) return false;
  }
}

int ChildProcess::Stop(int sig, std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  if (reaped_) return exit_status_;
  kill(pid_, sig);
  int status = WaitPid(pid_, timeout, &reaped_, &exit_status_);
  if (!reaped_) {
    kill(pid_, SIGKILL);
    WaitPid(pid_, std::chrono::seconds(10), &reaped_, &exit_status_);
    status = -1;
  }
  if (reader_.joinable()) reader_.join();
  return status;
}

int ChildProcess::Wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0 || reaped_) return -1;
  const int status = WaitPid(pid_, timeout, &reaped_, &exit_status_);
  if (reaped_ && reader_.joinable()) reader_.join();
  return status;
}

bool ChildProcess::Running(int* status) {
  if (pid_ <= 0) return false;
  if (!reaped_) {
    int raw = 0;
    if (waitpid(pid_, &raw, WNOHANG) != pid_) return true;
    reaped_ = true;
    exit_status_ = Decode(raw);
  }
  *status = exit_status_;
  return false;
}

std::string ChildProcess::Output() const {
  std::lock_guard<std::mutex> lock(mu_);
  return output_;
}

CommandResult RunCommand(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  CommandResult result;
  ChildProcess child;
  if (!child.Start(argv, "")) {
    result.output = "cannot start " + argv.front();
    return result;
  }
  result.exit_code = child.Wait(timeout);
  if (result.exit_code < 0) result.exit_code = child.Stop(SIGKILL, std::chrono::seconds(5));
  result.output = child.Output();
  return result;
}

long ResidentKiB(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  const std::string key(field);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::stol(line.substr(key.size()));
  }
  return -1;
}

double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const std::size_t close_paren = text.rfind(')');
  if (close_paren == std::string::npos) return 0;
  std::istringstream fields(text.substr(close_paren + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; fields >> field; ++i) {  // field 3 is the state
    if (i == 14) utime = std::stod(field);
    if (i == 15) {
      stime = std::stod(field);
      break;
    }
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace hookbench
