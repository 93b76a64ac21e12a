// Profiler: an optional `perf record` of the broker during one phase of a scenario (--perf DIR).
// Writes DIR/NAME.perf.data and, when stopped, two reports: NAME-self.txt (flat, self time) and
// NAME-children.txt (inclusive time). Does nothing when DIR is empty or perf cannot start.
//
// Lifecycle: construct (starts recording), Finish() (stops and writes the reports; the
// destructor does the same). Not thread-safe.
//
// The constructor returns once perf records: perf starts with its events disabled, and is told
// to enable them through a control FIFO and answers on another (`--control`). Without that wait,
// perf's start-up (about 0.3 s) missed the beginning of a phase: in a one-second delivery round,
// the whole publishing of its events.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "tools/bench/child_process.h"

namespace hookbench {

class Profiler {
 public:
  Profiler(const std::string& dir, const std::string& name, pid_t pid);
  ~Profiler();
  Profiler(const Profiler&) = delete;
  Profiler& operator=(const Profiler&) = delete;

  void Finish();

 private:
  std::string dir_;
  std::string name_;
  std::unique_ptr<ChildProcess> perf_;
};

}  // namespace hookbench
