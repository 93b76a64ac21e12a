#include "tests/crash/crash_options.h"

#include <charconv>
#include <functional>
#include <map>

namespace hookbroker::crash {
namespace {

constexpr const char* kUsage =
    R"(hookcrash: SIGKILL the broker at random moments under load, restart it, and check
that nothing acknowledged was lost (docs/CRASH-SAFETY.md).

Usage: hookcrash [FLAGS]
  --cycles N                 kill-and-restart cycles (default 4)
  --producers N              ZeroMQ producer threads (default 3)
  --events-per-cycle N       events published per cycle at most (default 1500)
  --min-run-ms MS            each cycle kills the broker a random time after it is ready,
  --max-run-ms MS              between these (default 300 and 2500)
  --retention-ms MS          history retention given to the broker (default 3000)
  --gc-interval S            the broker's --gc-interval (default 0.3)
  --delivery-workers N       the broker's --delivery-workers (default 8)
  --endpoint-concurrency N   the broker's --endpoint-concurrency (default 2)
  --max-unrecorded N         the broker's --max-unrecorded, and the most repeats one kill may
                             cause (default 16)
  --fail-one-in N            failing receivers answer 5xx about once in N posts (default 6)
  --drain-timeout-ms MS      time allowed after the last restart for every delivery (60000)
  --seed N                   random seed (default: from the clock; printed)
  --keep-dir DIR             keep the data folder in DIR (must not exist) instead of a temp dir
  --report-bound-only        only report, not fail, when one kill repeats more callbacks
                             than the broker may have sent unrecorded (--max-unrecorded)
  --verbose                  print each cycle's details
Exit status: 0 when every check passed, 1 when one failed, 2 on bad flags.
)";

Status ParseNumber(const std::string& flag, const std::string& text, long long min, long long max,
                   long long* out) {
  long long v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max) {
    return Error::Invalid(flag, "--" + flag + ": expected an integer between " +
                                    std::to_string(min) + " and " + std::to_string(max) +
                                    ", got \"" + text + "\"");
  }
  *out = v;
  return Status::Ok();
}

}  // namespace

Result<CrashOptions> ParseCrashOptions(const std::vector<std::string>& args) {
  CrashOptions o;
  auto integer = [](int* field, long long min, long long max) {
    return [=](const std::string& flag, const std::string& v) -> Status {
      long long n = 0;
      if (Status s = ParseNumber(flag, v, min, max, &n); !s) return s;
      *field = static_cast<int>(n);
      return Status::Ok();
    };
  };
  using Setter = std::function<Status(const std::string&, const std::string&)>;
  const std::map<std::string, Setter> flags = {
      {"cycles", integer(&o.cycles, 1, 10000)},
      {"producers", integer(&o.producers, 1, 64)},
      {"events-per-cycle", integer(&o.events_per_cycle, 1, 10000000)},
      {"min-run-ms", integer(&o.min_run_ms, 1, 3600000)},
      {"max-run-ms", integer(&o.max_run_ms, 1, 3600000)},
      {"retention-ms", integer(&o.retention_ms, 100, 86400000)},
      {"delivery-workers", integer(&o.delivery_workers, 1, 1024)},
      {"endpoint-concurrency", integer(&o.endpoint_concurrency, 1, 256)},
      {"max-unrecorded", integer(&o.max_unrecorded, 1, 1 << 20)},
      {"fail-one-in", integer(&o.fail_one_in, 2, 1000000)},
      {"drain-timeout-ms", integer(&o.drain_timeout_ms, 1000, 3600000)},
      {"gc-interval",
       [&o](const std::string& flag, const std::string& v) -> Status {
         try {
           std::size_t used = 0;
           o.gc_interval_s = std::stod(v, &used);
           if (used == v.size() && o.gc_interval_s > 0 && o.gc_interval_s <= 3600) {
             return Status::Ok();
           }
         } catch (const std::exception&) {
         }
         return Error::Invalid(flag, "--gc-interval: expected seconds, got \"" + v + "\"");
       }},
      {"seed",
       [&o](const std::string& flag, const std::string& v) -> Status {
         const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), o.seed);
         if (ec == std::errc() && end == v.data() + v.size()) return Status::Ok();
         return Error::Invalid(flag, "--seed: expected a non-negative integer, got \"" + v + "\"");
       }},
      {"keep-dir",
       [&o](const std::string&, const std::string& v) -> Status {
         o.keep_dir = v;
         return Status::Ok();
       }},
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") return Error{"help", kUsage, ""};
    if (arg == "--verbose") {
      o.verbose = true;
      continue;
    }
    if (arg == "--report-bound-only") {
      o.enforce_in_flight_bound = false;
      continue;
    }
    std::string name = arg.rfind("--", 0) == 0 ? arg.substr(2) : "";
    std::string value;
    bool has_value = false;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    const auto it = flags.find(name);
    if (it == flags.end()) return Error::Invalid(arg, "unknown flag \"" + arg + "\" (see --help)");
    if (!has_value) {
      if (i + 1 >= args.size()) return Error::Invalid(name, "--" + name + " needs a value");
      value = args[++i];
    }
    if (Status s = it->second(name, value); !s) return s.error();
  }
  if (o.min_run_ms > o.max_run_ms) {
    return Error::Invalid("min-run-ms", "--min-run-ms must not exceed --max-run-ms");
  }
  return o;
}

}  // namespace hookbroker::crash
