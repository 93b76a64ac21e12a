// 5. Isolation: ten endpoints (ten receivers: ten origins), each with its own subscription; the
// same events are published in a burst to all. Run A: all healthy. Run B (fresh broker): the
// first endpoint hangs until the broker's --callback-timeout. The figure: the other endpoints'
// callbacks per second in B against the same endpoints in A.
#include <algorithm>
#include <cstdio>

#include "tools/bench/producer.h"
#include "tools/bench/scenarios.h"

namespace hookbench {
namespace {

const char kScenario[] = "5. Isolation";

// Callbacks/s at endpoints 1..K-1 (publish → their last callback), or 0 with an ERROR row.
double RunOnce(Context& c, bool first_hangs) {
  const Options& o = c.options();
  const int k = o.isolation_endpoints;
  std::vector<std::unique_ptr<Receiver>> receivers;
  for (int i = 0; i < k; ++i) {
    ReceiverOptions options = c.ReceiverFor(false);
    options.hang = first_hangs && i == 0;
    auto r = c.StartReceiver(options, kScenario);
    if (!r) return 0;
    receivers.push_back(std::move(r));
  }
  BrokerConfig config = c.BrokerFor(first_hangs ? "isolation-hanging" : "isolation-healthy");
  config.callback_timeout = o.callback_timeout;
  auto broker = c.StartBroker(config, kScenario);
  if (!broker) return 0;
  for (int i = 0; i < k; ++i) {
    std::string error;
    if (!broker->RegisterGroupWebhook("iso-" + std::to_string(i), receivers[i]->url(), R"(["*"])",
                                      &error)) {
      c.Fail(kScenario, "register: " + error, broker.get());
      return 0;
    }
  }
  LoadSpec spec;
  spec.endpoint = broker->ingest();
  spec.producers = 1;
  spec.in_flight = 8;
  spec.batch = 50;
  spec.total_events = o.isolation_events * static_cast<std::size_t>(k);
  spec.event_bytes = o.event_bytes;
  spec.group = [k](std::uint64_t n) { return "iso-" + std::to_string(n % k); };
  spec.id_prefix = "iso";
  const std::int64_t t0 = NowNs();
  const LoadResult run = RunLoad(spec);
  if (run.accepted != spec.total_events) {
    c.Fail(kScenario, "publish: " + run.error, broker.get());
    return 0;
  }
  std::int64_t last = 0;
  std::uint64_t total = 0;
  for (int i = 1; i < k; ++i) {
    if (!receivers[i]->WaitForCount(o.isolation_events, std::chrono::seconds(120))) {
      c.Fail(kScenario,
             std::string(first_hangs ? "hanging" : "healthy") + " run: endpoint " +
                 std::to_string(i) + " got " + std::to_string(receivers[i]->count()),
             broker.get());
      return 0;
    }
    last = std::max(last, receivers[i]->last_ns());
    total += receivers[i]->count();
  }
  receivers[0]->Release();
  broker->Stop();
  return static_cast<double>(total) / (static_cast<double>(last - t0) / 1e9);
}

}  // namespace

void RunIsolationScenario(Context& c) {
  const Options& o = c.options();
  std::printf("[5/7] isolation: %d endpoints, one hanging\n", o.isolation_endpoints);
  const double healthy = RunOnce(c, false);
  if (healthy <= 0) return;
  const double hanging = RunOnce(c, true);
  if (hanging <= 0) return;
  c.report().AddRatio(kScenario,
                      std::to_string(o.isolation_endpoints - 1) +
                          " healthy endpoints' callbacks/s, 1 hanging (timeout " +
                          std::to_string(o.callback_timeout) + " s)",
                      hanging, healthy, "/s", 0.9, "(all healthy)");
  c.report().AddBar("isolation (9 healthy)", hanging, healthy);
}

}  // namespace hookbench
