// Retry timing and request building, on a fake clock and a scripted sender: exact, no sleeps.
#include "broker/dispatcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "broker/socket_sender.h"
#include "proto/secret_rotation.h"
#include "tests/broker/broker_test_util.h"
#include "tests/support/temp_dir.h"

namespace hookbroker::testing {
namespace {

constexpr std::int64_t kStart = 1'700'000'000'000;

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = Store::Open(StoreOptions{dir_.path(), 64ULL << 20, 126});
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
    sub_ = MakeSubscription("sub-1", ObjectType::kGroup, "g");
    sub_.callback_token = "tok";
    sub_.callback_context = "ctx";
    sub_.auth.kind = CallbackAuth::Kind::kBasic;
    sub_.auth.username = "u";
    sub_.auth.password = "p";
    ASSERT_TRUE(store_->PutSubscription(sub_).ok());
  }

  void MakeDispatcher(RetrySchedule schedule, double random = 0.5) {
    DispatcherOptions o;
    o.schedule = std::move(schedule);
    o.random = [random] { return random; };
    o.metrics = &metrics_;
    dispatcher_ = std::make_unique<Dispatcher>(*store_, sender_, clock_, o);
  }

  Subscription StoredSubscription() {
    auto sub = store_->GetSubscription(sub_.id);
    EXPECT_TRUE(sub.ok() && sub->has_value());
    return sub.ok() && sub->has_value() ? **sub : Subscription{};
  }

  // Deliveries a new event to the subscription's group creates (0 once it is out of matching).
  std::size_t Matches(const std::string& event_id) {
    std::vector<NewDelivery> created;
    EXPECT_TRUE(store_
                    ->CommitEvents(std::vector<Event>{MakeEvent(event_id, "MemberAdded", "g")},
                                   clock_.NowMs(), &created)
                    .ok());
    return created.size();
  }

  DeliveryId Publish(const std::string& event_id) {
    std::vector<NewDelivery> created;
    auto r = store_->CommitEvents(std::vector<Event>{MakeEvent(event_id, "MemberAdded", "g")},
                                  clock_.NowMs(), &created);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(created.size(), 1u);
    dispatcher_->Enqueue(created);
    return created.at(0).id;
  }

  DeliveryRecord Record(const DeliveryId& id) {
    auto d = store_->GetDelivery(id);
    EXPECT_TRUE(d.ok() && d->has_value());
    return (*d)->delivery;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  Subscription sub_;
  FakeClock clock_{kStart};
  FakeSender sender_;
  Metrics metrics_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(DispatcherTest, FirstAttemptIsImmediateAndRetriesFollowTheSchedule) {
  MakeDispatcher(RetrySchedule({std::chrono::seconds(5), std::chrono::seconds(300)}));
  sender_.Answer(503);
  sender_.Answer(500);
  const DeliveryId id = Publish("e1");

  EXPECT_EQ(dispatcher_->RunDue(), 1);
  EXPECT_EQ(Record(id).next_attempt_ms, kStart + 5000);

  clock_.Advance(4999);
  EXPECT_EQ(dispatcher_->RunDue(), 0) << "retried before its time";
  clock_.Advance(1);
  EXPECT_EQ(dispatcher_->RunDue(), 1);
  EXPECT_EQ(Record(id).next_attempt_ms, kStart + 5000 + 300000);

  clock_.Advance(299999);
  EXPECT_EQ(dispatcher_->RunDue(), 0);
  clock_.Advance(1);
  EXPECT_EQ(dispatcher_->RunDue(), 1);  // the sender now answers 200
  DeliveryRecord d = Record(id);
  EXPECT_EQ(d.status, DeliveryStatus::kDelivered);
  EXPECT_EQ(d.attempts, 3);
  EXPECT_EQ(sender_.requests().size(), 3u);
}

TEST_F(DispatcherTest, JitterScalesTheWaitByAtMostTwentyPercent) {
  MakeDispatcher(RetrySchedule({std::chrono::seconds(10)}), /*random=*/0.0);
  sender_.Answer(500);
  const DeliveryId low = Publish("e-low");
  dispatcher_->RunDue();
  EXPECT_EQ(Record(low).next_attempt_ms, kStart + 8000);

  MakeDispatcher(RetrySchedule({std::chrono::seconds(10)}), /*random=*/0.999999);
  sender_.Answer(500);
  const DeliveryId high = Publish("e-high");
  dispatcher_->RunDue();
  EXPECT_EQ(Record(high).next_attempt_ms, kStart + 12000);
}

TEST_F(DispatcherTest, RetryAfterOn429And503IsHonoured) {
  MakeDispatcher(RetrySchedule({std::chrono::seconds(5), std::chrono::seconds(5)}));
  sender_.Answer(429, "42");
  const DeliveryId id = Publish("e1");
  dispatcher_->RunDue();
  EXPECT_EQ(Record(id).next_attempt_ms, kStart + 42000);
  clock_.Advance(41999);
  EXPECT_EQ(dispatcher_->RunDue(), 0);
  sender_.Answer(503, "7");
  clock_.Advance(1);
  EXPECT_EQ(dispatcher_->RunDue(), 1);
  EXPECT_EQ(Record(id).next_attempt_ms, kStart + 42000 + 7000);
}

TEST_F(DispatcherTest, RetryAfterOnOtherStatusesIsIgnored) {
  MakeDispatcher(RetrySchedule({std::chrono::seconds(5)}));
  sender_.Answer(500, "3600");
  const DeliveryId id = Publish("e1");
  dispatcher_->RunDue();
  EXPECT_EQ(Record(id).next_attempt_ms, kStart + 5000);
}

TEST_F(DispatcherTest, FailsAfterTheLastAttemptAndRecordsWhy) {
  MakeDispatcher(RetrySchedule({std::chrono::seconds(1)}));
  sender_.Fail(HttpResult::Kind::kConnectError, "connection refused");
  sender_.Fail(HttpResult::Kind::kTlsError, "certificate expired");
  const DeliveryId id = Publish("e1");
  dispatcher_->RunDue();
  clock_.Advance(1000);
  dispatcher_->RunDue();
  DeliveryRecord d = Record(id);
  EXPECT_EQ(d.status, DeliveryStatus::kFailed);
  EXPECT_EQ(d.last_error, "certificate expired");
  auto full = store_->GetDelivery(id);
  ASSERT_EQ((*full)->attempts.size(), 2u);
  EXPECT_EQ((*full)->attempts[0].outcome, AttemptOutcome::kConnectError);
  EXPECT_EQ((*full)->attempts[1].outcome, AttemptOutcome::kTlsError);
  clock_.Advance(1'000'000);
  EXPECT_EQ(dispatcher_->RunDue(), 0);
}

// The real sender: a callback host whose name does not resolve (`.invalid` never does) is an
// attempt that failed with a connect error naming the host, and the delivery is retried on the
// schedule, not failed at once.
TEST_F(DispatcherTest, HostThatDoesNotResolveIsRecordedClearlyAndRetried) {
  sub_.callback_url = "https://hooks.no-such-host.invalid/hook";
  ASSERT_TRUE(store_->PutSubscription(sub_).ok());
  SocketSender real_sender(SocketSenderOptions{});
  DispatcherOptions o;
  o.schedule = RetrySchedule({std::chrono::seconds(5), std::chrono::seconds(60)});
  o.random = [] { return 0.5; };
  o.metrics = &metrics_;
  dispatcher_ = std::make_unique<Dispatcher>(*store_, real_sender, clock_, o);
  const DeliveryId id = Publish("e1");

  EXPECT_EQ(dispatcher_->RunDue(), 1);
  DeliveryRecord d = Record(id);
  EXPECT_EQ(d.status, DeliveryStatus::kPending);
  EXPECT_EQ(d.next_attempt_ms, kStart + 5000);
  EXPECT_NE(d.last_error.find("cannot resolve host hooks.no-such-host.invalid"), std::string::npos)
      << d.last_error;
  clock_.Advance(5000);
  EXPECT_EQ(dispatcher_->RunDue(), 1);
  auto full = store_->GetDelivery(id);
  ASSERT_TRUE(full.ok() && full->has_value());
  ASSERT_EQ((*full)->attempts.size(), 2u);
  for (const AttemptRecord& a : (*full)->attempts) {
    EXPECT_EQ(a.outcome, AttemptOutcome::kConnectError);
    EXPECT_NE(a.error.find("cannot resolve host"), std::string::npos) << a.error;
  }
  EXPECT_EQ(Record(id).status, DeliveryStatus::kPending);
  EXPECT_EQ(Record(id).next_attempt_ms, kStart + 5000 + 60000);
}

TEST_F(DispatcherTest, SignsAndAuthenticatesEveryAttemptWithTheSameWebhookId) {
  MakeDispatcher(RetrySchedule({std::chrono::seconds(2)}));
  sender_.Answer(502);
  Publish("e1");
  dispatcher_->RunDue();
  clock_.Advance(2000);
  dispatcher_->RunDue();
  auto requests = sender_.requests();
  ASSERT_EQ(requests.size(), 2u);
  auto header = [](const HttpRequest& r, const std::string& name) {
    for (const auto& [n, v] : r.headers) {
      if (n == name) return v;
    }
    return std::string();
  };
  EXPECT_EQ(header(requests[0], "webhook-id"), header(requests[1], "webhook-id"));
  EXPECT_EQ(header(requests[0], "webhook-timestamp"), std::to_string(kStart / 1000));
  EXPECT_EQ(header(requests[1], "webhook-timestamp"), std::to_string(kStart / 1000 + 2));
  EXPECT_EQ(header(requests[0], "kz-callback-token"), "tok");
  EXPECT_EQ(header(requests[0], "Authorization"), "Basic dTpw");
  auto key = DecodeWebhookSecret(sub_.secret);
  ASSERT_TRUE(key.ok());
  for (const auto& r : requests) {
    EXPECT_TRUE(VerifyWebhook(*key, header(r, "webhook-id"), header(r, "webhook-timestamp"), r.body,
                              header(r, "webhook-signature"), clock_.NowMs() / 1000)
                    .ok());
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.url.Origin(), "https://receiver.example:8443");
    EXPECT_EQ(r.url.target, "/hook");
  }
}

TEST_F(DispatcherTest, RotatedSecretSignsBesideTheOldOneUntilTheOverlapEnds) {
  MakeDispatcher(RetrySchedule({std::chrono::seconds(1)}));
  const std::string old_secret = sub_.secret;
  const std::string new_secret = GenerateWebhookSecret();
  auto rotated = store_->UpdateSubscription(sub_.id, [&](Subscription& s) -> Status {
    RotateSecret(s, new_secret, 60'000, clock_.NowMs());
    return Status::Ok();
  });
  ASSERT_TRUE(rotated.ok() && rotated->has_value());

  auto verifies = [](const HttpRequest& r, const std::string& secret) {
    std::map<std::string, std::string> h(r.headers.begin(), r.headers.end());
    const std::int64_t ts = std::stoll(h["webhook-timestamp"]);
    return VerifyWebhook(DecodeWebhookSecret(secret).value(), h["webhook-id"],
                         h["webhook-timestamp"], r.body, h["webhook-signature"], ts)
        .ok();
  };
  Publish("during");
  clock_.Advance(59'999);  // the last millisecond of the overlap
  Publish("late-during");
  ASSERT_EQ(dispatcher_->RunDue(), 2);
  clock_.Advance(1);  // the overlap is over
  Publish("after");
  ASSERT_EQ(dispatcher_->RunDue(), 1);

  auto requests = sender_.requests();
  ASSERT_EQ(requests.size(), 3u);
  for (int i : {0, 1}) {
    EXPECT_TRUE(verifies(requests[i], new_secret)) << i;
    EXPECT_TRUE(verifies(requests[i], old_secret)) << i;
  }
  EXPECT_TRUE(verifies(requests[2], new_secret));
  EXPECT_FALSE(verifies(requests[2], old_secret)) << "the old secret still signs after the overlap";
}

TEST_F(DispatcherTest, DeletedSubscriptionCancelsItsPendingDeliveryWithoutARequest) {
  MakeDispatcher(RetrySchedule({std::chrono::seconds(1)}));
  const DeliveryId id = Publish("e1");
  ASSERT_TRUE(store_->DeleteSubscription(sub_.id, clock_.NowMs()).ok());
  dispatcher_->RunDue();
  EXPECT_TRUE(sender_.requests().empty());
  DeliveryRecord d = Record(id);
  EXPECT_EQ(d.status, DeliveryStatus::kFailed);
  EXPECT_NE(d.last_error.find("deleted"), std::string::npos);
}

TEST_F(DispatcherTest, GoneDisablesTheSubscriptionAtOnceAndTakesItOutOfMatching) {
  MakeDispatcher(RetrySchedule({std::chrono::seconds(5), std::chrono::seconds(300)}));
  sender_.Answer(410);
  const DeliveryId id = Publish("e1");
  EXPECT_EQ(dispatcher_->RunDue(), 1);
  DeliveryRecord d = Record(id);
  EXPECT_EQ(d.status, DeliveryStatus::kFailed) << "410 is final: no retry";
  EXPECT_EQ(d.attempts, 1);
  EXPECT_NE(d.last_error.find("410"), std::string::npos);
  const Subscription sub = StoredSubscription();
  EXPECT_TRUE(sub.disabled());
  EXPECT_EQ(sub.disabled_ms, kStart);
  EXPECT_NE(sub.disabled_reason.find("410 Gone"), std::string::npos);
  EXPECT_EQ(Matches("e2"), 0u);
  EXPECT_NE(metrics_.Render({}, {}, kStart).find("hookbroker_subscriptions_disabled_total 1"),
            std::string::npos);
}

TEST_F(DispatcherTest, DisabledSubscriptionCancelsItsOtherPendingDeliveriesWithoutARequest) {
  MakeDispatcher(RetrySchedule({std::chrono::seconds(5)}));
  sender_.Answer(410);
  const DeliveryId first = Publish("e1");
  const DeliveryId second = Publish("e2");
  dispatcher_->RunDue();
  EXPECT_EQ(sender_.requests().size(), 1u);
  EXPECT_EQ(Record(first).last_http_status, 410);
  DeliveryRecord d = Record(second);
  EXPECT_EQ(d.status, DeliveryStatus::kFailed);
  EXPECT_NE(d.last_error.find("disabled"), std::string::npos);
}

TEST_F(DispatcherTest, FailingWithoutASuccessForFiveDaysDisables) {
  MakeDispatcher(RetrySchedule(std::vector<RetrySchedule::Millis>(10, std::chrono::hours(24))));
  for (int i = 0; i < 10; ++i) sender_.Answer(500);
  Publish("e1");
  for (int attempt = 0; attempt < 5; ++attempt) {  // days 0..4
    EXPECT_EQ(dispatcher_->RunDue(), 1) << attempt;
    EXPECT_FALSE(StoredSubscription().disabled()) << "after the attempt on day " << attempt;
    clock_.Advance(24LL * 3600 * 1000);
  }
  EXPECT_EQ(dispatcher_->RunDue(), 1);  // day 5
  const Subscription sub = StoredSubscription();
  EXPECT_TRUE(sub.disabled());
  EXPECT_NE(sub.disabled_reason.find("5 days"), std::string::npos) << sub.disabled_reason;
}

TEST_F(DispatcherTest, ASuccessRestartsTheFailingPeriod) {
  const std::int64_t day_ms = 24LL * 3600 * 1000;
  MakeDispatcher(RetrySchedule(std::vector<RetrySchedule::Millis>(10, std::chrono::hours(24))));
  sender_.Answer(500);  // day 0: fails
  Publish("e1");
  dispatcher_->RunDue();
  clock_.Advance(3 * day_ms);  // day 3: the retry succeeds (the sender's default answer)
  dispatcher_->RunDue();
  clock_.Advance(day_ms);  // day 4: a new event fails from now on
  for (int i = 0; i < 10; ++i) sender_.Answer(503);
  Publish("e2");
  for (int day = 4; day <= 8; ++day) {
    dispatcher_->RunDue();
    EXPECT_FALSE(StoredSubscription().disabled()) << "failing since day 4, now day " << day;
    clock_.Advance(day_ms);
  }
  dispatcher_->RunDue();  // day 9: five days of failure
  EXPECT_TRUE(StoredSubscription().disabled());
}

TEST_F(DispatcherTest, RedirectIsAFailureThatIsRetriedNotFollowed) {
  MakeDispatcher(RetrySchedule({std::chrono::seconds(5)}));
  sender_.Answer(302);
  const DeliveryId id = Publish("e1");
  dispatcher_->RunDue();
  DeliveryRecord d = Record(id);
  EXPECT_EQ(d.status, DeliveryStatus::kPending);
  EXPECT_EQ(d.last_http_status, 302);
  EXPECT_EQ(d.next_attempt_ms, kStart + 5000);
}

TEST_F(DispatcherTest, PendingDeliveriesAreReloadedAfterRestart) {
  MakeDispatcher(RetrySchedule({std::chrono::seconds(30)}));
  sender_.Answer(500);
  const DeliveryId id = Publish("e1");
  dispatcher_->RunDue();  // fails once, waits 30 s
  dispatcher_.reset();

  MakeDispatcher(RetrySchedule({std::chrono::seconds(30)}));
  ASSERT_TRUE(dispatcher_->LoadPending().ok());
  EXPECT_EQ(dispatcher_->queued(), 1u);
  EXPECT_EQ(dispatcher_->RunDue(), 0);
  clock_.Advance(30000);
  EXPECT_EQ(dispatcher_->RunDue(), 1);
  EXPECT_EQ(Record(id).status, DeliveryStatus::kDelivered);
}

}  // namespace
}  // namespace hookbroker::testing

namespace hookbroker::testing {
namespace {

TEST_F(DispatcherTest, PausedSubscriptionHoldsDeliveriesUntilResumed) {
  MakeDispatcher(RetrySchedule({std::chrono::seconds(1)}));
  auto paused = store_->UpdateSubscription(sub_.id, [](Subscription& s) {
    s.paused = true;
    return Status::Ok();
  });
  ASSERT_TRUE(paused.ok() && paused->has_value());
  const DeliveryId id = Publish("e1");
  EXPECT_EQ(dispatcher_->RunDue(), 1);
  EXPECT_TRUE(sender_.requests().empty()) << "no request while paused";
  EXPECT_EQ(Record(id).status, DeliveryStatus::kPending);
  EXPECT_EQ(Record(id).attempts, 0);
  EXPECT_EQ(dispatcher_->Gauges().parked, 1u);
  clock_.Advance(3'600'000);
  EXPECT_EQ(dispatcher_->RunDue(), 0) << "held, not retried";

  ASSERT_TRUE(store_
                  ->UpdateSubscription(sub_.id,
                                       [](Subscription& s) {
                                         s.paused = false;
                                         return Status::Ok();
                                       })
                  .ok());
  dispatcher_->Resume(sub_.id);
  EXPECT_EQ(dispatcher_->RunDue(), 1);
  EXPECT_EQ(sender_.requests().size(), 1u);
  EXPECT_EQ(Record(id).status, DeliveryStatus::kDelivered);
  EXPECT_EQ(dispatcher_->Gauges().parked, 0u);
}

TEST_F(DispatcherTest, RedeliveredDeliveryGetsAFreshRoundOfRetries) {
  MakeDispatcher(RetrySchedule({std::chrono::seconds(5)}));
  sender_.Answer(500);
  sender_.Answer(500);
  const DeliveryId id = Publish("e1");
  dispatcher_->RunDue();
  clock_.Advance(5000);
  dispatcher_->RunDue();
  ASSERT_EQ(Record(id).status, DeliveryStatus::kFailed);

  sender_.Answer(503);
  auto requeued = store_->Requeue(id, clock_.NowMs());
  ASSERT_TRUE(requeued.ok() && requeued->has_value());
  const NewDelivery again{id, sub_.id, clock_.NowMs(), false};
  dispatcher_->Enqueue(std::span<const NewDelivery>(&again, 1));
  EXPECT_EQ(dispatcher_->RunDue(), 1);
  DeliveryRecord d = Record(id);
  EXPECT_EQ(d.status, DeliveryStatus::kPending) << "attempt 3 is the first of a new round";
  EXPECT_EQ(d.attempts, 3);
  EXPECT_EQ(d.next_attempt_ms, clock_.NowMs() + 5000);
  clock_.Advance(5000);
  EXPECT_EQ(dispatcher_->RunDue(), 1);
  EXPECT_EQ(Record(id).status, DeliveryStatus::kDelivered);
}

TEST_F(DispatcherTest, AttemptRecordKeepsUrlAndMasksSecretsInHeaders) {
  MakeDispatcher(RetrySchedule({}));
  const DeliveryId id = Publish("e1");
  dispatcher_->RunDue();
  auto d = store_->GetDelivery(id);
  ASSERT_TRUE(d.ok() && d->has_value());
  const AttemptRecord& a = (*d)->attempts.at(0);
  EXPECT_EQ(a.url, sub_.callback_url);
  std::map<std::string, std::string> headers(a.request_headers.begin(), a.request_headers.end());
  EXPECT_EQ(headers["Authorization"], "Basic ****");
  EXPECT_EQ(headers["kz-callback-token"], "****");
  EXPECT_FALSE(headers["webhook-signature"].empty());
  EXPECT_EQ(headers["Content-Type"], "application/json");
}

}  // namespace
}  // namespace hookbroker::testing

namespace hookbroker::testing {
namespace {

// Regression: a delivery parked just after its webhook was resumed (the worker had read the
// subscription while it was still paused) stayed pending until the next restart.
TEST_F(DispatcherTest, DeliveryParkedAfterItsResumeIsReleasedBySweep) {
  MakeDispatcher(RetrySchedule({std::chrono::seconds(1)}));
  ASSERT_TRUE(store_
                  ->UpdateSubscription(sub_.id,
                                       [](Subscription& s) {
                                         s.paused = true;
                                         return Status::Ok();
                                       })
                  .ok());
  dispatcher_->Start();
  const DeliveryId id = Publish("e1");
  for (int i = 0; i < 200 && dispatcher_->Gauges().parked == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(dispatcher_->Gauges().parked, 1u);
  // Unpaused in the store, but no Resume() call: as if it ran before the delivery was parked.
  ASSERT_TRUE(store_
                  ->UpdateSubscription(sub_.id,
                                       [](Subscription& s) {
                                         s.paused = false;
                                         return Status::Ok();
                                       })
                  .ok());
  for (int i = 0; i < 500 && Record(id).status != DeliveryStatus::kDelivered; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(Record(id).status, DeliveryStatus::kDelivered);
  dispatcher_->Stop();
}

// A sender that takes 5 ms per callback and remembers how many were in flight at once.
class SlowCountingSender final : public HttpSender {
 public:
  HttpResult Send(const HttpRequest&) override {
    const int now = ++in_flight_;
    int seen = most_.load();
    while (now > seen && !most_.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    --in_flight_;
    ++sent_;
    HttpResult ok;
    ok.kind = HttpResult::Kind::kResponse;
    ok.status = 200;
    return ok;
  }
  int most() const { return most_.load(); }
  int sent() const { return sent_.load(); }

 private:
  std::atomic<int> in_flight_{0};
  std::atomic<int> most_{0};
  std::atomic<int> sent_{0};
};

// What a crash can make the broker repeat is what was sent and not yet recorded: the dispatcher
// keeps that under max_unrecorded, whatever the workers and endpoint slots would allow.
int MostInFlight(Store& store, const Clock& clock, int max_unrecorded) {
  SlowCountingSender sender;
  DispatcherOptions o;
  o.workers = 4;
  o.endpoint_concurrency = 4;
  o.max_unrecorded = max_unrecorded;
  Dispatcher dispatcher(store, sender, clock, o);
  std::vector<NewDelivery> created;
  std::vector<Event> events;
  for (int i = 0; i < 40; ++i) {
    events.push_back(MakeEvent("cap-" + std::to_string(max_unrecorded) + "-" + std::to_string(i),
                               "MemberAdded", "g"));
  }
  EXPECT_TRUE(store.CommitEvents(events, clock.NowMs(), &created).ok());
  dispatcher.Start();
  dispatcher.Enqueue(created);
  for (int i = 0; i < 500 && sender.sent() < 40; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  dispatcher.Stop();
  EXPECT_EQ(sender.sent(), 40);
  return sender.most();
}

TEST_F(DispatcherTest, AttemptsSentAndNotYetRecordedStayUnderTheCap) {
  EXPECT_EQ(MostInFlight(*store_, clock_, 1), 1);
  EXPECT_GT(MostInFlight(*store_, clock_, 0), 1) << "without a tight cap, the 4 workers overlap";
}

// A retry must go out when it falls due even while the other workers are stuck in slow
// attempts: one idle worker watches the earliest timer, and whoever takes the due job hands
// the watch on. X's retry (due first) hangs its worker for 3 s; Y's retry, due 50 ms later,
// must not wait for it (the one other worker sleeps until woken).
class TimedSender final : public HttpSender {
 public:
  HttpResult Send(const HttpRequest& request) override {
    const bool x = request.url.host == "x.example";
    int attempt = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      attempt = ++attempts_[request.url.host];
    }
    if (!x && attempt == 1) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (x && attempt == 2) std::this_thread::sleep_for(std::chrono::seconds(3));
    HttpResult r;
    r.kind = HttpResult::Kind::kResponse;
    r.status = attempt == 1 ? 500 : 200;
    if (!x && attempt == 2) {
      std::lock_guard<std::mutex> lock(mu_);
      y_retry_at_ = std::chrono::steady_clock::now();
    }
    return r;
  }
  std::optional<std::chrono::steady_clock::time_point> y_retry_at() const {
    std::lock_guard<std::mutex> lock(mu_);
    return y_retry_at_;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, int> attempts_;
  std::optional<std::chrono::steady_clock::time_point> y_retry_at_;
};

TEST(DispatcherTimersTest, ARetryFallsDueOnTimeWhileOtherWorkersAreBusy) {
  TempDir dir;
  auto opened = Store::Open(StoreOptions{dir.path(), 64ULL << 20, 126});
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  Store& store = **opened;
  for (const char* name : {"x", "y"}) {
    Subscription sub = MakeSubscription(std::string("sub-") + name, ObjectType::kGroup, name);
    sub.callback_url = std::string("https://") + name + ".example/hook";
    ASSERT_TRUE(store.PutSubscription(sub).ok());
  }
  SystemClock clock;
  TimedSender sender;
  DispatcherOptions o;
  o.workers = 2;
  o.schedule = RetrySchedule({std::chrono::milliseconds(100)}, /*jitter=*/0.0);
  Dispatcher dispatcher(store, sender, clock, o);
  std::vector<NewDelivery> created;
  const std::vector<Event> events = {MakeEvent("ex", "MemberAdded", "x"),
                                     MakeEvent("ey", "MemberAdded", "y")};
  ASSERT_TRUE(store.CommitEvents(events, clock.NowMs(), &created).ok());
  ASSERT_EQ(created.size(), 2u);
  const auto start = std::chrono::steady_clock::now();
  dispatcher.Start();
  dispatcher.Enqueue(created);
  for (int i = 0; i < 400 && !sender.y_retry_at(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  dispatcher.Stop();
  ASSERT_TRUE(sender.y_retry_at()) << "Y's retry was not sent within 2 s";
  // Due ~150 ms after the start; X's hanging retry would hold it until ~3.1 s.
  EXPECT_LT(*sender.y_retry_at() - start, std::chrono::milliseconds(2000));
}

TEST_F(DispatcherTest, AnAnswerThatIsNotUtf8IsStoredAsTextAndReadsBack) {
  // A binary answer, cut inside a character at the excerpt's limit: the attempt record must
  // still be readable (the audit API serves it as JSON).
  MakeDispatcher(RetrySchedule({std::chrono::seconds(5)}));
  HttpResult r;
  r.kind = HttpResult::Kind::kResponse;
  r.status = 500;
  r.body_excerpt = std::string("\x89PNG\r\n\x1a\n caf\xc3\xa9 \xe2\x82", 17);
  sender_.Script(r);
  const DeliveryId id = Publish("e-binary");
  EXPECT_EQ(dispatcher_->RunDue(), 1);
  auto d = store_->GetDelivery(id);
  ASSERT_TRUE(d.ok()) << d.error().message;
  ASSERT_TRUE(d->has_value());
  ASSERT_EQ((*d)->attempts.size(), 1u);
  EXPECT_EQ((*d)->attempts[0].response_excerpt,
            "\xEF\xBF\xBDPNG\r\n\x1a\n caf\xc3\xa9 \xEF\xBF\xBD\xEF\xBF\xBD");
}

}  // namespace
}  // namespace hookbroker::testing
