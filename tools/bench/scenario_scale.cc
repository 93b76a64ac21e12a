// 6. Subscriptions at scale: a data folder seeded (Store API, before the broker starts) with N
// Group subscriptions (one per group s-0 .. s-N-1, type TextMessageCreated, all calling back the
// receiver), against the same with the reference count (1,000). Per run: time from process start
// to ready, resident memory, ingest rate (MemberAdded events on random seeded groups: every event
// is matched against the index, none delivered) and delivery rate (TextMessageCreated events on
// random seeded groups: one callback each, publish → last callback).
#include <cstdio>

#include "tools/bench/producer.h"
#include "tools/bench/profiler.h"
#include "tools/bench/scenarios.h"
#include "tools/bench/seeding.h"

namespace hookbench {
namespace {

const char kScenario[] = "6. Scale";

struct ScaleRun {
  bool ok = false;
  double seed_seconds = 0;
  double ready_seconds = 0;
  double healthz_seconds = 0;
  long rss_ready_kib = 0;
  long rss_end_kib = 0;
  long anon_end_kib = 0;  // heap etc.; the rest of VmRSS is mapped LMDB pages
  double ingest_rate = 0;
  double delivery_rate = 0;
};

std::uint64_t Mix(std::uint64_t x) {  // splitmix64: spreads event numbers over the groups
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

ScaleRun RunOnce(Context& c, std::size_t subscriptions) {
  const Options& o = c.options();
  ScaleRun result;
  const std::string label = FormatNumber(static_cast<double>(subscriptions)) + " subscriptions";
  auto receiver = c.StartReceiver(c.ReceiverFor(false), kScenario);
  if (!receiver) return result;
  BrokerConfig config = c.BrokerFor("scale-" + std::to_string(subscriptions));
  const std::int64_t s0 = NowNs();
  const std::string seeded = SeedSubscriptions(config.data_dir, subscriptions, "s-",
                                               {"TextMessageCreated"}, receiver->url());
  if (!seeded.empty()) {
    c.Fail(kScenario, "seeding: " + seeded, nullptr);
    return result;
  }
  result.seed_seconds = static_cast<double>(NowNs() - s0) / 1e9;
  auto broker = c.StartBroker(config, kScenario);
  if (!broker) return result;
  result.ready_seconds = broker->ready_seconds();
  result.healthz_seconds = broker->healthz_seconds();
  result.rss_ready_kib = ResidentKiB(broker->pid());

  LoadSpec ingest;
  ingest.endpoint = broker->ingest();
  ingest.producers = o.producers;
  ingest.in_flight = o.in_flight;
  ingest.batch = o.batch;
  ingest.seconds = o.scale_ingest_seconds;
  ingest.event_bytes = o.event_bytes;
  ingest.event_type = "MemberAdded";
  ingest.group = [subscriptions](std::uint64_t n) {
    return "s-" + std::to_string(Mix(n) % subscriptions);
  };
  ingest.id_prefix = "scale-ingest";
  // With --perf: where the ingest's time goes at this many subscriptions (the index lookups).
  Profiler profile(o.perf_dir, "scale-ingest-" + std::to_string(subscriptions), broker->pid());
  const LoadResult ingested = RunLoad(ingest);
  profile.Finish();
  if (!ingested.error.empty() || ingested.accepted == 0) {
    c.Fail(kScenario, label + " ingest: " + ingested.error, broker.get());
    return result;
  }
  result.ingest_rate = ingested.rate();
  broker->WaitIdle(std::chrono::milliseconds(300), std::chrono::seconds(30));

  LoadSpec deliver = ingest;
  deliver.seconds = 0;
  deliver.total_events = o.scale_events;
  deliver.producers = 1;
  deliver.in_flight = 8;
  deliver.batch = 100;
  deliver.event_type = "TextMessageCreated";
  deliver.id_prefix = "scale-deliver";
  const std::int64_t t0 = NowNs();
  const LoadResult published = RunLoad(deliver);
  const auto timeout = std::chrono::seconds(60 + static_cast<long>(o.scale_events / 200));
  if (published.accepted != o.scale_events || !receiver->WaitForCount(o.scale_events, timeout)) {
    c.Fail(kScenario,
           label + " delivery: " + std::to_string(receiver->count()) + " of " +
               std::to_string(o.scale_events) + " callbacks",
           broker.get());
    return result;
  }
  result.delivery_rate = static_cast<double>(receiver->count()) /
                         (static_cast<double>(receiver->last_ns() - t0) / 1e9);
  result.rss_end_kib = ResidentKiB(broker->pid());
  result.anon_end_kib = ResidentKiB(broker->pid(), "RssAnon:");
  broker->Stop();
  result.ok = true;
  return result;
}

}  // namespace

void RunScaleScenario(Context& c) {
  const Options& o = c.options();
  std::printf("[6/7] scale: %zu vs %zu subscriptions\n", o.subscriptions, o.scale_reference);
  const ScaleRun ref = RunOnce(c, o.scale_reference);
  if (!ref.ok) return;
  const ScaleRun big = RunOnce(c, o.subscriptions);
  if (!big.ok) return;
  const std::string n = FormatNumber(static_cast<double>(o.subscriptions));
  const std::string ref_name =
      "(" + FormatNumber(static_cast<double>(o.scale_reference)) + " subs)";
  c.report().AddRatio(kScenario,
                      "events acked/s with " + n + " subscriptions (matched, not delivered)",
                      big.ingest_rate, ref.ingest_rate, "/s", 0.9, ref_name);
  c.report().AddRatio(kScenario, "callbacks/s with " + n + " subscriptions (publish → last)",
                      big.delivery_rate, ref.delivery_rate, "/s", 0.9, ref_name);
  c.report().AddBar("ingest, " + n + " subs", big.ingest_rate, ref.ingest_rate);
  c.report().AddBar("delivery, " + n + " subs", big.delivery_rate, ref.delivery_rate);

  Row ready;
  ready.scenario = kScenario;
  ready.figure = "process start → ready line / → /healthz 200, " + n + " subscriptions";
  ready.measured = FormatSeconds(big.ready_seconds) + " / " + FormatSeconds(big.healthz_seconds);
  ready.baseline = FormatSeconds(ref.ready_seconds) + " " + ref_name;
  ready.target = "≤ 3 s";
  ready.verdict = big.healthz_seconds <= 3.0 ? Verdict::kPass : Verdict::kMiss;
  c.report().Add(ready);

  Row rss;
  rss.scenario = kScenario;
  rss.figure = "broker VmRSS at ready / after the runs (of which RssAnon), " + n + " subscriptions";
  auto mib = [](const ScaleRun& r) {
    return FormatNumber(r.rss_ready_kib / 1024.0) + " / " + FormatNumber(r.rss_end_kib / 1024.0) +
           " (" + FormatNumber(r.anon_end_kib / 1024.0) + ") MiB";
  };
  rss.measured = mib(big);
  rss.baseline = mib(ref) + " " + ref_name;
  c.report().Add(rss);

  char note[200];
  std::snprintf(note, sizeof(note),
                "Scale: seeding %s subscriptions through Store::PutSubscriptions took %.1f s.",
                n.c_str(), big.seed_seconds);
  c.report().AddNote(note);
}

}  // namespace hookbench
