// The crash test's settings (hookcrash's flags) and their parser.
//
// Plain values; no thread-safety concerns.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "proto/result.h"

namespace hookbroker::crash {

struct CrashOptions {
  int cycles = 4;                // SIGKILL-and-restart cycles before the final check
  int producers = 3;             // ZeroMQ producer threads
  int events_per_cycle = 1500;   // producers stop publishing after this many per cycle
  int min_run_ms = 300;          // each cycle kills the broker after a random time
  int max_run_ms = 2500;         //   in [min_run_ms, max_run_ms] after it is ready
  int retention_ms = 3000;       // --retention-days, so that history expires mid-run
  double gc_interval_s = 0.3;    // --gc-interval
  int delivery_workers = 8;      // --delivery-workers
  int endpoint_concurrency = 2;  // --endpoint-concurrency
  // --max-unrecorded: tighter than the broker's default (32 × workers, 256 here), so that the
  // bound below is one a run comes near (runs before 2026-12-01 saw 15 against 16).
  int max_unrecorded = 16;
  int fail_one_in = 6;           // failing receivers answer 5xx about once in this many
  int drain_timeout_ms = 60000;  // final restart: time allowed for every delivery
  std::uint64_t seed = 0;        // 0: from the clock (printed, so a run can be repeated)
  std::string keep_dir;          // non-empty: data folder kept here instead of a temp dir
  // Fail when one kill repeats more callbacks than the broker may have sent and not yet recorded
  // (max_unrecorded: the broker's --max-unrecorded). On by default; --report-bound-only turns it
  // into a report.
  bool enforce_in_flight_bound = true;
  bool verbose = false;
};

// Parses hookcrash's flags (argv without the program name). `--help` yields an error whose
// code is "help" and whose message is the usage text.
Result<CrashOptions> ParseCrashOptions(const std::vector<std::string>& args);

}  // namespace hookbroker::crash
