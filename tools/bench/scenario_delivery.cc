// 2. Delivery: callbacks received per second by the receiver, over HTTP and HTTPS, against wrk
// POSTing the same body on a receiver of the same configuration with as many keep-alive
// connections as the broker may use (--endpoint-concurrency).
//
// The broker run measures delivery alone: after a warm-up (connections open), the subscription
// is paused while the events are published (their deliveries are stored and held), and the
// clock starts when it is resumed.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "tools/bench/child_process.h"
#include "tools/bench/client_baseline.h"
#include "tools/bench/producer.h"
#include "tools/bench/profiler.h"
#include "tools/bench/scenarios.h"
#include "tools/bench/wrk_runner.h"

namespace hookbench {
namespace {

const char kScenario[] = "2. Delivery";

// Where each side's CPU goes, per request, in both runs, and what that leaves the broker.
// While both runs keep the cores busy, the ratio of the rates is the inverse ratio of the CPU
// spent per request by everything on the machine: (wrk + its receiver) / (broker + its
// receiver). The note gives that predicted ratio and how busy the cores were in each run (the
// CPU of both sides over the wall time and the cores; the rest is idle or other tenants'), so the
// assumption is checked every run, and the broker CPU per callback at which the prediction would
// reach the target: (wrk + receiver under wrk) / target - (receiver under the broker).
struct SideCpu {
  double client_us = 0;    // per request
  double receiver_us = 0;  // per request
  double busy = 0;         // both sides' CPU-seconds per wall second per core
};

std::string CpuPerRequestNote(const std::string& proto, double target, const SideCpu& broker,
                              const SideCpu& wrk) {
  const double broker_total = broker.client_us + broker.receiver_us;
  const double wrk_total = wrk.client_us + wrk.receiver_us;
  char note[900];
  std::snprintf(note, sizeof(note),
                "Delivery %s, CPU per request (µs, user + system): broker %.1f + its receiver %.1f "
                "= %.1f, cores %.0f %% busy; wrk %.1f + its receiver %.1f = %.1f, cores %.0f %% "
                "busy. Predicted by the CPU alone: a ratio of %.2f; a ratio of %.1f would need the "
                "broker at %.1f µs or less per callback at this receiver cost.",
                proto.c_str(), broker.client_us, broker.receiver_us, broker_total,
                100 * broker.busy, wrk.client_us, wrk.receiver_us, wrk_total, 100 * wrk.busy,
                wrk_total / broker_total, target, wrk_total / target - broker.receiver_us);
  return note;
}

void RunOne(Context& c, bool tls) {
  const Options& o = c.options();
  const std::string proto = tls ? "HTTPS" : "HTTP";
  const double target = tls ? 0.5 : 0.6;
  const double cores = static_cast<double>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  const std::string scenario = std::string(kScenario) + " " + proto;
  auto receiver = c.StartReceiver(c.ReceiverFor(tls), scenario);
  if (!receiver) return;
  auto broker = c.StartBroker(c.BrokerFor(tls ? "delivery-https" : "delivery-http"), scenario);
  if (!broker) return;
  std::string error;
  auto id = broker->RegisterGroupWebhook("delivery", receiver->url(), R"(["*"])", &error);
  if (!id) {
    c.Fail(scenario, "register: " + error, broker.get());
    return;
  }
  LoadSpec spec;
  spec.endpoint = broker->ingest();
  spec.producers = 1;
  spec.in_flight = 8;
  spec.batch = 100;
  spec.event_bytes = o.event_bytes;
  spec.group = [](std::uint64_t) { return std::string("delivery"); };
  // Warm-up, not counted: opens the broker's connections to the receiver (for https each new
  // client loads the CA store and handshakes: ~0.1 s, see the latency notes).
  spec.total_events = 200;
  spec.id_prefix = "delivery-warm";
  if (RunLoad(spec).accepted != spec.total_events ||
      !receiver->WaitForCount(spec.total_events, std::chrono::seconds(30)) ||
      !broker->SetPaused(*id, true)) {
    c.Fail(scenario, "warm-up failed", broker.get());
    return;
  }
  spec.total_events = o.delivery_events;
  spec.id_prefix = "delivery";
  const LoadResult published = RunLoad(spec);
  if (published.accepted != o.delivery_events) {
    c.Fail(scenario,
           "publish: " + std::to_string(published.accepted) + " of " +
               std::to_string(o.delivery_events) + " accepted " + published.error,
           broker.get());
    return;
  }
  // Every delivery comes due at once and is parked; wait until the broker is quiet.
  broker->WaitIdle(std::chrono::milliseconds(400), std::chrono::seconds(120));
  receiver->Reset();
  Profiler profile(o.perf_dir, tls ? "delivery-https" : "delivery-http", broker->pid());
  const double cpu_before = CpuSeconds(broker->pid());
  // The receiver runs in this process, which does nothing else meanwhile but wait.
  const double receiver_cpu_before = CpuSeconds(getpid());
  const std::int64_t t0 = NowNs();
  if (!broker->SetPaused(*id, false)) {
    c.Fail(scenario, "resume failed", broker.get());
    return;
  }
  const auto timeout = std::chrono::seconds(60 + static_cast<long>(o.delivery_events / 200));
  if (!receiver->WaitForCount(o.delivery_events, timeout)) {
    c.Fail(scenario,
           "only " + std::to_string(receiver->count()) + " of " +
               std::to_string(o.delivery_events) + " callbacks arrived",
           broker.get());
    return;
  }
  const double seconds = static_cast<double>(receiver->last_ns() - t0) / 1e9;
  const double rate = static_cast<double>(receiver->count()) / seconds;
  const double cpu_used = CpuSeconds(broker->pid()) - cpu_before;
  const double receiver_cpu_used = CpuSeconds(getpid()) - receiver_cpu_before;
  const double callbacks = static_cast<double>(receiver->count());
  profile.Finish();
  // CPU per callback depends less on how busy the machine's other tenants are than the rates do
  // (it still moves with them, docs/PERFORMANCE.md): the figure to compare between builds.
  char note[256];
  std::snprintf(note, sizeof(note),
                "Delivery %s: the broker used %.1f µs of CPU per callback (%.2f CPU-seconds per "
                "wall second) delivering %llu callbacks.",
                proto.c_str(), 1e6 * cpu_used / callbacks, cpu_used / seconds,
                static_cast<unsigned long long>(callbacks));
  c.report().AddNote(note);
  const std::string body = receiver->sample_body();
  broker->Stop();
  receiver->Stop();

  // The baseline: wrk with the very body the broker sent, on a fresh receiver (so that the
  // broker's idle kept-alive connections hold no pool threads).
  auto wrk_receiver = c.StartReceiver(c.ReceiverFor(tls), scenario);
  if (!wrk_receiver) return;
  const double wrk_receiver_cpu_before = CpuSeconds(getpid());
  const std::int64_t wrk_t0 = NowNs();
  const WrkResult wrk = RunWrk(wrk_receiver->url(), body, o.endpoint_concurrency, o.wrk_seconds,
                               c.work_dir() + "/wrk-" + proto + ".lua");
  const double wrk_seconds = static_cast<double>(NowNs() - wrk_t0) / 1e9;
  const double wrk_receiver_cpu_used = CpuSeconds(getpid()) - wrk_receiver_cpu_before;
  if (!wrk.error.empty()) {
    c.Fail(scenario, wrk.error, broker.get());
    return;
  }
  if (wrk.requests > 0) {
    SideCpu broker_side{1e6 * cpu_used / callbacks, 1e6 * receiver_cpu_used / callbacks,
                        (cpu_used + receiver_cpu_used) / (seconds * cores)};
    SideCpu wrk_side{1e6 * wrk.cpu_seconds / wrk.requests,
                     1e6 * wrk_receiver_cpu_used / wrk.requests,
                     (wrk.cpu_seconds + wrk_receiver_cpu_used) / (wrk_seconds * cores)};
    c.report().AddNote(CpuPerRequestNote(proto, target, broker_side, wrk_side));
  }
  c.report().AddRatio(scenario,
                      "callbacks/s received (" + std::to_string(o.endpoint_concurrency) +
                          " connections, " + std::to_string(body.size()) + "-byte body)",
                      rate, wrk.requests_per_second, "/s", target, "(wrk, same connections)");
  c.report().AddBar("delivery " + proto, rate, wrk.requests_per_second);

  // The same against cpp-httplib's client, which the broker sent callbacks with before
  // SocketSender (no target: a diagnosis).
  auto client_receiver = c.StartReceiver(c.ReceiverFor(tls), scenario);
  if (!client_receiver) return;
  const ClientBaselineResult client = RunClientBaseline(
      client_receiver->base_url(), c.ca_file(), body, o.endpoint_concurrency, o.wrk_seconds);
  if (!client.error.empty()) {
    c.Fail(scenario, "client baseline: " + client.error, broker.get());
    return;
  }
  c.report().AddRatio(scenario,
                      "callbacks/s vs cpp-httplib Client, " +
                          std::to_string(o.endpoint_concurrency) + " threads (diagnosis)",
                      rate, client.requests_per_second, "/s", 0, "(httplib client)");
  c.report().AddBar("httplib client " + proto, rate, client.requests_per_second);
  if (!tls) {
    c.wrk_http_rate = wrk.requests_per_second;
    c.broker_http_rate = rate;
  }
}

}  // namespace

void RunDeliveryScenario(Context& c) {
  std::printf("[2/7] delivery HTTP and HTTPS\n");
  RunOne(c, false);
  RunOne(c, true);
}

}  // namespace hookbench
