// 7. Backlog: a data folder holding N pending deliveries (committed through the Store API as the
// ingest would, while no broker runs: a stopped broker), then the broker started with the
// receiver up: time from process start to the first callback and to the last.
#include <cstdio>

#include "tools/bench/scenarios.h"
#include "tools/bench/seeding.h"

namespace hookbench {

void RunBacklogScenario(Context& c) {
  const Options& o = c.options();
  const char kScenario[] = "7. Backlog";
  std::printf("[7/7] backlog: restart with %zu pending deliveries\n", o.backlog);
  auto receiver = c.StartReceiver(c.ReceiverFor(false), kScenario);
  if (!receiver) return;
  BrokerConfig config = c.BrokerFor("backlog");
  const std::int64_t s0 = NowNs();
  const std::string seeded =
      SeedBacklog(config.data_dir, o.backlog, "backlog", receiver->url(), o.event_bytes);
  if (!seeded.empty()) {
    c.Fail(kScenario, "seeding: " + seeded, nullptr);
    return;
  }
  const double seed_seconds = static_cast<double>(NowNs() - s0) / 1e9;
  auto broker = c.StartBroker(config, kScenario);
  if (!broker) return;
  const std::int64_t spawned =
      std::chrono::duration_cast<std::chrono::nanoseconds>(broker->spawned_at().time_since_epoch())
          .count();
  const auto timeout = std::chrono::seconds(120 + static_cast<long>(o.backlog / 300));
  if (!receiver->WaitForCount(o.backlog, timeout)) {
    c.Fail(kScenario,
           std::to_string(receiver->count()) + " of " + std::to_string(o.backlog) +
               " delivered in time",
           broker.get());
    return;
  }
  const double first = static_cast<double>(receiver->first_ns() - spawned) / 1e9;
  const double all = static_cast<double>(receiver->last_ns() - spawned) / 1e9;
  const std::string n = FormatNumber(static_cast<double>(o.backlog));

  Row first_row;
  first_row.scenario = kScenario;
  first_row.figure = "process start → ready / → first callback, " + n + " pending";
  first_row.measured = FormatSeconds(broker->ready_seconds()) + " / " + FormatSeconds(first);
  first_row.target = "first ≤ 2 s";
  first_row.verdict = first <= 2.0 ? Verdict::kPass : Verdict::kMiss;
  c.report().Add(first_row);

  const double drain_rate = static_cast<double>(o.backlog) / (all - first);
  Row drain;
  drain.scenario = kScenario;
  drain.figure = "process start → all " + n + " delivered (drain rate)";
  drain.measured = FormatSeconds(all) + " (" + FormatRate(drain_rate) + ")";
  if (c.broker_http_rate > 0) {
    drain.baseline = FormatRate(c.broker_http_rate) + " (scenario 2 HTTP)";
    char ratio[32];
    std::snprintf(ratio, sizeof(ratio), "%.2f", drain_rate / c.broker_http_rate);
    drain.ratio = ratio;
  }
  c.report().Add(drain);
  char note[200];
  std::snprintf(note, sizeof(note),
                "Backlog: committing %s events with one delivery each through Store::CommitEvents "
                "took %.1f s.",
                n.c_str(), seed_seconds);
  c.report().AddNote(note);
  broker->Stop();
}

}  // namespace hookbench
