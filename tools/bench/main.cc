// hookbench: one run, one machine, everything on loopback (a fresh real hookbroker per scenario,
// receivers, producers, wrk), one table with each figure next to its baseline measured in the
// same run. See docs/PERFORMANCE.md and `hookbench --help`.
#include <signal.h>
#include <stdlib.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tools/bench/options.h"
#include "tools/bench/pki.h"
#include "tools/bench/report.h"
#include "tools/bench/scenarios.h"

namespace hookbench {
namespace {

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const std::size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  }
  return "unknown";
}

std::string Machine() {
  utsname u{};
  uname(&u);
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGESIZE);
  return "Machine: " + std::to_string(std::thread::hardware_concurrency()) + " CPUs (nproc), " +
         CpuModel() + ", " + FormatNumber(static_cast<double>(pages) * page / (1 << 30)) +
         " GiB RAM, Linux " + u.release + ".";
}

// Other work on the machine skews every figure (baselines included): said next to the table.
std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one, five;
  in >> one >> five;
  return one + " (1 min), " + five + " (5 min)";
}

int Main(const std::vector<std::string>& args) {
  int exit_code = 0;
  auto parsed = ParseOptions(args, &exit_code);
  if (!parsed) return exit_code;
  const Options& o = *parsed;
  signal(SIGPIPE, SIG_IGN);

  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(o.out_dir, ec);
  if (!o.perf_dir.empty()) fs::create_directories(o.perf_dir, ec);
  std::string work_dir = o.work_dir;
  if (work_dir.empty()) {
    const char* tmp = getenv("TMPDIR");
    std::string templ = std::string(tmp != nullptr ? tmp : "/tmp") + "/hookbench-XXXXXX";
    if (mkdtemp(templ.data()) == nullptr) {
      std::fprintf(stderr, "hookbench: cannot create a work folder\n");
      return 1;
    }
    work_dir = templ;
  } else {
    fs::create_directories(work_dir, ec);
  }
  const std::string out_dir = fs::absolute(o.out_dir).string();

  Pki pki;
  try {
    pki = MakePki(work_dir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hookbench: %s\n", e.what());
    return 1;
  }

  std::string command = "hookbench";
  for (const auto& a : args) command += " " + a;
  const std::string load_before = LoadAverage();
  std::string machine = Machine();
  std::printf("%s\nwork folder %s\n", machine.c_str(), work_dir.c_str());

  Report report;
  Context context(o, work_dir, pki, &report);
  const auto started = std::chrono::steady_clock::now();
  const std::pair<const char*, void (*)(Context&)> scenarios[] = {
      {"ingest", RunIngestScenario},       {"delivery", RunDeliveryScenario},
      {"latency", RunLatencyScenario},     {"fanout", RunFanoutScenario},
      {"isolation", RunIsolationScenario}, {"scale", RunScaleScenario},
      {"backlog", RunBacklogScenario},     {"soak", RunSoakScenario}};
  for (const auto& [name, run] : scenarios) {
    if (!o.Runs(name)) continue;
    const auto t0 = std::chrono::steady_clock::now();
    run(context);
    std::printf("      (%s: %.1f s)\n", name,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  const double total =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  char took[64];
  std::snprintf(took, sizeof(took), " The run took %.0f s.", total);
  machine += " Load average at start: " + load_before + "; at end: " + LoadAverage() + "." + took;
  const std::string problems = report.Write(out_dir, machine, command);
  std::printf("\n%s\n", report.Markdown(machine, command).c_str());
  if (!problems.empty()) std::fprintf(stderr, "hookbench: charts: %s", problems.c_str());
  std::printf("results: %s/results.md (%d target(s) missed or errored)\n", out_dir.c_str(),
              report.misses());
  if (o.keep_work_dir) {
    std::printf("work folder kept: %s\n", work_dir.c_str());
  } else {
    fs::remove_all(work_dir, ec);
  }
  return 0;
}

}  // namespace
}  // namespace hookbench

int main(int argc, char** argv) {
  return hookbench::Main(std::vector<std::string>(argv + 1, argv + argc));
}
