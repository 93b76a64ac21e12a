// 1. Durable ingest: events acknowledged per second (fsync on) by a fresh broker with no
// subscriptions, from several DEALER producers with many requests in flight, against raw LMDB
// batched appends of the same records in a separate environment. Diagnosis rows place the broker
// between two ceilings: the store's (the run's first ids through Store::CommitEvents in this
// process, in the broker's largest commits) and the transport's (a ROUTER that answers without
// parsing or storing); and the CPU floor, what those parts and the decoding cost per event, each
// measured alone: at that CPU per event, with the producers on the same cores and this load, the
// machine's cores carry no more, whatever pipeline joins the parts. It bounds the target's reach,
// not the broker's figure, which its pipeline holds below the floor.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "broker/ingest_server.h"
#include "tools/bench/echo_ingest.h"
#include "tools/bench/lmdb_baseline.h"
#include "tools/bench/producer.h"
#include "tools/bench/profiler.h"
#include "tools/bench/scenarios.h"
#include "tools/bench/seeding.h"

namespace hookbench {
namespace {

const char kScenario[] = "1. Durable ingest";

LoadSpec IngestSpec(const Options& o, const std::string& endpoint, int batch) {
  LoadSpec spec;
  spec.endpoint = endpoint;
  spec.producers = o.producers;
  spec.in_flight = o.in_flight;
  spec.batch = batch;
  spec.seconds = o.ingest_seconds;
  spec.event_bytes = o.event_bytes;
  spec.group = [](std::uint64_t n) { return "ingest-" + std::to_string(n % 100); };
  spec.id_prefix = "ingest-b" + std::to_string(batch);
  return spec;
}

}  // namespace

void RunIngestScenario(Context& c) {
  const Options& o = c.options();
  std::printf("[1/7] durable ingest\n");
  const std::string record = MakeEvent("TextMessageCreated", "ingest-0", "e-0", 0, o.event_bytes);
  // The disk of a shared machine varies from second to second: the median of three runs, each
  // in a fresh environment.
  std::vector<LmdbBaselineResult> runs;
  for (int i = 0; i < 3; ++i) {
    runs.push_back(
        RunLmdbBaseline(c.NewDir("lmdb-baseline"), o.baseline_records, o.baseline_per_txn, record));
    if (!runs.back().error.empty()) {
      c.Fail(kScenario, "raw LMDB baseline: " + runs.back().error, nullptr);
      return;
    }
  }
  std::sort(runs.begin(), runs.end(), [](const auto& a, const auto& b) {
    return a.records_per_second < b.records_per_second;
  });
  const LmdbBaselineResult base = runs[1];
  double transport_ceiling = 0;
  double transport_cpu_us = 0;  // producers, ZeroMQ and the ROUTER, per event
  c.report().AddNote("Raw LMDB baseline (" + FormatNumber(static_cast<double>(o.baseline_records)) +
                     " records of " + std::to_string(record.size()) + " bytes, " +
                     std::to_string(o.baseline_per_txn) + " per fsynced transaction): median of " +
                     "3 runs " + FormatRate(runs[1].records_per_second) + ", range " +
                     FormatRate(runs[0].records_per_second) + " – " +
                     FormatRate(runs[2].records_per_second) + ".");

  // The store's ceiling: the first ids the main run sends (as many as the raw baseline's records)
  // through Store::CommitEvents in this process, in the largest commits the broker can gather
  // from this load. Between the raw appends and the broker, it tells the store's layout (keys,
  // indexes) apart from the broker's pipeline (ZeroMQ, parsing, threads).
  const std::size_t in_flight_requests = static_cast<std::size_t>(o.producers * o.in_flight);
  const std::size_t store_per_txn =
      std::min(hookbroker::IngestServer::kMaxEventsPerCommit,
               std::min(hookbroker::IngestServer::kMaxRequestsPerCommit, in_flight_requests) *
                   static_cast<std::size_t>(o.batch));
  std::vector<StoreCeilingResult> store_runs;
  for (int i = 0; i < 3; ++i) {
    store_runs.push_back(RunStoreCeiling(c.NewDir("store-ceiling"), IngestSpec(o, "", o.batch),
                                         o.baseline_records, store_per_txn));
    if (!store_runs.back().error.empty()) {
      c.Fail(kScenario, "store ceiling: " + store_runs.back().error, nullptr);
      return;
    }
  }
  std::sort(store_runs.begin(), store_runs.end(),
            [](const auto& a, const auto& b) { return a.events_per_second < b.events_per_second; });
  const double store_ceiling = store_runs[1].events_per_second;
  c.report().AddRatio(kScenario,
                      "store ceiling: the run's first ids committed by Store::CommitEvents "
                      "in-process, " +
                          std::to_string(store_per_txn) +
                          "/txn (no ZeroMQ, parsing untimed; diagnosis)",
                      store_ceiling, base.records_per_second, "/s", 0, "(raw LMDB)");
  c.report().AddNote(
      "Store ceiling (the first " + FormatNumber(static_cast<double>(o.baseline_records)) +
      " ids the main run sends, " + std::to_string(store_per_txn) +
      " per Store::CommitEvents: the most the broker's group commit gathers from " +
      std::to_string(in_flight_requests) + " requests of " + std::to_string(o.batch) +
      "; fsync on, time inside CommitEvents only): median of 3 runs " +
      FormatRate(store_runs[1].events_per_second) + ", range " +
      FormatRate(store_runs[0].events_per_second) + " – " +
      FormatRate(store_runs[2].events_per_second) + ".");

  // The transport ceiling: the same producers against a ROUTER that answers without parsing or
  // storing. What the producers and ZeroMQ leave of the two cores bounds any broker.
  {
    EchoIngest echo(o.batch);
    std::string error;
    const std::string endpoint = echo.Start(&error);
    if (endpoint.empty()) {
      c.Fail(kScenario, error, nullptr);
      return;
    }
    const double cpu_before = CpuSeconds(getpid());
    const LoadResult ceiling = RunLoad(IngestSpec(o, endpoint, o.batch));
    const double cpu_used = CpuSeconds(getpid()) - cpu_before;
    echo.Stop();
    if (!ceiling.error.empty() || ceiling.accepted == 0) {
      c.Fail(kScenario, "transport ceiling: " + ceiling.error, nullptr);
      return;
    }
    c.report().AddRatio(kScenario,
                        "transport ceiling: events answered/s by a ROUTER that neither parses nor "
                        "stores (same producers)",
                        ceiling.rate(), base.records_per_second, "/s", 0, "(raw LMDB)");
    transport_ceiling = ceiling.rate();
    transport_cpu_us = 1e6 * cpu_used / static_cast<double>(ceiling.accepted);
  }

  // The CPU floor: each event costs at least the transport's CPU (both ends, nothing parsed; the
  // producers included, as they share the cores), its decoding and its share of the store's
  // commit in the largest commits, each measured alone above, the least of the store ceiling's
  // three runs for the last two. Left out: the broker's hand-over between threads, building its
  // answers, freeing its batches, and the kernel's work on other threads (journal, write-back).
  const long cores = std::max(1L, sysconf(_SC_NPROCESSORS_ONLN));
  double decode_us = store_runs[0].decode_cpu_us;
  double commit_us = store_runs[0].commit_cpu_us;
  for (const StoreCeilingResult& r : store_runs) {
    decode_us = std::min(decode_us, r.decode_cpu_us);
    commit_us = std::min(commit_us, r.commit_cpu_us);
  }
  const double floor_us = transport_cpu_us + decode_us + commit_us;
  if (floor_us > 0) {
    c.report().AddRatio(kScenario,
                        "CPU floor: events/s " + std::to_string(cores) +
                            " cores carry at the CPU per event of the transport, the decoding "
                            "and the store's commit, each measured alone (diagnosis)",
                        1e6 * static_cast<double>(cores) / floor_us, base.records_per_second, "/s",
                        0, "(raw LMDB)");
    char floor_note[640];
    std::snprintf(floor_note, sizeof(floor_note),
                  "Ingest CPU floor, µs of CPU per event: %.2f transport (the transport "
                  "ceiling's run: producers, ZeroMQ and the ROUTER), %.2f decoding "
                  "(DecodeIngestFrame of the same events in frames of the run's batch, the time "
                  "filled in), %.2f the store's commit (the store ceiling's thread inside "
                  "CommitEvents, its kernel work included; for these two the least of 3 runs) = "
                  "%.2f; at the target rate (%.0f events/s) that alone is %.2f cores of this "
                  "machine's %ld.",
                  transport_cpu_us, decode_us, commit_us, floor_us, 0.5 * base.records_per_second,
                  floor_us * 0.5 * base.records_per_second / 1e6, cores);
    c.report().AddNote(floor_note);
  }

  auto broker = c.StartBroker(c.BrokerFor("ingest"), kScenario);
  if (!broker) return;

  // Optional profile of the broker during the main run.
  Profiler profile(o.perf_dir, "ingest", broker->pid());
  const double cpu_before = CpuSeconds(broker->pid());
  const double producers_before = CpuSeconds(getpid());
  const LoadResult run = RunLoad(IngestSpec(o, broker->ingest(), o.batch));
  const double cpu_used = CpuSeconds(broker->pid()) - cpu_before;
  const double producers_used = CpuSeconds(getpid()) - producers_before;
  profile.Finish();
  if (!run.error.empty() || run.accepted == 0) {
    c.Fail(kScenario, "ingest run: " + (run.error.empty() ? "nothing accepted" : run.error),
           broker.get());
    return;
  }
  c.report().AddRatio(kScenario,
                      "events acked/s (fsync; batch " + std::to_string(o.batch) + ", " +
                          std::to_string(o.producers) + "×" + std::to_string(o.in_flight) +
                          " in flight)",
                      run.rate(), base.records_per_second, "/s", 0.5,
                      "(raw LMDB, " + std::to_string(o.baseline_per_txn) + "/txn)");
  c.report().AddBar("ingest (batch " + std::to_string(o.batch) + ")", run.rate(),
                    base.records_per_second);
  c.report().AddRatio(kScenario, "the same against the transport ceiling (diagnosis)", run.rate(),
                      transport_ceiling, "/s", 0, "(ROUTER answering unread)");
  c.report().AddRatio(kScenario, "the same against the store ceiling (diagnosis)", run.rate(),
                      store_ceiling, "/s", 0, "(Store::CommitEvents in-process)");
  char note[512];
  std::snprintf(note, sizeof(note),
                "Ingest (batch %d): the broker used %.2f CPU-seconds per wall second (%.0f%% of "
                "one core); %llu events acknowledged in %.2f s.",
                o.batch, cpu_used / run.seconds, 100 * cpu_used / run.seconds,
                static_cast<unsigned long long>(run.accepted), run.seconds);
  c.report().AddNote(note);
  // What the target would cost in CPU on this machine, from what each side spent per event.
  const double events = static_cast<double>(run.accepted);
  const double producer_us = 1e6 * producers_used / events;
  const double broker_us = 1e6 * cpu_used / events;
  const double target_rate = 0.5 * base.records_per_second;
  std::snprintf(note, sizeof(note),
                "Ingest CPU budget: the producers spent %.2f µs and the broker %.2f µs of CPU per "
                "event; at the target rate (%.0f events/s) they would need %.2f cores together, "
                "of this machine's %ld.",
                producer_us, broker_us, target_rate, (producer_us + broker_us) * target_rate / 1e6,
                cores);
  c.report().AddNote(note);

  // The same with one event per request: what a naive producer gets (no target).
  if (o.batch != 1) {
    const LoadResult single = RunLoad(IngestSpec(o, broker->ingest(), 1));
    if (single.error.empty() && single.accepted > 0) {
      c.report().AddRatio(kScenario,
                          "events acked/s (fsync; 1 event/request, " + std::to_string(o.producers) +
                              "×" + std::to_string(o.in_flight) + " in flight)",
                          single.rate(), base.records_per_second, "/s", 0, "(raw LMDB)");
      c.report().AddBar("ingest (batch 1)", single.rate(), base.records_per_second);
    } else {
      c.Fail(kScenario, "ingest run (batch 1): " + single.error, broker.get());
    }
  }
  broker->Stop();
}

}  // namespace hookbench
