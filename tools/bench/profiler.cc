#include "tools/bench/profiler.h"

#include <csignal>

namespace hookbench {

Profiler::Profiler(const std::string& dir, const std::string& name, pid_t pid)
    : dir_(dir), name_(name) {
  if (dir_.empty()) return;
  perf_ = std::make_unique<ChildProcess>();
  // DWARF unwinding: the Debian libraries and a RelWithDebInfo build keep no frame pointers.
  if (!perf_->Start({"perf", "record", "--call-graph", "dwarf,16384", "-F", "499", "-p",
                     std::to_string(pid), "-o", dir_ + "/" + name_ + ".perf.data"},
                    dir_ + "/" + name_ + "-record.log")) {
    perf_.reset();
  }
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
