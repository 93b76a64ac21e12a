#include "broker/dispatcher.h"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <random>

#include "broker/delivery_policy.h"
#include "broker/log.h"
#include "proto/callback_payload.h"
#include "proto/secret_rotation.h"
#include "proto/signature.h"
#include "proto/utf8.h"

namespace hookbroker {

Dispatcher::Dispatcher(Store& store, HttpSender& sender, const Clock& clock,
                       DispatcherOptions options)
    : store_(store),
      sender_(sender),
      clock_(clock),
      options_(std::move(options)),
      queue_(options_.endpoint_concurrency, options_.breaker) {}

Dispatcher::~Dispatcher() { Stop(); }

double Dispatcher::Random() {
  if (options_.random) return options_.random();
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

Status Dispatcher::LoadPending() {
  std::vector<NewDelivery> batch;
  auto flush = [&] {
    Enqueue(batch);
    batch.clear();
  };
  Status s = store_.ForEachPending([&](const NewDelivery& d) {
    batch.push_back(d);
    if (batch.size() >= 4096) flush();
  });
  flush();
  return s;
}

void Dispatcher::Enqueue(std::span<const NewDelivery> deliveries) {
  if (deliveries.empty()) return;
  std::vector<SubscriptionId> subs;
  subs.reserve(deliveries.size());
  for (const auto& d : deliveries) subs.push_back(d.subscription_id);
  auto origins = store_.CallbackOrigins(subs);
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (std::size_t i = 0; i < deliveries.size(); ++i) {
      // An unknown origin still gets a queue slot: the attempt records why it cannot be made.
      const std::string& origin = origins ? (*origins)[i] : std::string();
      queue_.Add(deliveries[i].id, origin, deliveries[i].due_ms, deliveries[i].retry);
    }
    WatchTimers();
  }
  WakeWorkers(deliveries.size());
}

void Dispatcher::WatchTimers() {
  // Someone must sleep until the earliest time a delivery falls due or a circuit lets a probe
  // through: wake a worker to do it when nobody watches, or only a later time is watched.
  const std::optional<std::int64_t> next = queue_.NextDueMs();
  if (next && (!timer_watched_ || *next < watched_until_ms_)) work_cv_.notify_one();
}

void Dispatcher::WakeWorkers(std::size_t jobs) {
  // One worker per new job at most: waking all of them for every batch cost more in futex and
  // scheduler time than the attempts themselves (hookbench, docs/PERFORMANCE.md).
  if (jobs >= static_cast<std::size_t>(options_.workers)) {
    work_cv_.notify_all();
    return;
  }
  for (std::size_t i = 0; i < jobs; ++i) work_cv_.notify_one();
}

void Dispatcher::Resume(const SubscriptionId& id) {
  std::size_t released = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = parked_.find(id);
    if (it == parked_.end()) return;
    const std::int64_t now = clock_.NowMs();
    for (const auto& [delivery, origin] : it->second) queue_.Add(delivery, origin, now);
    released = it->second.size();
    parked_count_ -= released;
    parked_.erase(it);
  }
  WakeWorkers(released);
}

DispatcherGauges Dispatcher::Gauges() const {
  std::lock_guard<std::mutex> lock(mu_);
  DispatcherGauges g;
  g.queued = queue_.size();
  g.retry_waiting = queue_.retry_waiting();
  g.parked = parked_count_;
  g.in_flight = queue_.total_in_flight();
  g.endpoints = queue_.BusiestEndpoints(50);
  return g;
}

std::size_t Dispatcher::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

Dispatcher::Finished Dispatcher::Attempt(const DeliveryId& id, const std::string& origin) {
  Finished f;
  f.origin = origin;
  f.update.delivery_id = id;
  auto job = store_.LoadDeliveryJob(id);
  if (!job) {
    LogWarn("delivery",
            "cannot load delivery " + std::to_string(id.value()) + ": " + job.error().message);
    f.record = false;
    // Gone (expired history) is final; anything else is storage trouble, so keep it queued.
    f.load_failed = job.error().code != "not_found";
    return f;
  }
  if (job->delivery.status != DeliveryStatus::kPending) {
    f.record = false;  // queued twice (e.g. loaded at start and enqueued): already final
    return f;
  }
  AttemptRecord& attempt = f.update.attempt;
  attempt.number = job->delivery.attempts + 1;
  attempt.started_ms = clock_.NowMs();

  if (job->subscription && job->subscription->paused) {
    f.record = false;
    f.parked = job->subscription->id;
    return f;
  }
  if (!job->subscription || job->subscription->disabled()) {
    attempt.outcome = AttemptOutcome::kCancelled;
    attempt.error = job->subscription
                        ? "subscription disabled (" + job->subscription->disabled_reason +
                              "); delivery cancelled"
                        : "subscription deleted; delivery cancelled";
    f.update.new_status = DeliveryStatus::kFailed;
    if (options_.metrics != nullptr) options_.metrics->CountFinal(DeliveryStatus::kFailed);
    return f;
  }
  const Subscription& sub = *job->subscription;
  auto url = ParseUrl(sub.callback_url);
  auto key = DecodeWebhookSecret(sub.secret);
  // The event and the envelope built from it live in a stack arena (one parse per attempt).
  unsigned char arena[8192];
  boost::json::monotonic_resource mr(arena, sizeof(arena));
  boost::system::error_code ec;
  boost::json::value event = boost::json::parse(job->event_json, ec, &mr);
  if (!url || !key || ec || !event.is_object()) {
    attempt.outcome = AttemptOutcome::kCancelled;
    attempt.error = "stored subscription or event is unusable";
    f.update.new_status = DeliveryStatus::kFailed;
    return f;
  }

  HttpRequest request;
  request.url = std::move(url).value();
  request.timeout = options_.request_timeout;
  CallbackPayload payload = RenderCallbackPayload(sub, event.as_object());
  request.body = std::move(payload.body);
  request.content_type = std::move(payload.content_type);
  const std::string msg_id = WebhookMessageId(sub.id.value(), job->delivery.event_id.value());
  const std::int64_t ts = attempt.started_ms / 1000;
  request.headers.emplace_back("webhook-id", msg_id);
  request.headers.emplace_back("webhook-timestamp", std::to_string(ts));
  request.headers.emplace_back(
      "webhook-signature",
      CallbackSignatureHeader(sub, *key, msg_id, ts, request.body, attempt.started_ms));
  attempt.url = sub.callback_url;
  for (const auto& [name, value] : request.headers) {
    attempt.request_headers.emplace_back(name, value);
  }
  // Secrets are masked before they reach the store (and the audit API).
  for (CallbackHeader& h : payload.headers) {
    attempt.request_headers.emplace_back(h.name, std::move(h.logged));
    request.headers.emplace_back(std::move(h.name), std::move(h.value));
  }
  attempt.request_headers.emplace_back("Content-Type", request.content_type);

  HttpResult result = sender_.Send(request);
  attempt.duration_ms = result.duration.count();
  attempt.http_status = result.status;
  // The answer's first bytes, possibly binary or cut inside a character: stored and served as
  // JSON text, so made well-formed UTF-8.
  attempt.response_excerpt = ToValidUtf8(std::move(result.body_excerpt));
  const std::int64_t now = clock_.NowMs();
  // The schedule counts from the start of the current round (a redeliver starts a new one).
  AttemptDecision decision = DecideAfterAttempt(result, attempt.number - job->delivery.round_start,
                                                options_.schedule, now, Random());
  attempt.outcome = decision.outcome;
  attempt.error = decision.error;
  f.healthy = EndpointHealthy(result);
  f.update.disable_subscription = std::move(decision.disable_subscription);
  f.update.new_status = decision.status;
  f.update.next_attempt_ms = decision.next_attempt_ms;
  f.retry = decision.status == DeliveryStatus::kPending;
  if (options_.metrics != nullptr) {
    options_.metrics->CountAttempt(decision.outcome, attempt.duration_ms, result.status != 0);
    options_.metrics->CountFinal(decision.status);
  }
  if (decision.status == DeliveryStatus::kFailed) {
    LogWarn("delivery", "delivery " + std::to_string(id.value()) + " of event " +
                            job->delivery.event_id.value() + " to subscription " + sub.id.value() +
                            " failed after " + std::to_string(attempt.number) +
                            " attempts: " + decision.error);
  }
  return f;
}

void Dispatcher::Record(std::vector<Finished>& batch) {
  std::vector<AttemptUpdate> updates;
  updates.reserve(batch.size());
  const std::int64_t now = clock_.NowMs();
  for (Finished& f : batch) {
    f.update.attempt.recorded_ms = now;
    if (f.record) updates.push_back(f.update);
  }
  std::vector<DisabledSubscription> disabled;
  Status s = store_.RecordAttempts(updates, options_.disable_after_ms, &disabled);
  for (const DisabledSubscription& d : disabled) {
    LogWarn("delivery", "subscription " + d.id.value() + " disabled: " + d.reason);
    if (options_.metrics != nullptr) options_.metrics->CountDisabled();
  }
  std::lock_guard<std::mutex> lock(mu_);
  unrecorded_ -= batch.size();  // recorded, or (on error) requeued below: no longer at risk
  for (const Finished& f : batch) {
    if (f.parked) {
      parked_[*f.parked].emplace_back(f.update.delivery_id, f.origin);
      ++parked_count_;
      continue;
    }
    if (f.load_failed) {
      queue_.Add(f.update.delivery_id, f.origin, now + 1000, f.retry);
      continue;
    }
    if (!f.record) continue;
    if (!s) {
      // Not recorded: the store still says pending at the old time. Try again shortly.
      queue_.Add(f.update.delivery_id, f.origin, now + 1000, f.retry);
    } else if (f.update.new_status == DeliveryStatus::kPending) {
      queue_.Add(f.update.delivery_id, f.origin, f.update.next_attempt_ms, /*retry=*/true);
    }
  }
  if (!s) LogError("store", "cannot record delivery attempts: " + s.error().message);
  // Requeued deliveries wait in the timer heap: one worker watches its earliest time, and a
  // worker that takes a due one hands on the rest.
  WatchTimers();
  if (cap_waiters_ > 0) cap_cv_.notify_all();
}

int Dispatcher::RunDue() {
  int attempts = 0;
  for (;;) {
    std::optional<DeliveryQueue::Job> job;
    {
      std::lock_guard<std::mutex> lock(mu_);
      job = queue_.Pop(clock_.NowMs());
    }
    if (!job) return attempts;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++unrecorded_;
    }
    std::vector<Finished> batch;
    batch.push_back(Attempt(job->id, queue_.origin(job->endpoint)));
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.Done(job->endpoint, clock_.NowMs(), batch.back().healthy);
    }
    Record(batch);
    ++attempts;
  }
}

void Dispatcher::Start() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = false;
  }
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { WorkerLoop(); });
  recorder_ = std::thread([this] { RecorderLoop(); });
}

void Dispatcher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
  }
  work_cv_.notify_all();
  cap_cv_.notify_all();
  results_cv_.notify_all();
  for (auto& t : workers_) t.join();
  workers_.clear();
  results_cv_.notify_all();
  if (recorder_.joinable()) recorder_.join();
}

std::size_t Dispatcher::MaxUnrecorded() const {
  return static_cast<std::size_t>(options_.max_unrecorded > 0
                                      ? options_.max_unrecorded
                                      : kUnrecordedPerWorker * options_.workers);
}

std::size_t Dispatcher::RecordNow() const { return std::max<std::size_t>(1, MaxUnrecorded() / 2); }

void Dispatcher::WorkerLoop() {
  const std::size_t max_unrecorded = MaxUnrecorded();
  const std::size_t record_now = RecordNow();
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    if (unrecorded_ >= max_unrecorded) {
      ++cap_waiters_;
      results_cv_.notify_one();  // the recorder stops lingering
      cap_cv_.wait(lock);        // Record() wakes these workers as it commits
      --cap_waiters_;
      continue;
    }
    const std::int64_t now = clock_.NowMs();
    auto job = queue_.Pop(now);
    if (!job) {
      auto next = queue_.NextDueMs();
      if (next && (!timer_watched_ || *next < watched_until_ms_)) {
        // This worker watches the timers until the earliest one; the others sleep until woken.
        const std::uint64_t watch = ++timer_watch_;
        timer_watched_ = true;
        watched_until_ms_ = *next;
        work_cv_.wait_for(lock, std::chrono::milliseconds(std::max<std::int64_t>(*next - now, 1)));
        if (timer_watch_ == watch) timer_watched_ = false;  // not taken over meanwhile
      } else {
        work_cv_.wait(lock);
      }
      continue;
    }
    // Pass the baton: another worker for the work still runnable, none when every endpoint with
    // work is at its limit (waking workers that find nothing cost more than the attempts).
    if (queue_.has_runnable()) work_cv_.notify_one();
    WatchTimers();  // the watcher may have taken this job, or Pop() held a circuit
    const std::string origin = queue_.origin(job->endpoint);
    ++active_workers_;
    ++unrecorded_;
    lock.unlock();
    Finished f = Attempt(job->id, origin);
    lock.lock();
    --active_workers_;
    queue_.Done(job->endpoint, clock_.NowMs(), f.healthy);
    WatchTimers();  // Done() may have opened the endpoint's circuit until a probe time
    finished_.push_back(std::move(f));
    // The recorder needs a word when a batch starts (it then lingers) and when it must not wait.
    if (finished_.size() == 1) {
      batch_started_ = std::chrono::steady_clock::now();
      results_cv_.notify_one();
    } else if (finished_.size() == record_now) {
      results_cv_.notify_one();
    }
  }
  results_cv_.notify_all();
}

void Dispatcher::RecorderLoop() {
  const std::size_t record_now = RecordNow();
  std::unique_lock<std::mutex> lock(mu_);
  auto last_sweep = std::chrono::steady_clock::now();
  for (;;) {
    results_cv_.wait_for(lock, kParkedSweepInterval, [this] {
      return !finished_.empty() || (stopping_ && active_workers_ == 0);
    });
    if (finished_.empty() && stopping_ && active_workers_ == 0) return;
    if (!finished_.empty() && options_.record_linger.count() > 0) {
      // Gather more attempts into this commit, up to record_linger after the first of them
      // finished, unless stopping or enough are waiting.
      results_cv_.wait_until(lock, batch_started_ + options_.record_linger, [&] {
        return finished_.size() >= record_now || stopping_ || cap_waiters_ > 0;
      });
    }
    std::vector<Finished> batch;
    batch.swap(finished_);
    lock.unlock();
    if (!batch.empty()) Record(batch);
    if (std::chrono::steady_clock::now() - last_sweep >= kParkedSweepInterval) {
      SweepParked();
      last_sweep = std::chrono::steady_clock::now();
    }
    lock.lock();
  }
}

void Dispatcher::SweepParked() {
  std::vector<SubscriptionId> ids;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, held] : parked_) ids.push_back(id);
  }
  for (const SubscriptionId& id : ids) {
    auto sub = store_.GetSubscription(id);
    if (sub.ok() && (!sub->has_value() || !(*sub)->paused)) Resume(id);
  }
}

}  // namespace hookbroker
