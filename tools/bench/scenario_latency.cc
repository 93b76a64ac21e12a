// 3. Latency: publish-to-callback at a steady rate (paced producer, send time in the event's
// data, read by the receiver), over HTTP and HTTPS, after a warm-up second; next to it the
// publish-to-acknowledgement latency of the same requests (the fsynced commit).
// 4. Fan-out: one event to many Group subscriptions on one group: time until every callback is in.
#include <algorithm>
#include <cstdio>

#include "tools/bench/lmdb_baseline.h"
#include "tools/bench/producer.h"
#include "tools/bench/scenarios.h"

namespace hookbench {
namespace {

const char kLatency[] = "3. Latency";
const char kFanout[] = "4. Fan-out";

// The receiver goes to *keep: it must outlive the broker (a server stopped while the broker's
// idle kept-alive connections are open waits for their keep-alive timeout).
void LatencyOne(Context& c, Broker& broker, bool tls,
                std::vector<std::unique_ptr<Receiver>>* keep) {
  const Options& o = c.options();
  const std::string proto = tls ? "HTTPS" : "HTTP";
  ReceiverOptions receiver_options = c.ReceiverFor(tls);
  receiver_options.record_latency = true;
  keep->push_back(c.StartReceiver(receiver_options, kLatency));
  Receiver* receiver = keep->back().get();
  if (receiver == nullptr) return;
  const std::string group = "latency-" + proto;
  std::string error;
  if (!broker.RegisterGroupWebhook(group, receiver->url(), R"(["*"])", &error)) {
    c.Fail(kLatency, "register: " + error, &broker);
    return;
  }
  PacedSpec spec;
  spec.endpoint = broker.ingest();
  spec.rate = o.latency_rate;
  spec.group = group;
  spec.event_bytes = o.event_bytes;
  // Warm-up, not counted: the first callbacks to a new origin wait for its connections (for
  // https, each new client loads the CA store and handshakes). Reported as a note.
  spec.seconds = o.smoke ? 0.3 : 1.0;
  spec.id_prefix = group + "-warm";
  const LoadResult warm = RunPaced(spec);
  receiver->WaitForCount(warm.accepted, std::chrono::seconds(30));
  std::vector<std::int64_t> cold = receiver->TakeLatenciesNs();
  std::size_t slow = 0;
  std::int64_t worst = 0;
  for (std::int64_t v : cold) {
    if (v > 5000000) ++slow;
    worst = std::max(worst, v);
  }
  c.report().AddNote("Latency " + proto + " warm-up (first " + std::to_string(cold.size()) +
                     " events to a fresh origin, not in the table): " + std::to_string(slow) +
                     " over 5 ms, worst " + FormatMs(static_cast<double>(worst) / 1e6) + ".");
  receiver->Reset();

  spec.seconds = o.latency_seconds;
  spec.id_prefix = group;
  const LoadResult run = RunPaced(spec);
  const std::uint64_t expected = run.accepted;
  if (!receiver->WaitForCount(expected, std::chrono::seconds(60)) || expected == 0) {
    c.Fail(kLatency,
           proto + ": " + std::to_string(receiver->count()) + " of " + std::to_string(expected) +
               " callbacks " + run.error,
           &broker);
    return;
  }
  const std::vector<double> p =
      c.report().AddLatency(proto + " publish→callback", receiver->TakeLatenciesNs());
  const std::vector<double> ack =
      c.report().AddLatency(proto + " run: publish→ack (fsynced)", run.ack_latency_ns);
  Row row;
  row.scenario = std::string(kLatency) + " " + proto;
  row.figure = "publish→callback p50 / p99 / p99.9 at " + FormatNumber(o.latency_rate) +
               " events/s (" + FormatNumber(static_cast<double>(expected)) + " events)";
  row.measured = FormatMs(p[0]) + " / " + FormatMs(p[1]) + " / " + FormatMs(p[2]);
  row.baseline = "ack " + FormatMs(ack[0]) + " / " + FormatMs(ack[1]) + " / " + FormatMs(ack[2]);
  row.target = "p99 ≤ 5 ms";
  row.verdict = p[1] <= 5.0 ? Verdict::kPass : Verdict::kMiss;
  c.report().Add(row);
}

}  // namespace

void RunLatencyScenario(Context& c) {
  const Options& o = c.options();
  std::printf("[3/7] latency at a steady rate\n");
  // The floor: how long a record waits for its durable commit on this disk at the same rate,
  // from its due time, with group commit (lmdb_baseline.h).
  const LmdbLatencyResult raw =
      RunLmdbCommitLatency(c.NewDir("lmdb-latency"), o.latency_rate, o.latency_seconds,
                           MakeEvent("TextMessageCreated", "g", "e", 0, o.event_bytes));
  if (!raw.error.empty()) {
    c.report().AddError(kLatency, "raw LMDB group commit (the floor): " + raw.error);
  }
  const std::vector<double> floor =
      c.report().AddLatency("raw LMDB group commit (fsync)", raw.latencies_ns);
  Row row;
  row.scenario = kLatency;
  row.figure = "raw LMDB group commit (fsync): due→committed p50 / p99 / p99.9 at " +
               FormatNumber(o.latency_rate) + " records/s (the floor)";
  row.measured = FormatMs(floor[0]) + " / " + FormatMs(floor[1]) + " / " + FormatMs(floor[2]);
  c.report().AddNote("Latency floor: " + FormatNumber(static_cast<double>(raw.commits)) +
                     " raw commits for " +
                     FormatNumber(static_cast<double>(raw.latencies_ns.size())) +
                     " records; the slowest commit took " +
                     FormatMs(static_cast<double>(raw.slowest_commit_ns) / 1e6) +
                     ", and every record that came due meanwhile waited for it.");
  c.report().Add(row);
  auto broker = c.StartBroker(c.BrokerFor("latency"), kLatency);
  if (!broker) return;
  // The broker's ack alone: the same paced events on a group nobody subscribed to.
  PacedSpec spec;
  spec.endpoint = broker->ingest();
  spec.rate = o.latency_rate;
  spec.seconds = o.latency_seconds;
  spec.group = "latency-nobody";
  spec.event_bytes = o.event_bytes;
  spec.id_prefix = "latency-nobody";
  const LoadResult alone = RunPaced(spec);
  const std::vector<double> ack =
      c.report().AddLatency("publish→ack, no deliveries", alone.ack_latency_ns);
  Row ack_row;
  ack_row.scenario = kLatency;
  ack_row.figure = "publish→ack p50 / p99 / p99.9 at " + FormatNumber(o.latency_rate) +
                   "/s, no subscriber (no deliveries)";
  ack_row.measured = FormatMs(ack[0]) + " / " + FormatMs(ack[1]) + " / " + FormatMs(ack[2]);
  c.report().Add(ack_row);
  std::vector<std::unique_ptr<Receiver>> receivers;
  LatencyOne(c, *broker, false, &receivers);
  LatencyOne(c, *broker, true, &receivers);
  broker->Stop();
}

void RunFanoutScenario(Context& c) {
  const Options& o = c.options();
  std::printf("[4/7] fan-out to %d subscriptions\n", o.fanout);
  auto receiver = c.StartReceiver(c.ReceiverFor(false), kFanout);
  if (!receiver) return;
  auto broker = c.StartBroker(c.BrokerFor("fanout"), kFanout);
  if (!broker) return;
  const std::int64_t r0 = NowNs();
  const int registered = broker->RegisterMany(o.fanout, "fanout", receiver->url(), 4);
  const double register_seconds = static_cast<double>(NowNs() - r0) / 1e9;
  if (registered != o.fanout) {
    c.Fail(kFanout, "registered only " + std::to_string(registered), broker.get());
    return;
  }
  Row reg;
  reg.scenario = kFanout;
  reg.figure = "webhook registrations/s (REST, 4 keep-alive clients, no handshake)";
  reg.measured = FormatRate(registered / register_seconds);
  c.report().Add(reg);

  LoadSpec spec;
  spec.endpoint = broker->ingest();
  spec.total_events = 1;
  spec.event_bytes = o.event_bytes;
  spec.group = [](std::uint64_t) { return std::string("fanout"); };
  spec.id_prefix = "fanout";
  const std::int64_t t0 = NowNs();
  const LoadResult run = RunLoad(spec);
  const double ack_seconds = run.seconds;
  const auto expected = static_cast<std::uint64_t>(o.fanout);
  if (run.accepted != 1 || !receiver->WaitForCount(expected, std::chrono::seconds(120))) {
    c.Fail(kFanout,
           std::to_string(receiver->count()) + " of " + std::to_string(expected) + " callbacks " +
               run.error,
           broker.get());
    return;
  }
  const double first = static_cast<double>(receiver->first_ns() - t0) / 1e9;
  const double all = static_cast<double>(receiver->last_ns() - t0) / 1e9;
  Row row;
  row.scenario = kFanout;
  row.figure = "1 event → " + FormatNumber(o.fanout) +
               " callbacks: ack / first / all in (publish → last callback)";
  row.measured =
      FormatMs(ack_seconds * 1e3) + " / " + FormatMs(first * 1e3) + " / " + FormatSeconds(all);
  if (c.wrk_http_rate > 0) {
    // What the same number of POSTs takes at the raw rate wrk reached on this machine.
    const double raw = o.fanout / c.wrk_http_rate;
    row.baseline = FormatSeconds(raw) + " (N ÷ wrk HTTP rate)";
    char ratio[32];
    std::snprintf(ratio, sizeof(ratio), "%.2f", raw / all);
    row.ratio = ratio;
  } else {
    row.baseline = "-";
  }
  c.report().Add(row);
}

}  // namespace hookbench
