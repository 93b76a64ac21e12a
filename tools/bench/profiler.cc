#include "tools/bench/profiler.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <thread>

namespace hookbench {
namespace {

// Opens `path` (a FIFO) for writing once its reader (perf) has opened it; -1 after `timeout`.
int OpenWriterWhenRead(const std::string& path, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int fd = open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0 || errno != ENXIO || std::chrono::steady_clock::now() >= deadline) return fd;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// Tells perf (started with events disabled) to enable them and waits for its "ack".
bool EnableAndWait(const std::string& ctl, const std::string& ack) {
  // Opened read-write, so that the open does not wait for perf and the FIFO has a writer.
  const int ack_fd = open(ack.c_str(), O_RDWR | O_CLOEXEC);
  if (ack_fd < 0) return false;
  const int ctl_fd = OpenWriterWhenRead(ctl, std::chrono::seconds(10));
  bool ok = false;
  if (ctl_fd >= 0) {
    static constexpr char kEnable[] = "enable\n";
    if (write(ctl_fd, kEnable, sizeof(kEnable) - 1) == sizeof(kEnable) - 1) {
      pollfd p{ack_fd, POLLIN, 0};
      char answer[8] = {};
      ok = poll(&p, 1, 10000) == 1 && read(ack_fd, answer, sizeof(answer)) >= 3 &&
           std::strncmp(answer, "ack", 3) == 0;
    }
    close(ctl_fd);
  }
  close(ack_fd);
  return ok;
}

}  // namespace

Profiler::Profiler(const std::string& dir, const std::string& name, pid_t pid)
    : dir_(dir), name_(name) {
  if (dir_.empty()) return;
  const std::string ctl = dir_ + "/" + name_ + "-ctl.fifo";
  const std::string ack = dir_ + "/" + name_ + "-ack.fifo";
  unlink(ctl.c_str());
  unlink(ack.c_str());
  if (mkfifo(ctl.c_str(), 0600) != 0 || mkfifo(ack.c_str(), 0600) != 0) {
    std::fprintf(stderr, "hookbench: cannot make perf's control FIFOs in %s: %s\n", dir_.c_str(),
                 std::strerror(errno));
    return;
  }
  perf_ = std::make_unique<ChildProcess>();
  // DWARF unwinding: the Debian libraries and a RelWithDebInfo build keep no frame pointers.
  if (!perf_->Start({"perf", "record", "--call-graph", "dwarf,16384", "-F", "499", "-D", "-1",
                     "--control", "fifo:" + ctl + "," + ack, "-p", std::to_string(pid), "-o",
                     dir_ + "/" + name_ + ".perf.data"},
                    dir_ + "/" + name_ + "-record.log")) {
    perf_.reset();
  } else if (!EnableAndWait(ctl, ack)) {
    std::fprintf(stderr, "hookbench: perf did not start recording %s (see %s-record.log)\n",
                 name_.c_str(), name_.c_str());
  }
  unlink(ctl.c_str());  // perf holds them open
  unlink(ack.c_str());
}

Profiler::~Profiler() { Finish(); }

void Profiler::Finish() {
  if (!perf_) return;
  perf_->Stop(SIGINT, std::chrono::seconds(60));
  perf_.reset();
  const std::string data = name_ + ".perf.data";
  RunCommand(
      {"sh", "-c",
       "cd '" + dir_ + "' && perf report --stdio --no-children --percent-limit 1 -g none -i " +
           data + " > " + name_ + "-self.txt 2>/dev/null; " +
           "perf report --stdio --children --percent-limit 4 -g none -i " + data + " > " + name_ +
           "-children.txt 2>/dev/null"},
      std::chrono::seconds(300));
}

}  // namespace hookbench
