// hookcrash: the crash-safety test as one command (docs/CRASH-SAFETY.md). Thin: flags in,
// RunCrashTest, the report out.
#include <iostream>
#include <string>
#include <vector>

#include "tests/crash/crash_run.h"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto options = hookbroker::crash::ParseCrashOptions(args);
  if (!options) {
    if (options.error().code == "help") {
      std::cout << options.error().message;
      return 0;
    }
    std::cerr << "hookcrash: " << options.error().message << "\n";
    return 2;
  }
  const auto report = hookbroker::crash::RunCrashTest(*options, std::cout);
  hookbroker::crash::PrintReport(report, std::cout);
  return report.failures.empty() ? 0 : 1;
}
