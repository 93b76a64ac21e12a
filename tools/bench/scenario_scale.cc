// 6. Subscriptions at scale: a data folder seeded (Store API, before the broker starts) with N
// Group subscriptions (one per group s-0 .. s-N-1, type TextMessageCreated, all calling back the
// receiver), against the same with the reference count (1,000). Per size: time from process start
// to ready, resident memory, ingest rate (MemberAdded events on random seeded groups: every event
// is matched against the index, none delivered) and delivery rate (TextMessageCreated events on
// random seeded groups, or with --scale-delivery-groups M on random ones of the first M: one
// callback each, publish → last callback; the notes give each round's publishing time and the
// broker's CPU per callback).
//
// Both brokers stay up, and the measurements alternate between them in the order reference, N,
// N, reference, reference, N, N, reference, each figure the mean of its four rounds (the ingest
// after one unmeasured second of ingest on each side): the machine's neighbours and the state both
// brokers share (the page cache, the disk's writeback of the other side's round) change over
// seconds and over the run, and alternating spreads that over both sides. Swapping the order every
// round keeps a drift that is steady over the run from always weighing on the side measured second;
// the warm-up keeps the first rounds of fresh brokers, often much faster, out of the means.
#include <algorithm>
#include <array>
#include <cstdio>
#include <functional>

#include "tools/bench/child_process.h"
#include "tools/bench/producer.h"
#include "tools/bench/profiler.h"
#include "tools/bench/scenarios.h"
#include "tools/bench/seeding.h"

namespace hookbench {
namespace {

const char kScenario[] = "6. Scale";
constexpr int kRounds = 4;
static_assert(kRounds % 2 == 0, "RoundOrder balances the sides over pairs of rounds");

// One side of the comparison: a receiver and a broker over N seeded subscriptions.
struct ScaleSide {
  std::size_t subscriptions = 0;
  std::string label;
  std::unique_ptr<Receiver> receiver;
  std::unique_ptr<Broker> broker;
  double seed_seconds = 0;
  double ready_seconds = 0;
  double healthz_seconds = 0;
  long rss_ready_kib = 0;
  long rss_end_kib = 0;
  long anon_end_kib = 0;  // heap etc.; the rest of VmRSS is mostly mapped LMDB pages
  std::vector<double> ingest_rates;
  std::vector<double> delivery_rates;
  // Per delivery round: the publishing (first send to last acknowledgement; the broker matches,
  // stores and routes each event before it acknowledges it) and the broker's CPU (user + system)
  // over the round, in µs per callback: where a slower round's time went.
  std::vector<double> publish_seconds;
  std::vector<double> cpu_us_per_callback;
};

// The mean of a side's rounds. With the sides' order swapped every round (RoundOrder), a drift that
// is steady over the run adds the same to both sides' means, which a median does not ensure.
double Mean(const std::vector<double>& v) {
  if (v.empty()) return 0;
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

std::string Rounds(const std::vector<double>& v, std::string (*format)(double) = FormatNumber) {
  std::string out;
  for (double x : v) out += (out.empty() ? "" : ", ") + format(x);
  return out;
}

std::uint64_t Mix(std::uint64_t x) {  // splitmix64: spreads event numbers over the groups
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Seeds the data folder and starts the side's receiver and broker; false (reported) on failure.
bool Prepare(Context& c, std::size_t subscriptions, ScaleSide* side) {
  side->subscriptions = subscriptions;
  side->label = FormatNumber(static_cast<double>(subscriptions)) + " subscriptions";
  side->receiver = c.StartReceiver(c.ReceiverFor(false), kScenario);
  if (!side->receiver) return false;
  BrokerConfig config = c.BrokerFor("scale-" + std::to_string(subscriptions));
  const std::int64_t s0 = NowNs();
  const std::string seeded = SeedSubscriptions(config.data_dir, subscriptions, "s-",
                                               {"TextMessageCreated"}, side->receiver->url());
  if (!seeded.empty()) {
    c.Fail(kScenario, "seeding: " + seeded, nullptr);
    return false;
  }
  side->seed_seconds = static_cast<double>(NowNs() - s0) / 1e9;
  side->broker = c.StartBroker(config, kScenario);
  if (!side->broker) return false;
  side->ready_seconds = side->broker->ready_seconds();
  side->healthz_seconds = side->broker->healthz_seconds();
  side->rss_ready_kib = ResidentKiB(side->broker->pid());
  return true;
}

// The group of event n in sequence `stream`: each round and kind of load draws its own random
// groups, since a round that repeated the last one's would find their pages and decoded
// subscriptions still in the caches.
std::function<std::string(std::uint64_t)> RandomGroups(std::size_t subscriptions, int stream) {
  const std::uint64_t offset = static_cast<std::uint64_t>(stream + 1) << 40;
  return [subscriptions, offset](std::uint64_t n) {
    return "s-" + std::to_string(Mix(n + offset) % subscriptions);
  };
}

// How many of the side's subscriptions a delivery round draws its groups from: all of them, or
// the first --scale-delivery-groups (a diagnosis: the store keeps its size while fewer
// subscriptions are in play, each called back more often, as on the reference side).
std::size_t DeliveryGroups(const Options& o, const ScaleSide& side) {
  if (o.scale_delivery_groups == 0) return side.subscriptions;
  return std::min(side.subscriptions, o.scale_delivery_groups);
}

// The two sides of round `round` in the order they run: the reference first in even rounds, N
// first in odd ones.
std::array<ScaleSide*, 2> RoundOrder(int round, ScaleSide* ref, ScaleSide* big) {
  if (round % 2 == 0) return {ref, big};
  return {big, ref};  // also the warm-up (round -1): the reference then opens the measured rounds
}

// "reference first, N first, ...": RoundOrder over the measured rounds, for the notes.
std::string Orders(ScaleSide* ref, ScaleSide* big) {
  std::string out;
  for (int round = 0; round < kRounds; ++round) {
    if (round > 0) out += ", ";
    out += RoundOrder(round, ref, big)[0] == ref ? "reference first" : "N first";
  }
  return out;
}

// With --perf, a profile of the side's broker during its first round of `phase`.
std::unique_ptr<Profiler> FirstRoundProfile(const Options& o, const std::string& phase,
                                            const ScaleSide& side, int round) {
  if (round != 0) return nullptr;
  return std::make_unique<Profiler>(o.perf_dir, phase + "-" + std::to_string(side.subscriptions),
                                    side.broker->pid());
}

LoadSpec Load(const Options& o, const ScaleSide& side, int round) {
  LoadSpec spec;
  spec.endpoint = side.broker->ingest();
  spec.producers = o.producers;
  spec.in_flight = o.in_flight;
  spec.batch = o.batch;
  spec.seconds = o.scale_ingest_seconds;
  spec.event_bytes = o.event_bytes;
  spec.event_type = "MemberAdded";
  spec.group = RandomGroups(side.subscriptions, round);
  spec.id_prefix = "scale-ingest-" + std::to_string(round);
  return spec;
}

// The unmeasured round before the measured ones: groups of their own, at most a second.
constexpr int kWarmUp = -1;

bool IngestRound(Context& c, int round, ScaleSide* side) {
  LoadSpec ingest = Load(c.options(), *side, round);
  if (round == kWarmUp) {
    ingest.group = RandomGroups(side->subscriptions, 2 * kRounds);
    ingest.id_prefix = "scale-ingest-warm-up";
    ingest.seconds = std::min(ingest.seconds, 1.0);
  }
  // Where the ingest's time goes at this many subscriptions.
  const auto profile = FirstRoundProfile(c.options(), "scale-ingest", *side, round);
  const LoadResult ingested = RunLoad(ingest);
  if (profile) profile->Finish();
  if (!ingested.error.empty() || ingested.accepted == 0) {
    c.Fail(kScenario, side->label + " ingest: " + ingested.error, side->broker.get());
    return false;
  }
  if (round != kWarmUp) side->ingest_rates.push_back(ingested.rate());
  side->broker->WaitIdle(std::chrono::milliseconds(300), std::chrono::seconds(30));
  return true;
}

bool DeliveryRound(Context& c, int round, ScaleSide* side) {
  const Options& o = c.options();
  LoadSpec deliver = Load(o, *side, round);
  deliver.seconds = 0;
  deliver.total_events = o.scale_events;
  deliver.producers = 1;
  deliver.in_flight = 8;
  deliver.batch = 100;
  deliver.event_type = "TextMessageCreated";
  deliver.id_prefix = "scale-deliver-" + std::to_string(round);
  deliver.group = RandomGroups(DeliveryGroups(o, *side), kRounds + round);
  const std::uint64_t before = side->receiver->count();
  const std::uint64_t want = before + o.scale_events;
  const auto profile = FirstRoundProfile(o, "scale-deliver", *side, round);
  const double cpu_before = CpuSeconds(side->broker->pid());
  const std::int64_t t0 = NowNs();
  const LoadResult published = RunLoad(deliver);
  const auto timeout = std::chrono::seconds(60 + static_cast<long>(o.scale_events / 200));
  const bool all_in = side->receiver->WaitForCount(want, timeout);
  const double cpu_used = CpuSeconds(side->broker->pid()) - cpu_before;
  if (profile) profile->Finish();
  if (published.accepted != o.scale_events || !all_in) {
    c.Fail(kScenario,
           side->label + " delivery: " + std::to_string(side->receiver->count() - before) + " of " +
               std::to_string(o.scale_events) + " callbacks",
           side->broker.get());
    return false;
  }
  side->delivery_rates.push_back(static_cast<double>(o.scale_events) /
                                 (static_cast<double>(side->receiver->last_ns() - t0) / 1e9));
  side->publish_seconds.push_back(published.seconds);
  side->cpu_us_per_callback.push_back(cpu_used * 1e6 / static_cast<double>(o.scale_events));
  // The attempts' records are written after the callbacks: not during the other side's round.
  side->broker->WaitIdle(std::chrono::milliseconds(300), std::chrono::seconds(30));
  return true;
}

}  // namespace

void RunScaleScenario(Context& c) {
  const Options& o = c.options();
  std::printf("[6/7] scale: %zu vs %zu subscriptions, %d alternating rounds\n", o.subscriptions,
              o.scale_reference, kRounds);
  ScaleSide ref;
  ScaleSide big;
  if (!Prepare(c, o.scale_reference, &ref) || !Prepare(c, o.subscriptions, &big)) return;
  for (int round = kWarmUp; round < kRounds; ++round) {
    for (ScaleSide* side : RoundOrder(round, &ref, &big)) {
      if (!IngestRound(c, round, side)) return;
    }
  }
  for (int round = 0; round < kRounds; ++round) {
    for (ScaleSide* side : RoundOrder(round, &ref, &big)) {
      if (!DeliveryRound(c, round, side)) return;
    }
  }
  for (ScaleSide* side : {&ref, &big}) {
    side->rss_end_kib = ResidentKiB(side->broker->pid());
    side->anon_end_kib = ResidentKiB(side->broker->pid(), "RssAnon:");
    side->broker->Stop();
  }
  const double big_ingest = Mean(big.ingest_rates);
  const double ref_ingest = Mean(ref.ingest_rates);
  const double big_delivery = Mean(big.delivery_rates);
  const double ref_delivery = Mean(ref.delivery_rates);
  const std::string n = FormatNumber(static_cast<double>(o.subscriptions));
  const std::string ref_name =
      "(" + FormatNumber(static_cast<double>(o.scale_reference)) + " subs)";
  c.report().AddRatio(kScenario,
                      "events acked/s with " + n + " subscriptions (matched, not delivered)",
                      big_ingest, ref_ingest, "/s", 0.9, ref_name);
  const bool all_groups =
      DeliveryGroups(o, big) == big.subscriptions && DeliveryGroups(o, ref) == ref.subscriptions;
  if (all_groups) {
    c.report().AddRatio(kScenario, "callbacks/s with " + n + " subscriptions (publish → last)",
                        big_delivery, ref_delivery, "/s", 0.9, ref_name);
  } else {  // not the figure the target is about: no verdict
    c.report().AddRatio(kScenario,
                        "callbacks/s with " + n + " subscriptions, rounds on the first " +
                            FormatNumber(static_cast<double>(DeliveryGroups(o, big))) +
                            " of its groups (the reference on " +
                            FormatNumber(static_cast<double>(DeliveryGroups(o, ref))) +
                            "; publish → last; diagnosis)",
                        big_delivery, ref_delivery, "/s", 0, ref_name);
  }
  c.report().AddBar("ingest, " + n + " subs", big_ingest, ref_ingest);
  c.report().AddBar(all_groups ? "delivery, " + n + " subs"
                               : "delivery, " + n + " subs, first " +
                                     FormatNumber(static_cast<double>(DeliveryGroups(o, big))),
                    big_delivery, ref_delivery);

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
  auto mib = [](const ScaleSide& r) {
    return FormatNumber(r.rss_ready_kib / 1024.0) + " / " + FormatNumber(r.rss_end_kib / 1024.0) +
           " (" + FormatNumber(r.anon_end_kib / 1024.0) + ") MiB";
  };
  rss.measured = mib(big);
  rss.baseline = mib(ref) + " " + ref_name;
  // The target is read as the broker's own memory, its anonymous pages (heap, stacks, the scope
  // filter): the rest of VmRSS is mostly the LMDB file mapped read-only, page cache that the
  // kernel shares and reclaims under pressure, and that grows with whatever the runs read.
  constexpr long kMemoryTargetKiB = 512 * 1024;
  rss.target = "≤ 512 MiB (RssAnon)";
  if (big.anon_end_kib <= 0) {
    rss.verdict = Verdict::kError;  // not read (the broker had gone): no figure to judge
  } else {
    rss.verdict = big.anon_end_kib <= kMemoryTargetKiB ? Verdict::kPass : Verdict::kMiss;
  }
  c.report().Add(rss);

  char note[200];
  std::snprintf(note, sizeof(note),
                "Scale: seeding %s subscriptions through Store::PutSubscriptions took %.1f s.",
                n.c_str(), big.seed_seconds);
  c.report().AddNote(note);
  c.report().AddNote(
      "Scale: means of " + std::to_string(kRounds) +
      " rounds, alternating between the two brokers (order per round: " + Orders(&ref, &big) +
      "; the ingest after an unmeasured warm-up round of each). Ingest /s: " +
      Rounds(ref.ingest_rates) + " (" + ref.label + "); " + Rounds(big.ingest_rates) + " (" +
      big.label + "). Callbacks /s: " + Rounds(ref.delivery_rates) + "; " +
      Rounds(big.delivery_rates) + ".");
  c.report().AddNote(
      "Scale: delivery rounds, publishing (first send → last acknowledgement): " +
      Rounds(ref.publish_seconds, FormatSeconds) + " (" + ref.label + "); " +
      Rounds(big.publish_seconds, FormatSeconds) + " (" + big.label +
      "). Broker CPU per callback (user + system, µs): " + Rounds(ref.cpu_us_per_callback) + "; " +
      Rounds(big.cpu_us_per_callback) + ".");
}

}  // namespace hookbench
