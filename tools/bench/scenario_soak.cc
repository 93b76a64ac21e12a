// Soak (issue 5, "Load"): a steady rate for a long time with some endpoints failing part of the
// time. The broker's resident memory, open file descriptors and threads are sampled every 10 s
// and must stay flat; at the end every acknowledged event must have reached its endpoint.
//
// Each event goes to one of `soak_endpoints` groups, one webhook (and one receiver) per group.
// The failing receivers have outages: 503 to every POST for 20 s of every 60 s. The broker's
// retry schedule outlasts an outage, so nothing may end as failed.
//
// Every sample is also written to OUT/soak-samples.tsv (seconds, VmRSS, RssAnon, fds, threads),
// so a heap that grows can be told from one that plateaus.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tools/bench/child_process.h"
#include "tools/bench/producer.h"
#include "tools/bench/scenarios.h"

namespace hookbench {
namespace {

const char kScenario[] = "8. Soak";

struct Sample {
  double at_s = 0;
  long rss_kib = 0;
  long anon_kib = 0;
  long fds = 0;
  long threads = 0;
};

long OpenFds(pid_t pid) {
  std::error_code ec;
  long n = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++n;
  }
  return n;
}

Sample Take(pid_t pid, double at_s) {
  return Sample{at_s, ResidentKiB(pid), ResidentKiB(pid, "RssAnon:"), OpenFds(pid),
                ResidentKiB(pid, "Threads:")};
}

std::string Mib(long kib) { return FormatNumber(static_cast<double>(kib) / 1024.0) + " MiB"; }

// One row per sample, tab-separated, with a header; false when the file cannot be written.
bool WriteSamples(const std::string& path, const std::vector<Sample>& samples) {
  std::ofstream out(path);
  out << "seconds\trss_kib\tanon_kib\tfds\tthreads\n";
  for (const Sample& s : samples) {
    out << s.at_s << '\t' << s.rss_kib << '\t' << s.anon_kib << '\t' << s.fds << '\t' << s.threads
        << '\n';
  }
  return static_cast<bool>(out);
}

}  // namespace

void RunSoakScenario(Context& c) {
  const Options& o = c.options();
  std::printf("[8] soak: %.1f min at %d events/s, %d of %d endpoints with outages\n",
              o.soak_minutes, o.soak_rate, o.soak_failing, o.soak_endpoints);
  std::vector<std::unique_ptr<Receiver>> receivers;
  for (int i = 0; i < o.soak_endpoints; ++i) {
    ReceiverOptions options = c.ReceiverFor(false);
    options.track_events = true;
    if (i < o.soak_failing) {
      options.outage_period_s = 60;
      options.outage_s = 20;
    }
    auto r = c.StartReceiver(options, kScenario);
    if (!r) return;
    receivers.push_back(std::move(r));
  }
  BrokerConfig config = c.BrokerFor("soak");
  // Retries outlast a 20 s outage (and the breaker's probes) by far: nothing should fail.
  config.extra = {"--retry-schedule", "1,2,5,10,20,30,60,60,120,300"};
  auto broker = c.StartBroker(config, kScenario);
  if (!broker) return;
  for (int i = 0; i < o.soak_endpoints; ++i) {
    std::string error;
    if (!broker->RegisterGroupWebhook("soak-" + std::to_string(i), receivers[i]->url(), R"(["*"])",
                                      &error)) {
      c.Fail(kScenario, "register: " + error, broker.get());
      return;
    }
  }

  std::vector<Sample> samples;
  std::atomic<bool> sampling{true};
  const std::int64_t t0 = NowNs();
  std::thread sampler([&] {
    while (sampling.load()) {
      samples.push_back(Take(broker->pid(), static_cast<double>(NowNs() - t0) / 1e9));
      for (int i = 0; i < 100 && sampling.load(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
  });
  PacedSpec spec;
  spec.endpoint = broker->ingest();
  spec.rate = o.soak_rate;
  spec.seconds = o.soak_minutes * 60;
  spec.group = "soak";
  spec.groups = o.soak_endpoints;
  spec.event_bytes = o.event_bytes;
  spec.id_prefix = "soak";
  const LoadResult run = RunPaced(spec);
  const std::uint64_t published = static_cast<std::uint64_t>(spec.seconds * spec.rate);

  // Drain: every endpoint must have every event sent to it (the outages' retries included).
  auto delivered = [&] {
    std::uint64_t n = 0;
    for (const auto& r : receivers) n += r->distinct_events();
    return n;
  };
  const auto drain_until = std::chrono::steady_clock::now() + std::chrono::minutes(10);
  while (delivered() < run.accepted && std::chrono::steady_clock::now() < drain_until &&
         broker->Died().empty()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  const double drained_s = static_cast<double>(NowNs() - t0) / 1e9 - spec.seconds;
  sampling = false;
  sampler.join();
  const std::string samples_file =
      (std::filesystem::absolute(o.out_dir) / "soak-samples.tsv").string();
  if (!WriteSamples(samples_file, samples)) {
    c.report().AddError(kScenario, "cannot write " + samples_file);
  }
  if (!broker->Died().empty()) {
    c.Fail(kScenario, "the broker died", broker.get());
    return;
  }
  std::uint64_t duplicates = 0, refused = 0;
  for (const auto& r : receivers) {
    duplicates += r->duplicates();
    refused += r->refused();
  }
  const std::uint64_t got = delivered();
  const std::uint64_t lost = run.accepted > got ? run.accepted - got : 0;

  Report& report = c.report();
  char text[256];
  std::snprintf(text, sizeof(text), "%s acked of %s published; %s delivered (%s lost)",
                FormatNumber(static_cast<double>(run.accepted)).c_str(),
                FormatNumber(static_cast<double>(published)).c_str(),
                FormatNumber(static_cast<double>(got)).c_str(),
                FormatNumber(static_cast<double>(lost)).c_str());
  char minutes[32];
  std::snprintf(minutes, sizeof(minutes), "%g", o.soak_minutes);
  report.Add(Row{kScenario,
                 "events, " + std::string(minutes) + " min at " + FormatNumber(o.soak_rate) +
                     "/s, " + std::to_string(o.soak_failing) + " of " +
                     std::to_string(o.soak_endpoints) + " endpoints down 20 s of every 60 s",
                 text, "", "", "nothing lost",
                 lost == 0 && run.accepted == published ? Verdict::kPass : Verdict::kMiss});

  // Flatness: the first sample after a one-minute warm-up (or a tenth of the run) against the
  // last and the largest.
  const double warm_s = std::min(60.0, spec.seconds / 10);
  auto warm = std::find_if(samples.begin(), samples.end(),
                           [&](const Sample& s) { return s.at_s >= warm_s; });
  if (warm == samples.end() || samples.size() < 3) {
    report.AddError(kScenario, "too few samples (run at least a minute)");
    return;
  }
  const Sample& first = *warm;
  const Sample& last = samples.back();
  Sample most;
  for (auto it = warm; it != samples.end(); ++it) {
    most.rss_kib = std::max(most.rss_kib, it->rss_kib);
    most.anon_kib = std::max(most.anon_kib, it->anon_kib);
    most.fds = std::max(most.fds, it->fds);
    most.threads = std::max(most.threads, it->threads);
  }
  const bool heap_flat = last.anon_kib <= first.anon_kib * 12 / 10 + 8 * 1024;
  report.Add(Row{kScenario, "broker heap (RssAnon) after warm-up / at the end / largest",
                 Mib(first.anon_kib) + " / " + Mib(last.anon_kib) + " / " + Mib(most.anon_kib), "",
                 "", "flat (≤ +20 % + 8 MiB)", heap_flat ? Verdict::kPass : Verdict::kMiss});
  report.Add(Row{kScenario, "broker VmRSS (heap + mapped LMDB pages) after warm-up / end / largest",
                 Mib(first.rss_kib) + " / " + Mib(last.rss_kib) + " / " + Mib(most.rss_kib), "", "",
                 "", Verdict::kInfo});
  const bool fds_flat = most.fds <= first.fds + 8;
  report.Add(Row{kScenario, "open file descriptors after warm-up / at the end / largest",
                 std::to_string(first.fds) + " / " + std::to_string(last.fds) + " / " +
                     std::to_string(most.fds),
                 "", "", "flat (≤ +8)", fds_flat ? Verdict::kPass : Verdict::kMiss});
  const bool threads_flat = most.threads == first.threads;
  report.Add(Row{kScenario, "threads after warm-up / at the end / largest",
                 std::to_string(first.threads) + " / " + std::to_string(last.threads) + " / " +
                     std::to_string(most.threads),
                 "", "", "flat", threads_flat ? Verdict::kPass : Verdict::kMiss});
  std::snprintf(
      text, sizeof(text),
      "Soak: %zu samples over %.0f s; drained %.1f s after the last publish; %llu "
      "POSTs refused by outages, %llu duplicate callbacks (at least once); every sample in "
      "soak-samples.tsv.",
      samples.size(), samples.back().at_s, drained_s, static_cast<unsigned long long>(refused),
      static_cast<unsigned long long>(duplicates));
  report.AddNote(text);
  broker->Stop();
}

}  // namespace hookbench
