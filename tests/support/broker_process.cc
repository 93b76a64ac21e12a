#include "tests/support/broker_process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <sstream>
#include <stdexcept>

#ifndef HOOKBROKER_BINARY
#error "HOOKBROKER_BINARY must be defined (tests/CMakeLists.txt does it)"
#endif

extern char** environ;

namespace hookbroker::testing {
namespace {

using Clock = std::chrono::steady_clock;

int Remaining(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<std::chrono::milliseconds::rep>(0, left.count()));
}

int DecodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

bool HasFlag(const std::vector<std::string>& args, const std::string& flag) {
  return std::any_of(args.begin(), args.end(), [&](const std::string& a) {
    return a == flag || a.rfind(flag + "=", 0) == 0;
  });
}

// Everything the child needs, prepared before fork(): after fork() in a multithreaded process
// the child may only make async-signal-safe calls, so no allocation there.
struct SpawnPlan {
  std::vector<std::string> argv_storage;
  std::vector<std::string> env_storage;
  std::vector<char*> argv;
  std::vector<char*> envp;
  std::string exec_error;  // written to the child's stderr if exec fails
  int max_fd = 1024;

  SpawnPlan(std::vector<std::string> args, const std::vector<std::string>& extra_env)
      : argv_storage(std::move(args)) {
    // Extra entries replace inherited variables of the same name.
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string entry(*e);
      const std::string name = entry.substr(0, entry.find('='));
      const bool overridden =
          std::any_of(extra_env.begin(), extra_env.end(),
                      [&](const std::string& x) { return x.substr(0, x.find('=')) == name; });
      if (!overridden) env_storage.push_back(entry);
    }
    env_storage.insert(env_storage.end(), extra_env.begin(), extra_env.end());
    for (auto& s : argv_storage) argv.push_back(s.data());
    argv.push_back(nullptr);
    for (auto& s : env_storage) envp.push_back(s.data());
    envp.push_back(nullptr);
    exec_error = "test harness: cannot execute " + argv_storage.front() + "\n";
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
      max_fd = static_cast<int>(std::min<rlim_t>(limit.rlim_cur, 1 << 20));
    }
  }
};

// Forks and execs `plan` with the given descriptors as 0, 1, 2 (-1 for stdin: /dev/null).
// Returns the child's pid, or -1 (errno set) when fork fails.
pid_t Spawn(const SpawnPlan& plan, int stdin_fd, int stdout_fd, int stderr_fd) {
  const pid_t pid = fork();
  if (pid != 0) return pid;

  // Child. Only async-signal-safe calls from here on.
  if (stdin_fd < 0) stdin_fd = open("/dev/null", O_RDONLY);
  // dup2 clears FD_CLOEXEC on the copies, so only 0, 1 and 2 survive the exec.
  if (dup2(stdin_fd, 0) < 0 || dup2(stdout_fd, 1) < 0 || dup2(stderr_fd, 2) < 0) _exit(127);
  // The test process holds sockets (receivers' listeners, broker connections) that httplib does
  // not open close-on-exec; a child inheriting a listener would keep a "stopped" receiver's port
  // accepting connections. Close everything else.
  if (close_range(3, ~0U, 0) != 0) {
    for (int fd = 3; fd < plan.max_fd; ++fd) close(fd);
  }
  // The test's threads may block signals (the receivers block SIGPIPE); a daemon should start
  // with the defaults a shell would give it.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGPIPE, SIG_DFL);
  execvpe(plan.argv[0], plan.argv.data(), plan.envp.data());
  const ssize_t ignored = write(2, plan.exec_error.data(), plan.exec_error.size());
  (void)ignored;
  _exit(127);
}

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// Parses "hookbroker ready rest=URL ingest=ENDPOINT posts=ENDPOINT" from a complete line of
// `output`.
bool ParseReadyLine(const std::string& output, std::string* rest, std::string* ingest,
                    std::string* posts) {
  static const std::string kPrefix = "hookbroker ready ";
  std::size_t start = 0;
  while (start < output.size()) {
    const std::size_t end = output.find('\n', start);
    if (end == std::string::npos) return false;  // the line is still being written
    if (output.compare(start, kPrefix.size(), kPrefix) == 0) {
      std::istringstream tokens(output.substr(start, end - start));
      std::string token, r, i, p;
      while (tokens >> token) {
        if (token.rfind("rest=", 0) == 0) r = token.substr(5);
        if (token.rfind("ingest=", 0) == 0) i = token.substr(7);
        if (token.rfind("posts=", 0) == 0) p = token.substr(6);
      }
      if (!r.empty() && !i.empty()) {
        *rest = r;
        *ingest = i;
        *posts = p;
        return true;
      }
    }
    start = end + 1;
  }
  return false;
}

}  // namespace

BrokerProcess::BrokerProcess(std::vector<std::string> args) : args_(std::move(args)) {}

BrokerProcess::~BrokerProcess() {
  if (pid_ > 0 && !reaped_) {
    kill(pid_, SIGKILL);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
  }
  {
    // A grandchild could still hold the pipe open; do not wait for its EOF.
    std::lock_guard<std::mutex> lock(mu_);
    reader_stop_ = true;
  }
  if (reader_.joinable()) reader_.join();
  CloseFd(out_fd_);
}

bool BrokerProcess::Start(std::chrono::milliseconds timeout) {
  if (pid_ > 0) return false;  // one process per object

  std::vector<std::string> argv = {HOOKBROKER_BINARY};
  argv.insert(argv.end(), args_.begin(), args_.end());
  // Port 0 and "*": the OS picks free ports, so tests can run in parallel; the ready line
  // tells us which.
  if (!HasFlag(args_, "--http-listen")) {
    argv.insert(argv.end(), {"--http-listen", "127.0.0.1:0"});
  }
  if (!HasFlag(args_, "--ingest-listen")) {
    argv.insert(argv.end(), {"--ingest-listen", "tcp://127.0.0.1:*"});
  }
  if (!HasFlag(args_, "--posts-listen")) {
    argv.insert(argv.end(), {"--posts-listen", "tcp://127.0.0.1:*"});
  }
  const SpawnPlan plan(std::move(argv), {});

  // O_CLOEXEC on both ends: the read end must not leak into this child (or into children
  // spawned later by other tests), or EOF would never come.
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    std::lock_guard<std::mutex> lock(mu_);
    output_ += std::string("[test harness] pipe2 failed: ") + std::strerror(errno) + "\n";
    return false;
  }
  const pid_t pid = Spawn(plan, -1, fds[1], fds[1]);
  close(fds[1]);
  if (pid < 0) {
    close(fds[0]);
    std::lock_guard<std::mutex> lock(mu_);
    output_ += std::string("[test harness] fork failed: ") + std::strerror(errno) + "\n";
    return false;
  }
  pid_ = pid;
  out_fd_ = fds[0];
  reader_ = std::thread([this] { ReadLoop(); });

  const auto deadline = Clock::now() + timeout;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (ParseReadyLine(output_, &rest_url_, &ingest_, &posts_)) return true;
      if (Clock::now() >= deadline) {
        output_ +=
            "[test harness] no ready line within " + std::to_string(timeout.count()) + " ms\n";
        return false;
      }
      // Short waits: the child's exit is noticed by polling waitpid below.
      cv_.wait_for(lock, std::chrono::milliseconds(10));
    }
    const int status = WaitForExit(std::chrono::milliseconds(0));
    if (reaped_) {
      std::lock_guard<std::mutex> lock(mu_);
      if (ParseReadyLine(output_, &rest_url_, &ingest_, &posts_)) return true;
      output_ += "[test harness] exited with status " + std::to_string(status) +
                 " before the ready line\n";
      return false;
    }
  }
}

int BrokerProcess::Stop(int signal, std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  if (!reaped_) kill(pid_, signal);
  return WaitForExit(timeout);
}

int BrokerProcess::Wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  return WaitForExit(timeout);
}

std::string BrokerProcess::Output() const {
  std::lock_guard<std::mutex> lock(mu_);
  return output_;
}

int BrokerProcess::WaitForExit(std::chrono::milliseconds timeout) {
  if (reaped_) return exit_status_;
  const auto deadline = Clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      exit_status_ = DecodeStatus(status);
      // So that Output() after Stop()/Wait() includes the daemon's last words.
      AwaitReaderDone(std::chrono::seconds(2));
      return exit_status_;
    }
    if (r < 0 && errno != EINTR) {
      // ECHILD: reaped elsewhere (should not happen); nothing left to wait for.
      reaped_ = true;
      exit_status_ = -1;
      return -1;
    }
    if (Clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void BrokerProcess::AwaitReaderDone(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [this] { return reader_done_; });
}

void BrokerProcess::ReadLoop() {
  char buf[4096];
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (reader_stop_) break;
    }
    // poll with a timeout rather than a blocking read, so the destructor can stop the reader
    // even when a grandchild keeps the pipe open.
    pollfd p{out_fd_, POLLIN, 0};
    const int ready = poll(&p, 1, 50);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    const ssize_t n = read(out_fd_, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: every writer (the child) is gone
    std::lock_guard<std::mutex> lock(mu_);
    output_.append(buf, static_cast<std::size_t>(n));
    cv_.notify_all();
  }
  std::lock_guard<std::mutex> lock(mu_);
  reader_done_ = true;
  cv_.notify_all();
}

CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::vector<std::string>& extra_env, const std::string& stdin_text,
                         std::chrono::milliseconds timeout) {
  if (argv.empty()) throw std::invalid_argument("RunCommand: empty argv");
  const SpawnPlan plan(argv, extra_env);
  CommandResult result;

  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error("RunCommand: pipe2 failed");
  if (pipe2(out, O_CLOEXEC) != 0) {
    close(in[0]);
    close(in[1]);
    throw std::runtime_error("RunCommand: pipe2 failed");
  }
  if (pipe2(err, O_CLOEXEC) != 0) {
    for (int fd : {in[0], in[1], out[0], out[1]}) close(fd);
    throw std::runtime_error("RunCommand: pipe2 failed");
  }

  // Writing stdin to a child that already exited raises SIGPIPE, which would kill the test
  // process. Block it in this thread for the duration (the write then fails with EPIPE) and
  // discard a pending one before restoring the mask.
  sigset_t pipe_set, old_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  const bool pipe_was_blocked = sigismember(&old_set, SIGPIPE) == 1;

  const pid_t pid = Spawn(plan, in[0], out[1], err[1]);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  int in_fd = in[1], out_fd = out[0], err_fd = err[0];
  if (pid < 0) {
    CloseFd(in_fd);
    CloseFd(out_fd);
    CloseFd(err_fd);
    pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
    throw std::runtime_error("RunCommand: fork failed");
  }

  fcntl(in_fd, F_SETFL, fcntl(in_fd, F_GETFL) | O_NONBLOCK);
  std::size_t written = 0;
  if (stdin_text.empty()) CloseFd(in_fd);

  // One poll loop over all three pipes: reading stdout and stderr one after the other could
  // deadlock once the child fills the other pipe's buffer.
  const auto deadline = Clock::now() + timeout;
  bool timed_out = false;
  while (in_fd >= 0 || out_fd >= 0 || err_fd >= 0) {
    pollfd fds[3];
    nfds_t n = 0;
    int* owners[3];
    for (int* fd : {&in_fd, &out_fd, &err_fd}) {
      if (*fd < 0) continue;
      fds[n] = pollfd{*fd, static_cast<short>(fd == &in_fd ? POLLOUT : POLLIN), 0};
      owners[n++] = fd;
    }
    const int left = Remaining(deadline);
    if (left == 0) {
      timed_out = true;
      break;
    }
    const int ready = poll(fds, n, left);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) break;
    for (nfds_t k = 0; k < n; ++k) {
      if (fds[k].revents == 0) continue;
      int& fd = *owners[k];
      if (&fd == &in_fd) {
        const ssize_t w = write(fd, stdin_text.data() + written, stdin_text.size() - written);
        if (w > 0) written += static_cast<std::size_t>(w);
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == stdin_text.size()) {
          CloseFd(fd);  // done, or the child stopped reading (EPIPE)
        }
        continue;
      }
      char buf[4096];
      const ssize_t r = read(fd, buf, sizeof(buf));
      if (r > 0) {
        (&fd == &out_fd ? result.out : result.err).append(buf, static_cast<std::size_t>(r));
      } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
        CloseFd(fd);
      }
    }
  }
  CloseFd(in_fd);
  CloseFd(out_fd);
  CloseFd(err_fd);

  if (!pipe_was_blocked) {
    const timespec zero{0, 0};
    while (sigtimedwait(&pipe_set, nullptr, &zero) > 0) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);

  int status = 0;
  while (!timed_out) {
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      result.exit_code = DecodeStatus(status);
      return result;
    }
    if (r < 0 && errno != EINTR) return result;
    if (Remaining(deadline) == 0) {
      timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, SIGKILL);
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = -1;
  return result;
}

}  // namespace hookbroker::testing
