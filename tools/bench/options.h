// hookbench's flags: every size of every scenario, with defaults for a few-minute run on 2 cores
// and --smoke for a < 30 s run.
#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace hookbench {

struct Options {
  std::string broker_binary;              // the real daemon (default: the one built next to us)
  std::string out_dir = "bench-results";  // results.md and the PNG charts
  std::string work_dir;                   // temp data folders (default: a fresh one in $TMPDIR)
  bool keep_work_dir = false;
  bool smoke = false;
  std::set<std::string> only;  // scenario names to run; empty: all
  std::string perf_dir;        // when set: `perf record` the broker during the ingest phase

  // 1. Durable ingest.
  int producers = 4;
  int in_flight = 64;  // requests in flight per producer
  int batch = 10;      // events per request
  double ingest_seconds = 5;
  std::size_t event_bytes = 400;
  std::size_t baseline_records = 300000;
  std::size_t baseline_per_txn = 1000;

  // 2. Delivery.
  // 5-8 s of callbacks, like wrk's 5 s: rounds of 20,000 (about 1 s) moved the ratio by 0.1.
  std::size_t delivery_events = 100000;
  int endpoint_concurrency = 4;
  int delivery_workers = 32;
  double wrk_seconds = 5;
  // The host in every receiver's URL (what the broker and wrk are given): an address, or a name
  // that resolves to 127.0.0.1 such as localhost, to include the callback host's lookup.
  std::string callback_host = "127.0.0.1";

  // 3. Latency.
  int latency_rate = 1000;  // events per second
  double latency_seconds = 5;

  // 4. Fan-out.
  int fanout = 1000;

  // 5. Isolation.
  int isolation_endpoints = 10;
  std::size_t isolation_events = 8000;  // per endpoint: the run spans several timeouts
  int callback_timeout = 2;             // seconds (broker --callback-timeout)

  // 6. Subscriptions at scale.
  std::size_t subscriptions = 100000;
  std::size_t scale_reference = 1000;
  std::size_t scale_events = 10000;  // delivered events per run
  // Delivery rounds draw their groups from the first this many of each side's subscriptions;
  // 0: all of them (the figure the target is about). A diagnosis: the same store with fewer
  // subscriptions in play, each then called back more often, as on the reference side.
  std::size_t scale_delivery_groups = 0;
  double scale_ingest_seconds = 3;

  // 7. Backlog.
  std::size_t backlog = 100000;

  // 8. Soak (only when --soak-minutes is given, or --only soak).
  double soak_minutes = 0;
  int soak_rate = 2000;  // events per second
  int soak_endpoints = 20;
  int soak_failing = 1;  // endpoints with outages (20 s of every 60 s)

  bool Runs(const std::string& scenario) const {
    if (scenario == "soak") return soak_minutes > 0 && (only.empty() || only.count(scenario));
    return only.empty() || only.count(scenario);
  }
};

// Parses argv; on error or --help prints to stderr/stdout and returns nullopt with *exit_code.
std::optional<Options> ParseOptions(const std::vector<std::string>& args, int* exit_code);

}  // namespace hookbench
