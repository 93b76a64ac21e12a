// The crash test itself: runs the broker as a child process under a publish-and-deliver
// workload, SIGKILLs it at random moments, checks the store while it is down, restarts it, and
// at the end checks what every acknowledgement promised (docs/CRASH-SAFETY.md).
//
// Lifecycle: one call runs everything and cleans up (child processes, receivers, temp dir).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "tests/crash/crash_options.h"

namespace hookbroker::crash {

struct CrashReport {
  std::uint64_t seed = 0;
  int cycles = 0;
  int kills = 0;
  int kills_with_ingest_in_flight = 0;    // a producer request was unanswered at the kill
  int kills_with_delivery_in_flight = 0;  // a receiver got a POST in the 50 ms before it
  int kills_aimed_at_expiry = 0;          // timed for the start of the next expiry pass
  int gc_passes_removing = 0;             // broker log lines "removed expired history"
  std::size_t published = 0;
  std::size_t acked = 0;
  std::size_t unanswered = 0;
  std::size_t store_checks = 0;  // acknowledged events looked up in the store between cycles
  std::size_t expected_deliveries = 0;
  std::size_t posts = 0;
  std::size_t failed_answers = 0;
  std::size_t duplicates = 0;
  std::size_t max_duplicates_per_kill = 0;
  std::size_t duplicate_bound_per_kill = 0;  // --max-unrecorded
  bool bound_enforced = false;               // not --report-bound-only
  std::size_t max_unrecorded_at_kill = 0;    // 2xx answers a kill left pending in the store
  double seconds = 0;
  std::vector<std::string> failures;  // empty: every check passed
};

CrashReport RunCrashTest(const CrashOptions& options, std::ostream& log);
void PrintReport(const CrashReport& report, std::ostream& out);

}  // namespace hookbroker::crash
