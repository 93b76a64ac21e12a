#include "tests/crash/crash_run.h"

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "tests/crash/producer_pool.h"
#include "tests/crash/verdict.h"
#include "tests/crash/wall_clock.h"
#include "tests/support/broker_process.h"
#include "tests/support/http_client.h"
#include "tests/support/temp_dir.h"

namespace hookbroker::crash {
namespace {

constexpr const char* kApiKey = "crash-test-api-key-0123456789";
// Short waits, many attempts: a 5xx is retried within a second, and a delivery cannot run out
// of attempts on the failing receivers' pattern (never two failures in a row).
constexpr const char* kRetrySchedule = "0.2,0.3,0.5,0.5,1,1,1,1,1,1";
constexpr int kKilledStatus = 128 + SIGKILL;

// The retention the broker derives from --retention-days (config.cc truncates to whole ms).
struct Retention {
  std::string days_flag;
  std::int64_t effective_ms = 0;
};

Retention MakeRetention(int retention_ms) {
  char text[64];
  std::snprintf(text, sizeof text, "%.12f", retention_ms / 86400000.0);
  const double days = std::stod(text);
  return {text, static_cast<std::int64_t>(days * 86400000.0)};
}

std::vector<std::string> BrokerArgs(const CrashOptions& o, const std::string& data_dir,
                                    const Retention& retention) {
  char gc[32];
  std::snprintf(gc, sizeof gc, "%g", o.gc_interval_s);
  return {"--data-dir",
          data_dir,
          "--api-key",
          kApiKey,
          "--allow-http-callbacks",
          "--callback-allow",
          "127.0.0.0/8",
          "--retry-schedule",
          kRetrySchedule,
          "--retention-days",
          retention.days_flag,
          "--gc-interval",
          gc,
          "--delivery-workers",
          std::to_string(o.delivery_workers),
          "--endpoint-concurrency",
          std::to_string(o.endpoint_concurrency),
          "--max-unrecorded",
          std::to_string(o.max_unrecorded)};
}

int CountLines(const std::string& text, const std::string& needle) {
  int n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

bool PostArrivedBetween(const std::vector<const ScriptedReceiver*>& receivers, std::int64_t from,
                        std::int64_t to) {
  for (const ScriptedReceiver* r : receivers) {
    for (const auto& p : r->Posts()) {
      if (p.received_ms >= from && p.received_ms <= to) return true;
    }
  }
  return false;
}

class Run {
 public:
  Run(const CrashOptions& o, std::ostream& log) : o_(o), log_(log) {}
  CrashReport Go();

 private:
  void Fail(const std::string& what) {
    report_.failures.push_back(what);
    log_ << "FAIL: " << what << "\n";
  }
  std::unique_ptr<testing::BrokerProcess> StartBroker();
  bool RegisterSubscriptions(const testing::BrokerProcess& broker);
  void Cycle(int cycle);
  // Waits (at most 3 s) until the broker logs an expiry pass that removed history; false if
  // none came.
  bool AwaitExpiryPass(const testing::BrokerProcess& broker);
  // Checks the store while the broker is down; returns the webhook-ids of `successes` whose
  // 2xx the store did not record.
  std::set<std::string> CheckStoreNow(const std::string& when, std::int64_t now_ms,
                                      const std::map<std::string, LastSuccess>& successes);
  void Drain();

  const CrashOptions& o_;
  std::ostream& log_;
  CrashReport report_;
  std::mt19937_64 rng_;
  std::optional<testing::TempDir> temp_;
  std::string data_dir_;
  Retention retention_;
  std::vector<std::unique_ptr<ScriptedReceiver>> receivers_;
  std::vector<const ScriptedReceiver*> receiver_views_;
  std::vector<std::string> subscription_ids_;
  Ledger ledger_;
  std::vector<std::int64_t> kills_ms_;
  std::vector<std::set<std::string>> unrecorded_at_kill_;  // see TallyDeliveries
};

std::unique_ptr<testing::BrokerProcess> Run::StartBroker() {
  auto broker = std::make_unique<testing::BrokerProcess>(BrokerArgs(o_, data_dir_, retention_));
  if (!broker->Start()) {
    Fail("the broker did not start:\n" + broker->Output());
    return nullptr;
  }
  return broker;
}

bool Run::RegisterSubscriptions(const testing::BrokerProcess& broker) {
  for (const SubscriptionSpec& spec : kSubscriptions) {
    boost::json::object body;
    body["objectType"] = spec.object_type;
    body["objectId"] = spec.object_id;
    body["eventTypes"] = boost::json::array{"*"};
    body["callBackUrl"] = receivers_[static_cast<std::size_t>(spec.receiver)]->Url();
    const auto reply = testing::HttpCall(broker.rest_url(), "POST", "/v1/webhook",
                                         boost::json::serialize(body), {{"accessToken", kApiKey}});
    boost::system::error_code ec;
    const auto v = boost::json::parse(reply.body, ec);
    if (reply.status != 200 || ec || !v.is_object() || !v.as_object().contains("webhookId")) {
      Fail("registering a subscription failed: " + std::to_string(reply.status) + " " + reply.body);
      return false;
    }
    subscription_ids_.emplace_back(v.at("webhookId").as_string());
  }
  return true;
}

std::set<std::string> Run::CheckStoreNow(const std::string& when, std::int64_t now_ms,
                                         const std::map<std::string, LastSuccess>& successes) {
  // An event leaves the store only when expired: received before now - retention. It was
  // received after it was sent, so everything sent since then must be there. 50 ms spare for
  // the broker's clock reads.
  const std::int64_t since = now_ms - retention_.effective_ms + 50;
  auto check = CheckStore(
      data_dir_, ledger_.Events(), [since](const AckedEvent& e) { return e.sent_ms >= since; },
      subscription_ids_, successes);
  if (!check) {
    Fail(when + ": the LMDB store does not open cleanly: " + check.error().message);
    return {};
  }
  report_.store_checks += check->checked;
  if (check->counter_mismatches > 0) {
    Fail(when + ": " + std::to_string(check->counter_mismatches) +
         " subscriptions' pending counters disagree with their pending deliveries (first: " +
         check->first_counter_mismatch + ")");
  }
  if (check->missing > 0) {
    Fail(when + ": " + std::to_string(check->missing) + " of " + std::to_string(check->checked) +
         " acknowledged, unexpired events are not in the store (first: " + check->first_missing +
         ")");
  }
  return std::move(check->unrecorded);
}

bool Run::AwaitExpiryPass(const testing::BrokerProcess& broker) {
  const std::string kLine = "removed expired history";
  const int before = CountLines(broker.Output(), kLine);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (std::chrono::steady_clock::now() < deadline) {
    // Polling the child's log: its expiry thread has no other outward sign.
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    if (CountLines(broker.Output(), kLine) > before) return true;
  }
  return false;
}

void Run::Cycle(int cycle) {
  auto broker = StartBroker();
  if (!broker) return;
  if (cycle == 1 && !RegisterSubscriptions(*broker)) return;
  const std::int64_t started_ms = WallMs();

  ProducerPool producers(ledger_, cycle, o_.events_per_cycle);
  producers.Start(broker->ingest_endpoint(), o_.producers, rng_());
  std::uniform_int_distribution<int> run_ms(o_.min_run_ms, o_.max_run_ms);
  const int run = run_ms(rng_);
  // The workload's own timing: how long the broker lives before the kill.
  std::this_thread::sleep_for(std::chrono::milliseconds(run));
  // Every third cycle aims at expiry: after the next pass that removed something is logged,
  // the following pass starts one --gc-interval later; kill within 15 ms of that start.
  const bool aimed_at_expiry = cycle % 3 == 0 && AwaitExpiryPass(*broker);
  if (aimed_at_expiry) {
    std::uniform_int_distribution<int> offset_us(0, 15000);
    std::this_thread::sleep_for(
        std::chrono::microseconds(static_cast<std::int64_t>(o_.gc_interval_s * 1e6)) +
        std::chrono::microseconds(offset_us(rng_)));
    ++report_.kills_aimed_at_expiry;
  }

  const bool ingest_in_flight = producers.InFlight() > 0;
  const std::int64_t kill_ms = WallMs();
  const int status = broker->Stop(SIGKILL);
  kills_ms_.push_back(kill_ms);
  ++report_.kills;
  producers.Stop();
  report_.published += static_cast<std::size_t>(producers.Published());
  if (status != kKilledStatus) {
    Fail("cycle " + std::to_string(cycle) + ": the broker had exited (status " +
         std::to_string(status) + ") before the SIGKILL:\n" + broker->Output());
  }
  const bool delivering = PostArrivedBetween(receiver_views_, kill_ms - 50, kill_ms);
  report_.kills_with_ingest_in_flight += ingest_in_flight ? 1 : 0;
  report_.kills_with_delivery_in_flight += delivering ? 1 : 0;
  const int gc = CountLines(broker->Output(), "removed expired history");
  report_.gc_passes_removing += gc;

  // 2xx answers of this life: the ones the kill may have left unrecorded.
  auto successes = LastSuccesses(receiver_views_, subscription_ids_);
  std::erase_if(successes, [&](const auto& s) { return s.second.arrived_ms < started_ms; });
  unrecorded_at_kill_.push_back(
      CheckStoreNow("after kill " + std::to_string(cycle), kill_ms, successes));
  report_.max_unrecorded_at_kill =
      std::max(report_.max_unrecorded_at_kill, unrecorded_at_kill_.back().size());
  if (o_.verbose) {
    log_ << "cycle " << cycle << ": killed after " << run << " ms"
         << (aimed_at_expiry ? " and the start of an expiry pass" : "") << ", published "
         << producers.Published() << (ingest_in_flight ? ", ingest in flight" : "")
         << (delivering ? ", delivering" : "") << ", gc passes removing " << gc << ", acked so far "
         << ledger_.Counts().acked << "\n";
  }
}

void Run::Drain() {
  auto broker = StartBroker();
  if (!broker) return;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(o_.drain_timeout_ms);
  const auto acked = ledger_.Events();
  DeliveryTally tally;
  for (;;) {
    tally =
        TallyDeliveries(receiver_views_, subscription_ids_, acked, kills_ms_, unrecorded_at_kill_);
    if (tally.missing == 0 || std::chrono::steady_clock::now() >= deadline) break;
    // Polling the receivers' records: the broker's progress is what is being waited for.
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  // A moment more for any stray repeat to arrive and be counted.
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  tally =
      TallyDeliveries(receiver_views_, subscription_ids_, acked, kills_ms_, unrecorded_at_kill_);

  const int status = broker->Stop(SIGTERM);
  const std::int64_t stop_ms = WallMs();
  if (status != 0) {
    Fail("the final broker did not stop cleanly on SIGTERM (status " + std::to_string(status) +
         "):\n" + broker->Output());
  }
  report_.gc_passes_removing += CountLines(broker->Output(), "removed expired history");
  CheckStoreNow("after the final stop", stop_ms, {});

  report_.expected_deliveries = tally.expected;
  report_.posts = tally.posts;
  report_.failed_answers = tally.failed_answers;
  report_.duplicates = tally.duplicates;
  for (std::size_t d : tally.duplicates_per_kill) {
    report_.max_duplicates_per_kill = std::max(report_.max_duplicates_per_kill, d);
  }
  if (tally.missing > 0) {
    Fail(std::to_string(tally.missing) + " of " + std::to_string(tally.expected) +
         " deliveries implied by acknowledged events never reached their receiver (first: " +
         tally.first_missing + ")");
  }
  if (tally.malformed > 0) {
    Fail(std::to_string(tally.malformed) +
         " callbacks had no webhook-id or named an unknown subscription");
  }
  if (tally.unexplained_duplicates > 0) {
    Fail(std::to_string(tally.unexplained_duplicates) +
         " callbacks repeated a delivery whose 2xx no kill had left unrecorded (first: " +
         tally.first_unexplained + ")");
  }
  for (std::size_t k = 0; o_.enforce_in_flight_bound && k < tally.duplicates_per_kill.size(); ++k) {
    if (tally.duplicates_per_kill[k] > report_.duplicate_bound_per_kill) {
      Fail("kill " + std::to_string(k + 1) + " caused " +
           std::to_string(tally.duplicates_per_kill[k]) + " repeated callbacks, more than the " +
           std::to_string(report_.duplicate_bound_per_kill) +
           " the broker may have sent unrecorded");
    }
  }
}

CrashReport Run::Go() {
  const auto started = std::chrono::steady_clock::now();
  report_.seed =
      o_.seed != 0
          ? o_.seed
          : static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
  rng_.seed(report_.seed);
  report_.cycles = o_.cycles;
  report_.bound_enforced = o_.enforce_in_flight_bound;
  // The broker's promise (--max-unrecorded): at most that many attempts are sent and not yet
  // recorded at any moment.
  report_.duplicate_bound_per_kill = static_cast<std::size_t>(o_.max_unrecorded);
  retention_ = MakeRetention(o_.retention_ms);
  if (o_.keep_dir.empty()) {
    temp_.emplace();
    data_dir_ = temp_->File("data");
  } else {
    data_dir_ = o_.keep_dir;
  }
  log_ << "hookcrash: seed " << report_.seed << ", " << o_.cycles << " cycles, data in "
       << data_dir_ << "\n";

  // Enough scripted answers for every POST the run can make: each event is at most one
  // delivery per receiver, plus retries and repeats.
  const std::size_t script_posts =
      static_cast<std::size_t>(o_.cycles) * static_cast<std::size_t>(o_.events_per_cycle) * 3 / 2 +
      1000;
  for (int r = 0; r < kReceivers; ++r) {
    receivers_.push_back(
        std::make_unique<ScriptedReceiver>(r == 0 ? 0 : o_.fail_one_in, script_posts, rng_));
    if (Status s = receivers_.back()->Start(); !s) {
      Fail("a receiver did not start: " + s.error().message);
      return report_;
    }
    receiver_views_.push_back(receivers_.back().get());
  }

  for (int cycle = 1; cycle <= o_.cycles && report_.failures.empty(); ++cycle) Cycle(cycle);
  if (report_.failures.empty()) Drain();

  const LedgerCounts counts = ledger_.Counts();
  report_.acked = counts.acked;
  report_.unanswered = counts.unanswered_events;
  if (counts.error_replies + counts.bad_results > 0) {
    Fail(std::to_string(counts.error_replies) + " error replies and " +
         std::to_string(counts.bad_results) +
         " unexpected results; first: " + counts.first_problem);
  }
  for (auto& r : receivers_) r->Stop();
  report_.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report_;
}

}  // namespace

CrashReport RunCrashTest(const CrashOptions& options, std::ostream& log) {
  Run run(options, log);
  return run.Go();
}

void PrintReport(const CrashReport& r, std::ostream& out) {
  out << "seed " << r.seed << "\n"
      << "cycles " << r.cycles << ", kills " << r.kills << " (ingest in flight at "
      << r.kills_with_ingest_in_flight << ", deliveries in flight at "
      << r.kills_with_delivery_in_flight << ", timed for the start of an expiry pass at "
      << r.kills_aimed_at_expiry << "), gc passes that removed history " << r.gc_passes_removing
      << "\n"
      << "events published " << r.published << ", acknowledged " << r.acked
      << ", unanswered (killed) " << r.unanswered << ", store look-ups between cycles "
      << r.store_checks << "\n"
      << "deliveries implied " << r.expected_deliveries << ", callbacks received " << r.posts
      << " (" << r.failed_answers << " answered 5xx), repeats after a 2xx " << r.duplicates
      << ", most at one kill " << r.max_duplicates_per_kill << " (in-flight bound "
      << r.duplicate_bound_per_kill << (r.bound_enforced ? ", enforced" : ", reported only")
      << "); 2xx unrecorded at one kill, most " << r.max_unrecorded_at_kill << "\n";
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.1f", r.seconds);
  out << "time " << seconds << " s\n"
      << (r.failures.empty() ? "PASS" : "FAIL (" + std::to_string(r.failures.size()) + " checks)")
      << "\n";
}

}  // namespace hookbroker::crash
