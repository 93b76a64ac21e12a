#include "tools/bench/options.h"

#include <cstdio>
#include <functional>
#include <map>
#include <sstream>

namespace hookbench {
namespace {

const char kUsage[] =
    R"(hookbench: measures hookbroker on this machine against raw baselines taken in the
same run, and writes one table (OUT/results.md) with charts (OUT/*.png).

Usage: hookbench [FLAGS]

  --smoke                  tiny sizes: finishes in < 30 s (for CI)
  --only LIST              run only these scenarios (comma-separated):
                           ingest,delivery,latency,fanout,isolation,scale,backlog,soak
                           (soak runs only with --soak-minutes)
  --out DIR                where results.md and the charts go (default bench-results)
  --broker PATH            the hookbroker binary (default: the one built with this tool)
  --work-dir DIR           data folders and temp files (default: a new folder in $TMPDIR)
  --keep                   keep the work folder (broker logs, data) afterwards
  --perf DIR               record CPU profiles of the broker during the ingest, delivery and
                           scale phases (perf record, DWARF call graphs:
                           DIR/NAME.perf.data and the reports DIR/NAME-self.txt and
                           DIR/NAME-children.txt, NAME being ingest, delivery-http,
                           delivery-https, and scale-ingest-N and scale-deliver-N for N
                           subscriptions, first round)

  --producers N            ingest: producer threads, one DEALER socket each (default 4)
  --in-flight N            ingest: requests in flight per producer (default 64)
  --batch N                ingest: events per request (default 10)
  --ingest-seconds S       ingest: duration (default 5)
  --event-bytes N          size of one event's JSON (default 400)
  --baseline-records N     raw LMDB baseline: records appended (default 300000)
  --baseline-per-txn N     raw LMDB baseline: records per transaction (default 1000)
  --delivery-events N      delivery: events delivered per protocol (default 100000)
  --endpoint-concurrency N broker --endpoint-concurrency and wrk connections (default 4)
  --delivery-workers N     broker --delivery-workers (default 32)
  --wrk-seconds S          delivery baseline: wrk duration (default 5)
  --callback-host NAME     the host in every receiver's URL (default 127.0.0.1); a name such
                           as localhost makes the broker look it up (--dns-cache-seconds)
  --latency-rate N         latency: events per second (default 1000)
  --latency-seconds S      latency: duration per protocol (default 5)
  --fanout N               fan-out: subscriptions on one group (default 1000)
  --isolation-endpoints N  isolation: endpoints, one of them hanging (default 10)
  --isolation-events N     isolation: events per endpoint (default 8000)
  --callback-timeout S     isolation: broker --callback-timeout (default 2)
  --subscriptions N        scale: subscriptions stored (default 100000; full run 1000000)
  --scale-reference N      scale: the reference run's subscriptions (default 1000)
  --scale-events N         scale: events delivered per round (default 10000)
  --scale-ingest-seconds S scale: ingest duration per round (default 3)
  --scale-delivery-groups N
                           scale: delivery rounds draw their groups from the first N
                           subscriptions of each side (default: all of them); a
                           diagnosis of what the delivery ratio goes with: the same
                           store, fewer subscriptions in play. Unless N covers both
                           sides, the delivery row then has no target
  --backlog N              backlog: pending deliveries at restart (default 100000; full 1000000)
  --soak-minutes M         soak: run it, for M minutes (issue 5's figure: 30); off by default
  --soak-rate N            soak: events per second (default 2000)
  --soak-endpoints N       soak: endpoints, one webhook each (default 20)
  --soak-failing N         soak: endpoints down 20 s of every 60 s (default 1)
  -h, --help               this text

Exit status 0 when the benchmark ran (targets are reported PASS/MISS in the table), 1 when it
could not run, 2 on bad flags.
)";

}  // namespace

std::optional<Options> ParseOptions(const std::vector<std::string>& args, int* exit_code) {
  Options o;
#ifdef HOOKBROKER_BINARY
  o.broker_binary = HOOKBROKER_BINARY;
#endif
  // Smoke sizes first, so that explicit flags still win whatever their position.
  for (const auto& a : args) {
    if (a == "--smoke") {
      o.smoke = true;
      o.ingest_seconds = 1.5;
      o.baseline_records = 30000;
      o.delivery_events = 2000;
      o.wrk_seconds = 1;
      o.latency_seconds = 1.5;
      o.fanout = 200;
      o.isolation_events = 1000;
      o.subscriptions = 5000;
      o.scale_reference = 500;
      o.scale_events = 1000;
      o.scale_ingest_seconds = 1;
      o.backlog = 2000;
    }
  }
  auto as_int = [](int* out) {
    return [out](const std::string& v) {
      *out = std::stoi(v);
      return *out > 0;
    };
  };
  auto as_size = [](std::size_t* out) {
    return [out](const std::string& v) {
      *out = std::stoull(v);
      return *out > 0;
    };
  };
  auto as_double = [](double* out) {
    return [out](const std::string& v) {
      *out = std::stod(v);
      return *out > 0;
    };
  };
  auto as_string = [](std::string* out) {
    return [out](const std::string& v) {
      *out = v;
      return !v.empty();
    };
  };
  const std::map<std::string, std::function<bool(const std::string&)>> valued = {
      {"--out", as_string(&o.out_dir)},
      {"--broker", as_string(&o.broker_binary)},
      {"--work-dir", as_string(&o.work_dir)},
      {"--perf", as_string(&o.perf_dir)},
      {"--producers", as_int(&o.producers)},
      {"--in-flight", as_int(&o.in_flight)},
      {"--batch", as_int(&o.batch)},
      {"--ingest-seconds", as_double(&o.ingest_seconds)},
      {"--event-bytes", as_size(&o.event_bytes)},
      {"--baseline-records", as_size(&o.baseline_records)},
      {"--baseline-per-txn", as_size(&o.baseline_per_txn)},
      {"--delivery-events", as_size(&o.delivery_events)},
      {"--endpoint-concurrency", as_int(&o.endpoint_concurrency)},
      {"--delivery-workers", as_int(&o.delivery_workers)},
      {"--wrk-seconds", as_double(&o.wrk_seconds)},
      {"--callback-host", as_string(&o.callback_host)},
      {"--latency-rate", as_int(&o.latency_rate)},
      {"--latency-seconds", as_double(&o.latency_seconds)},
      {"--fanout", as_int(&o.fanout)},
      {"--isolation-endpoints", as_int(&o.isolation_endpoints)},
      {"--isolation-events", as_size(&o.isolation_events)},
      {"--callback-timeout", as_int(&o.callback_timeout)},
      {"--subscriptions", as_size(&o.subscriptions)},
      {"--scale-reference", as_size(&o.scale_reference)},
      {"--scale-events", as_size(&o.scale_events)},
      {"--scale-ingest-seconds", as_double(&o.scale_ingest_seconds)},
      {"--scale-delivery-groups", as_size(&o.scale_delivery_groups)},
      {"--backlog", as_size(&o.backlog)},
      {"--soak-minutes", as_double(&o.soak_minutes)},
      {"--soak-rate", as_int(&o.soak_rate)},
      {"--soak-endpoints", as_int(&o.soak_endpoints)},
      {"--soak-failing", as_int(&o.soak_failing)},
  };
  static const std::set<std::string> kScenarios = {"ingest",    "delivery", "latency", "fanout",
                                                   "isolation", "scale",    "backlog", "soak"};
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      *exit_code = 0;
      return std::nullopt;
    }
    if (a == "--smoke") continue;
    if (a == "--keep") {
      o.keep_work_dir = true;
      continue;
    }
    if (a == "--only") {
      if (i + 1 >= args.size()) {
        std::fprintf(stderr, "hookbench: --only needs a value\n");
        *exit_code = 2;
        return std::nullopt;
      }
      std::stringstream list(args[++i]);
      std::string name;
      while (std::getline(list, name, ',')) {
        if (!kScenarios.count(name)) {
          std::fprintf(stderr, "hookbench: unknown scenario '%s'\n", name.c_str());
          *exit_code = 2;
          return std::nullopt;
        }
        o.only.insert(name);
      }
      continue;
    }
    auto it = valued.find(a);
    if (it == valued.end()) {
      std::fprintf(stderr, "hookbench: unknown flag %s (see --help)\n", a.c_str());
      *exit_code = 2;
      return std::nullopt;
    }
    bool ok = false;
    if (i + 1 < args.size()) {
      try {
        ok = it->second(args[++i]);
      } catch (const std::exception&) {
        ok = false;
      }
    }
    if (!ok) {
      std::fprintf(stderr, "hookbench: %s needs a positive value\n", a.c_str());
      *exit_code = 2;
      return std::nullopt;
    }
  }
  if (o.broker_binary.empty()) {
    std::fprintf(stderr, "hookbench: --broker PATH is required\n");
    *exit_code = 2;
    return std::nullopt;
  }
  return o;
}

}  // namespace hookbench
