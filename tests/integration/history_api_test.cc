// The delivery history side of the REST contract (docs/API.md) against the real daemon and real
// HTTPS receivers: finding, inspecting and redelivering deliveries, replay after an outage,
// PATCH (pause, new URL, new event types), stats, stored events, delivery filters and paging,
// the attempt log with its long poll, the audit export, /metrics, history expiry and JSON logs.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "proto/base64.h"
#include "tests/integration/broker_fixture.h"

namespace hookbroker::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

json::object ParseObject(const std::string& text) { return json::parse(text).as_object(); }

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Polls `done` every 20 ms until it holds or `timeout` passes; returns its last answer.
bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
}

std::string Str(const json::value& v) { return std::string(v.as_string()); }

json::object Event(const std::string& type, const std::string& group, const std::string& id) {
  return json::object{{"eventType", type}, {"groupId", group}, {"eventId", id}};
}

class HistoryApiTest : public BrokerFixture {
 protected:
  // GET /v1/deliveries?QUERY → the deliveries array (empty on error, with a failure recorded;
  // *ok, when given, tells whether the call succeeded).
  json::array Deliveries(const std::string& query, bool* ok = nullptr) {
    HttpReply r = Api("GET", "/v1/deliveries?" + query);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body << "\n" << broker_->Output();
    if (ok != nullptr) *ok = r.status == 200;
    if (r.status != 200) return {};
    return ParseObject(r.body).at("deliveries").as_array();
  }

  // Waits until `query` lists at least `count` deliveries; expects exactly `count`.
  json::array WaitForDeliveries(const std::string& query, std::size_t count,
                                std::chrono::milliseconds timeout = 10s) {
    json::array list;
    WaitUntil(
        [&] {
          bool ok = true;
          list = Deliveries(query, &ok);
          return !ok || list.size() >= count;  // an error ends the wait
        },
        timeout);
    EXPECT_EQ(list.size(), count) << query;
    return list;
  }

  // GET /v1/deliveries/{id}, waiting until its status is `status`.
  json::object WaitForDeliveryStatus(const std::string& id, const std::string& status,
                                     std::chrono::milliseconds timeout = 10s) {
    json::object d;
    const bool reached = WaitUntil(
        [&] {
          HttpReply r = Api("GET", "/v1/deliveries/" + id);
          if (r.status != 200) return false;
          d = ParseObject(r.body);
          return d.at("status").as_string() == status;
        },
        timeout);
    EXPECT_TRUE(reached) << "delivery " << id << " never became " << status << ": "
                         << json::serialize(d);
    return d;
  }

  // The `field` of a JSON error reply, after checking its status.
  std::string ErrorField(const HttpReply& r, int status = 400) {
    EXPECT_EQ(r.status, status) << r.body;
    auto v = json::parse(r.body);
    const json::object& e = v.at("error").as_object();
    return e.contains("field") ? Str(e.at("field")) : "";
  }

  std::string Patch(const std::string& id, const json::object& body, int expected = 200) {
    HttpReply r = Api("PATCH", "/v1/webhook/" + id, json::serialize(body));
    EXPECT_EQ(r.status, expected) << r.body;
    return r.body;
  }
};

// ---------------------------------------------------------------------------------------------
// 1. Find, inspect, redeliver

TEST_F(HistoryApiTest, FailedDeliveryIsFoundInspectedWithSecretsMaskedAndRedeliveredOnward) {
  StartBroker();
  const std::string kToken = "kz-token-S3CRET-41";
  const std::string kPassword = "pw-S3CRET-42";
  auto [id, secret] =
      Register("Group", "g-inspect", {"*"},
               json::object{{"callBackToken", kToken},
                            {"auth", json::object{{"username", "svc"}, {"password", kPassword}}}});
  ASSERT_FALSE(id.empty());
  receiver_->Script(4, {500, {}, "down for maintenance", 0ms});
  Publish(Event("TextMessageCreated", "g-inspect", "e-inspect"));

  // Found by status and webhook.
  json::array failed = WaitForDeliveries("status=failed&webhookId=" + id, 1);
  ASSERT_EQ(failed.size(), 1u);
  const std::string delivery_id = Str(failed[0].at("id"));
  EXPECT_EQ(failed[0].at("eventId").as_string(), "e-inspect");
  EXPECT_TRUE(Deliveries("status=delivered&webhookId=" + id).empty());
  EXPECT_TRUE(Deliveries("status=failed&webhookId=no-such-webhook").empty());
  // The receiver did get the real secrets.
  ASSERT_EQ(receiver_->Posts().size(), 4u);
  EXPECT_EQ(receiver_->Posts()[0].headers["kz-callback-token"], kToken);
  EXPECT_EQ(receiver_->Posts()[0].headers["authorization"],
            "Basic " + Base64Encode("svc:" + kPassword));

  // Inspected: every attempt, with the request headers masked.
  HttpReply one = Api("GET", "/v1/deliveries/" + delivery_id);
  ASSERT_EQ(one.status, 200) << one.body;
  for (const std::string& s :
       {kToken, kPassword, Base64Encode("svc:" + kPassword), secret, std::string(kApiKey)}) {
    EXPECT_FALSE(Contains(one.body, s)) << "secret " << s << " in " << one.body;
  }
  json::object d = ParseObject(one.body);
  EXPECT_EQ(d.at("status").as_string(), "failed");
  EXPECT_EQ(d.at("attemptCount").as_int64(), 4);
  EXPECT_EQ(d.at("lastHttpStatus").as_int64(), 500);
  const json::array attempts = d.at("attempts").as_array();
  ASSERT_EQ(attempts.size(), 4u);
  std::int64_t previous_start = 0;
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    const json::object& a = attempts[i].as_object();
    EXPECT_EQ(a.at("attempt").as_int64(), static_cast<std::int64_t>(i + 1));
    EXPECT_GT(a.at("startedAt").as_int64(), previous_start);
    previous_start = a.at("startedAt").as_int64();
    EXPECT_GE(a.at("durationMs").as_int64(), 0);
    EXPECT_EQ(a.at("outcome").as_string(), "http_error");
    EXPECT_EQ(a.at("httpStatus").as_int64(), 500);
    EXPECT_EQ(a.at("response").as_string(), "down for maintenance");
    EXPECT_EQ(a.at("url").as_string(), receiver_->BaseUrl() + "/hook");
    const json::object& headers = a.at("requestHeaders").as_object();
    EXPECT_EQ(headers.at("Authorization").as_string(), "Basic ****");
    EXPECT_EQ(headers.at("kz-callback-token").as_string(), "****");
    EXPECT_TRUE(headers.contains("webhook-id"));
    EXPECT_TRUE(headers.contains("webhook-signature"));
  }

  // Redelivered: 202, then delivered, the new attempt appended as number 5.
  HttpReply re = Api("POST", "/v1/deliveries/" + delivery_id + "/redeliver");
  ASSERT_EQ(re.status, 202) << re.body;
  EXPECT_EQ(ParseObject(re.body).at("id").as_string(), delivery_id);
  json::object after = WaitForDeliveryStatus(delivery_id, "delivered");
  const json::array all = after.at("attempts").as_array();
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(after.at("attemptCount").as_int64(), 5);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(all[i].at("attempt").as_int64(), static_cast<std::int64_t>(i + 1));
    EXPECT_EQ(all[i].at("outcome").as_string(), "http_error");
  }
  EXPECT_EQ(all[4].at("attempt").as_int64(), 5);
  EXPECT_EQ(all[4].at("outcome").as_string(), "delivered");
  EXPECT_EQ(all[4].at("httpStatus").as_int64(), 200);
  EXPECT_EQ(all[4].at("requestHeaders").at("Authorization").as_string(), "Basic ****");
  ASSERT_TRUE(receiver_->WaitForPosts(5, 5s));
  EXPECT_EQ(receiver_->Posts()[4].headers["webhook-id"],
            receiver_->Posts()[0].headers["webhook-id"]);

  // A pending delivery (its webhook paused) cannot be redelivered; unknown ids are 404.
  const std::string paused = Register("Group", "g-inspect-p").first;
  ASSERT_FALSE(paused.empty());
  Patch(paused, json::object{{"paused", true}});
  Publish(Event("MemberAdded", "g-inspect-p", "e-pending"));
  json::array pending = WaitForDeliveries("status=pending&webhookId=" + paused, 1);
  ASSERT_EQ(pending.size(), 1u);
  HttpReply conflict = Api("POST", "/v1/deliveries/" + Str(pending[0].at("id")) + "/redeliver");
  EXPECT_EQ(conflict.status, 409) << conflict.body;
  EXPECT_EQ(ParseObject(conflict.body).at("error").at("code").as_string(), "conflict");
  EXPECT_EQ(Api("POST", "/v1/deliveries/987654321/redeliver").status, 404);
  EXPECT_EQ(Api("POST", "/v1/deliveries/not-a-number/redeliver").status, 404);
  EXPECT_EQ(Api("GET", "/v1/deliveries/987654321").status, 404);
  EXPECT_EQ(Api("GET", "/v1/deliveries/0").status, 404);
}

// ---------------------------------------------------------------------------------------------
// 2. Replay

TEST_F(HistoryApiTest, ReplayAfterOutageResendsExactlyTheMissedEventsAsTheHistorySays) {
  // Every delivery runs through its whole schedule at once: no circuit breaker holding them.
  StartBroker({"--breaker-failures", "0"});
  const std::string id = Register("Group", "g-outage").first;
  ASSERT_FALSE(id.empty());
  constexpr int kEvents = 10;
  // The fixture's schedule (0.2,0.2,0.2) makes 4 attempts per delivery: the endpoint answers 503
  // to exactly those, then recovers (the script runs out).
  receiver_->Script(kEvents * 4, {503, {}, "unavailable", 0ms});
  const std::int64_t t0 = NowMs();
  json::array batch;
  std::set<std::string> event_ids;
  for (int i = 0; i < kEvents; ++i) {
    const std::string eid = "outage-" + std::to_string(i);
    event_ids.insert(eid);
    batch.push_back(Event("TextMessageCreated", "g-outage", eid));
  }
  Publish(batch);
  ASSERT_EQ(WaitForDeliveries("status=failed&webhookId=" + id, kEvents, 20s).size(),
            static_cast<std::size_t>(kEvents))
      << broker_->Output();
  EXPECT_EQ(receiver_->Posts().size(), static_cast<std::size_t>(kEvents * 4));

  // Bad bodies name the field and queue nothing; an unknown webhook is 404.
  const std::string path = "/v1/webhook/" + id + "/replay";
  EXPECT_EQ(ErrorField(Api("POST", path, "{}")), "since");
  EXPECT_EQ(ErrorField(Api("POST", path, R"({"since":"yesterday"})")), "since");
  EXPECT_EQ(ErrorField(
                Api("POST", path, json::serialize(json::object{{"since", t0}, {"until", t0 - 1}}))),
            "until");
  EXPECT_EQ(
      ErrorField(Api("POST", path, json::serialize(json::object{{"since", t0}, {"status", "x"}}))),
      "status");
  EXPECT_EQ(Api("POST", "/v1/webhook/no-such-webhook/replay",
                json::serialize(json::object{{"since", t0}}))
                .status,
            404);
  // A window before the outage holds nothing.
  HttpReply none =
      Api("POST", path, json::serialize(json::object{{"since", 0}, {"until", t0 - 1}}));
  ASSERT_EQ(none.status, 202) << none.body;
  EXPECT_EQ(ParseObject(none.body).at("replayed").as_int64(), 0);

  HttpReply replay =
      Api("POST", path, json::serialize(json::object{{"since", t0}, {"status", "failed"}}));
  ASSERT_EQ(replay.status, 202) << replay.body;
  EXPECT_EQ(ParseObject(replay.body).at("replayed").as_int64(), kEvents);

  // Exactly the missed events arrive again, each once.
  ASSERT_EQ(WaitForDeliveries("status=delivered&webhookId=" + id, kEvents).size(),
            static_cast<std::size_t>(kEvents));
  auto posts = receiver_->Posts();
  ASSERT_EQ(posts.size(), static_cast<std::size_t>(kEvents * 5));
  std::multiset<std::string> resent;
  for (std::size_t i = kEvents * 4; i < posts.size(); ++i) {
    resent.insert(Str(ParseObject(posts[i].body).at("eventId")));
  }
  EXPECT_EQ(resent, std::multiset<std::string>(event_ids.begin(), event_ids.end()));

  // As the history says: 4 failed attempts, then one delivered, for each.
  json::array list = Deliveries("webhookId=" + id);
  ASSERT_EQ(list.size(), static_cast<std::size_t>(kEvents));
  for (const auto& item : list) {
    const json::object& d = item.as_object();
    EXPECT_EQ(d.at("status").as_string(), "delivered");
    EXPECT_EQ(d.at("attemptCount").as_int64(), 5);
    const json::array& attempts = d.at("attempts").as_array();
    ASSERT_EQ(attempts.size(), 5u);
    for (std::size_t i = 0; i < 4; ++i) {
      EXPECT_EQ(attempts[i].at("httpStatus").as_int64(), 503);
      EXPECT_EQ(attempts[i].at("outcome").as_string(), "http_error");
    }
    EXPECT_EQ(attempts[4].at("attempt").as_int64(), 5);
    EXPECT_EQ(attempts[4].at("outcome").as_string(), "delivered");
  }

  // Nothing failed is left; "all" sends the delivered ones again.
  HttpReply again = Api("POST", path, json::serialize(json::object{{"since", t0}}));
  ASSERT_EQ(again.status, 202);
  EXPECT_EQ(ParseObject(again.body).at("replayed").as_int64(), 0);
  HttpReply all =
      Api("POST", path, json::serialize(json::object{{"since", t0}, {"status", "all"}}));
  ASSERT_EQ(all.status, 202) << all.body;
  EXPECT_EQ(ParseObject(all.body).at("replayed").as_int64(), kEvents);
  ASSERT_TRUE(receiver_->WaitForPosts(kEvents * 6, 10s));
  bool six_each = false;
  WaitUntil(
      [&] {
        bool ok = true;
        json::array l = Deliveries("status=delivered&webhookId=" + id, &ok);
        six_each = l.size() == static_cast<std::size_t>(kEvents);
        for (const auto& d : l) six_each = six_each && d.at("attemptCount").as_int64() == 6;
        return !ok || six_each;
      },
      10s);
  EXPECT_TRUE(six_each) << "each delivery: 4 failed, 1 delivered, 1 delivered again";
  EXPECT_EQ(receiver_->Posts().size(), static_cast<std::size_t>(kEvents * 6));
}

// ---------------------------------------------------------------------------------------------
// 3. PATCH

TEST_F(HistoryApiTest, PausedWebhookHoldsNewDeliveriesPendingWithoutAttemptsUntilResumed) {
  StartBroker();
  const std::string id = Register("Group", "g-pause").first;
  ASSERT_FALSE(id.empty());
  json::object paused = ParseObject(Patch(id, json::object{{"paused", true}}));
  EXPECT_EQ(paused.at("paused").as_bool(), true);
  EXPECT_EQ(ParseObject(Api("GET", "/v1/webhook/" + id).body).at("paused").as_bool(), true);

  Publish(
      json::array{Event("MemberAdded", "g-pause", "p-1"), Event("MemberAdded", "g-pause", "p-2")});
  EXPECT_FALSE(receiver_->WaitForPosts(1, 1s)) << "a paused webhook got a callback";
  json::array list = Deliveries("webhookId=" + id);
  ASSERT_EQ(list.size(), 2u);
  for (const auto& d : list) {
    EXPECT_EQ(d.at("status").as_string(), "pending");
    EXPECT_EQ(d.at("attemptCount").as_int64(), 0);
    EXPECT_TRUE(d.at("attempts").as_array().empty());
  }
  EXPECT_EQ(ParseObject(Api("GET", "/v1/webhook/" + id + "/stats").body).at("paused").as_bool(),
            true);

  json::object resumed = ParseObject(Patch(id, json::object{{"paused", false}}));
  EXPECT_EQ(resumed.at("paused").as_bool(), false);
  ASSERT_TRUE(receiver_->WaitForPosts(2, 5s));
  std::set<std::string> got;
  for (const auto& p : receiver_->Posts()) got.insert(Str(ParseObject(p.body).at("eventId")));
  EXPECT_EQ(got, (std::set<std::string>{"p-1", "p-2"}));
  EXPECT_EQ(WaitForDeliveries("status=delivered&webhookId=" + id, 2).size(), 2u);
}

TEST_F(HistoryApiTest, PatchedCallbackUrlIsHandshakedAndGetsCallbacksAndEventTypesApply) {
  StartBroker();
  const std::string id = Register("Group", "g-move", {"TextMessageCreated"}).first;
  ASSERT_FALSE(id.empty());
  auto second = StartReceiver(pki_);
  const std::string new_url = second->BaseUrl() + "/moved";
  json::object reply = ParseObject(Patch(id, json::object{{"callBackUrl", new_url}}));
  EXPECT_EQ(reply.at("callbackUrl").as_string(), new_url);
  EXPECT_EQ(reply.at("paused").as_bool(), false);
  ASSERT_EQ(second->Handshakes().size(), 1u) << "the new URL was not validated";
  EXPECT_EQ(second->Handshakes()[0].path, "/moved");

  Publish(Event("TextMessageCreated", "g-move", "m-1"));
  ASSERT_TRUE(second->WaitForPosts(1, 5s));
  EXPECT_EQ(second->Posts()[0].path, "/moved");
  EXPECT_EQ(ParseObject(second->Posts()[0].body).at("eventId").as_string(), "m-1");
  EXPECT_TRUE(receiver_->Posts().empty()) << "the old URL still got a callback";

  // New event types: the old one no longer matches, the new one does.
  json::object types =
      ParseObject(Patch(id, json::object{{"eventTypes", json::array{"MemberAdded"}}}));
  EXPECT_EQ(types.at("events"), json::value(json::array{"MemberAdded"}));
  auto deliveries_of = [&](const json::object& e) {
    return Publish(e).at("results").as_array().at(0).at("deliveries").as_int64();
  };
  EXPECT_EQ(deliveries_of(Event("TextMessageCreated", "g-move", "m-2")), 0);
  EXPECT_EQ(deliveries_of(Event("MemberAdded", "g-move", "m-3")), 1);
  ASSERT_TRUE(second->WaitForPosts(2, 5s));
  EXPECT_EQ(ParseObject(second->Posts()[1].body).at("eventId").as_string(), "m-3");
  second->Stop();
}

TEST_F(HistoryApiTest, PatchRefusesFixedFieldsBadUrlsAndUnknownIdsChangingNothing) {
  StartBroker();
  const std::string id =
      Register("Group", "g-fixed", {"*"}, json::object{{"callBackToken", "tok-1"}}).first;
  ASSERT_FALSE(id.empty());
  const std::string old_url = receiver_->BaseUrl() + "/hook";
  const std::string before = Api("GET", "/v1/webhook/" + id).body;

  EXPECT_EQ(ErrorField(Api("PATCH", "/v1/webhook/" + id, R"({"objectId":"other"})")), "objectId");
  EXPECT_EQ(ErrorField(Api("PATCH", "/v1/webhook/" + id, R"({"objectType":"Action"})")),
            "objectType");
  EXPECT_EQ(ErrorField(Api("PATCH", "/v1/webhook/" + id, R"({"secret":"whsec_AAAA"})")), "secret");
  EXPECT_EQ(ErrorField(Api("PATCH", "/v1/webhook/" + id, R"({"paused":"yes"})")), "paused");
  EXPECT_EQ(ErrorField(Api("PATCH", "/v1/webhook/" + id, R"({"eventTypes":[]})")), "eventTypes");
  // A malformed URL, together with a valid change: neither is applied.
  EXPECT_EQ(ErrorField(Api("PATCH", "/v1/webhook/" + id,
                           R"({"callBackToken":"tok-2","callBackUrl":"not a url"})")),
            "callBackUrl");
  // A URL that fails the validation handshake (nothing listens there).
  HttpReply unreachable = Api("PATCH", "/v1/webhook/" + id,
                              R"({"callBackToken":"tok-3","callBackUrl":"https://127.0.0.1:1/x"})");
  EXPECT_EQ(ErrorField(unreachable), "callBackUrl");
  EXPECT_EQ(ParseObject(unreachable.body).at("error").at("code").as_string(), "validation_failed");

  HttpReply now = Api("GET", "/v1/webhook/" + id);
  ASSERT_EQ(now.status, 200);
  EXPECT_EQ(now.body, before);
  EXPECT_EQ(ParseObject(now.body).at("callbackUrl").as_string(), old_url);
  EXPECT_EQ(ParseObject(now.body).at("callbackToken").as_string(), "tok-1");

  EXPECT_EQ(Api("PATCH", "/v1/webhook/no-such-webhook", R"({"paused":true})").status, 404);
  // Callbacks still go to the old URL.
  Publish(Event("MemberAdded", "g-fixed", "f-1"));
  ASSERT_TRUE(receiver_->WaitForPosts(1, 5s));
  EXPECT_EQ(receiver_->Posts()[0].headers["kz-callback-token"], "tok-1");
}

// ---------------------------------------------------------------------------------------------
// 4. Stats

TEST_F(HistoryApiTest, StatsCountOutcomesAttemptsLastTimesAndLatency) {
  StartBroker();
  const std::string id = Register("Group", "g-stats").first;
  ASSERT_FALSE(id.empty());
  const std::string path = "/v1/webhook/" + id + "/stats";
  HttpReply empty = Api("GET", path);
  ASSERT_EQ(empty.status, 200) << empty.body;
  json::object s0 = ParseObject(empty.body);
  EXPECT_EQ(s0.at("webhookId").as_string(), id);
  EXPECT_EQ(s0.at("attempts").as_int64(), 0);
  EXPECT_TRUE(s0.at("successRate").is_null());
  EXPECT_TRUE(s0.at("lastSuccessAt").is_null());
  EXPECT_TRUE(s0.at("latencyMs").at("p50").is_null());

  const std::int64_t t0 = NowMs();
  receiver_->Script(4, {500, {}, "no", 0ms});
  Publish(Event("MemberAdded", "g-stats", "s-1"));
  ASSERT_EQ(WaitForDeliveries("status=failed&webhookId=" + id, 1).size(), 1u);
  Publish(Event("MemberAdded", "g-stats", "s-2"));
  ASSERT_EQ(WaitForDeliveries("status=delivered&webhookId=" + id, 1).size(), 1u);

  json::object s = ParseObject(Api("GET", path).body);
  EXPECT_EQ(s.at("paused").as_bool(), false);
  EXPECT_EQ(s.at("pending").as_int64(), 0);
  EXPECT_EQ(s.at("delivered").as_int64(), 1);
  EXPECT_EQ(s.at("failed").as_int64(), 1);
  EXPECT_DOUBLE_EQ(s.at("successRate").to_number<double>(), 0.5);
  EXPECT_EQ(s.at("attempts").as_int64(), 5);
  ASSERT_TRUE(s.at("lastSuccessAt").is_int64()) << json::serialize(s);
  ASSERT_TRUE(s.at("lastFailureAt").is_int64()) << json::serialize(s);
  EXPECT_GE(s.at("lastFailureAt").as_int64(), t0);
  EXPECT_GT(s.at("lastSuccessAt").as_int64(), s.at("lastFailureAt").as_int64());
  EXPECT_LE(s.at("lastSuccessAt").as_int64(), NowMs());
  const json::object& latency = s.at("latencyMs").as_object();
  ASSERT_TRUE(latency.at("p50").is_int64()) << json::serialize(s);
  ASSERT_TRUE(latency.at("p99").is_int64()) << json::serialize(s);
  EXPECT_GT(latency.at("p50").as_int64(), 0);
  EXPECT_GE(latency.at("p99").as_int64(), latency.at("p50").as_int64());

  EXPECT_EQ(ErrorField(Api("GET", "/v1/webhook/no-such-webhook/stats"), 404), "webhookId");
}

// ---------------------------------------------------------------------------------------------
// 5. Stored events

TEST_F(HistoryApiTest, EventLookupShowsTheStoredEventAndEachDeliveryWithItsStatus) {
  StartBroker();
  const std::string live = Register("Group", "g-event").first;
  const std::string held = Register("Group", "g-event").first;
  ASSERT_FALSE(live.empty() || held.empty());
  Patch(held, json::object{{"paused", true}});
  json::object e = Event("TextMessageCreated", "g-event", "ev-1");
  e["fromUser"] = "+911234";
  e["data"] = json::object{{"text", "hello"}, {"n", 5}};
  Publish(e);
  ASSERT_EQ(WaitForDeliveries("status=delivered&eventId=ev-1", 1).size(), 1u);

  HttpReply r = Api("GET", "/v1/events/ev-1");
  ASSERT_EQ(r.status, 200) << r.body;
  json::object v = ParseObject(r.body);
  const json::object& event = v.at("event").as_object();
  EXPECT_EQ(event.at("eventId").as_string(), "ev-1");
  EXPECT_EQ(event.at("eventType").as_string(), "TextMessageCreated");
  EXPECT_EQ(event.at("groupId").as_string(), "g-event");
  EXPECT_EQ(event.at("fromUser").as_string(), "+911234");
  EXPECT_EQ(event.at("data"), json::value(json::object{{"text", "hello"}, {"n", 5}}));
  std::map<std::string, json::object> by_webhook;
  for (const auto& d : v.at("deliveries").as_array()) {
    by_webhook[Str(d.at("webhookId"))] = d.as_object();
  }
  ASSERT_EQ(by_webhook.size(), 2u) << r.body;
  EXPECT_EQ(by_webhook[live].at("status").as_string(), "delivered");
  EXPECT_EQ(by_webhook[live].at("attemptCount").as_int64(), 1);
  EXPECT_EQ(by_webhook[live].at("lastHttpStatus").as_int64(), 200);
  EXPECT_FALSE(by_webhook[live].at("id").as_string().empty());
  EXPECT_EQ(by_webhook[held].at("status").as_string(), "pending");
  EXPECT_EQ(by_webhook[held].at("attemptCount").as_int64(), 0);

  EXPECT_EQ(ErrorField(Api("GET", "/v1/events/no-such-event"), 404), "eventId");
}

// ---------------------------------------------------------------------------------------------
// 6. Delivery filters and paging

TEST_F(HistoryApiTest, DeliveriesFilterByTypeTimeAndStatusAndPageNewestFirstWithoutGapsOrDups) {
  StartBroker();
  const std::string id = Register("Group", "g-filter").first;
  ASSERT_FALSE(id.empty());
  Publish(json::array{Event("TextMessageCreated", "g-filter", "a-1"),
                      Event("TextMessageCreated", "g-filter", "a-2"),
                      Event("TextMessageCreated", "g-filter", "a-3")});
  std::this_thread::sleep_for(5ms);  // createdAt has millisecond resolution
  const std::int64_t t1 = NowMs();
  std::this_thread::sleep_for(5ms);
  Publish(json::array{Event("MemberAdded", "g-filter", "b-1"),
                      Event("MemberAdded", "g-filter", "b-2")});
  std::this_thread::sleep_for(5ms);
  const std::int64_t t2 = NowMs();
  std::this_thread::sleep_for(5ms);
  Publish(Event("Announcement", "g-filter", "c-1"));
  ASSERT_EQ(WaitForDeliveries("status=delivered", 6).size(), 6u);

  auto event_ids = [&](const std::string& query) {
    std::set<std::string> ids;
    for (const auto& d : Deliveries(query)) ids.insert(Str(d.at("eventId")));
    return ids;
  };
  using Ids = std::set<std::string>;
  EXPECT_EQ(event_ids("eventType=MemberAdded"), (Ids{"b-1", "b-2"}));
  EXPECT_EQ(event_ids("eventType=MemberAdded&webhookId=" + id), (Ids{"b-1", "b-2"}));
  EXPECT_EQ(event_ids("since=" + std::to_string(t1) + "&until=" + std::to_string(t2)),
            (Ids{"b-1", "b-2"}));
  EXPECT_EQ(event_ids("since=" + std::to_string(t2)), (Ids{"c-1"}));
  EXPECT_EQ(event_ids("until=" + std::to_string(t1)), (Ids{"a-1", "a-2", "a-3"}));
  EXPECT_EQ(event_ids("eventType=TextMessageCreated&since=" + std::to_string(t1)), Ids{});
  EXPECT_EQ(event_ids("status=delivered").size(), 6u);
  EXPECT_TRUE(event_ids("status=pending").empty());
  EXPECT_TRUE(event_ids("status=failed").empty());
  EXPECT_EQ(event_ids("eventId=b-2"), (Ids{"b-2"}));
  // The whole list, newest first.
  json::array everything = Deliveries("");
  ASSERT_EQ(everything.size(), 6u);
  EXPECT_EQ(everything[0].at("eventId").as_string(), "c-1");
  EXPECT_EQ(everything[5].at("eventId").as_string(), "a-1");

  // Paging with limit=2 while new deliveries keep arriving: the original six, newest first,
  // each once.
  std::vector<std::uint64_t> seen;
  std::set<std::string> seen_events;
  std::string cursor;
  int pages = 0;
  for (; pages < 10; ++pages) {
    HttpReply r =
        Api("GET", "/v1/deliveries?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(r.status, 200) << r.body;
    json::object page = ParseObject(r.body);
    const json::array& items = page.at("deliveries").as_array();
    EXPECT_LE(items.size(), 2u);
    for (const auto& d : items) {
      seen.push_back(std::stoull(Str(d.at("id"))));
      seen_events.insert(Str(d.at("eventId")));
    }
    Publish(Event("TextMessageCreated", "g-filter", "new-" + std::to_string(pages)));
    if (!page.contains("nextCursor")) break;
    cursor = Str(page.at("nextCursor"));
  }
  EXPECT_EQ(pages, 2) << "expected three pages";
  ASSERT_EQ(seen.size(), 6u);
  for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_GT(seen[i - 1], seen[i]);
  EXPECT_EQ(seen_events, (Ids{"a-1", "a-2", "a-3", "b-1", "b-2", "c-1"}));
  // The new ones are there, for a fresh listing.
  EXPECT_EQ(WaitForDeliveries("eventType=TextMessageCreated", 6).size(), 6u);

  // Malformed parameters name themselves.
  const std::map<std::string, std::string> bad = {
      {"since=yesterday", "since"}, {"since=-5", "since"},
      {"until=12x", "until"},       {"limit=0", "limit"},
      {"limit=1001", "limit"},      {"limit=two", "limit"},
      {"cursor=abc", "cursor"},     {"cursor=0", "cursor"},
      {"status=done", "status"},    {"eventType=not%20a%20type", "eventType"},
      {"since=10&until=5", "until"}};
  for (const auto& [query, field] : bad) {
    EXPECT_EQ(ErrorField(Api("GET", "/v1/deliveries?" + query)), field) << query;
  }
}

// ---------------------------------------------------------------------------------------------
// 7. The attempt log

TEST_F(HistoryApiTest, AttemptLogListsOldestFirstWithCursorAndLongPollWakesOnANewAttempt) {
  StartBroker();
  const std::string id = Register("Group", "g-log").first;
  ASSERT_FALSE(id.empty());
  receiver_->Script(1, {503, {}, "busy", 0ms});
  Publish(Event("MemberAdded", "g-log", "l-1"));
  ASSERT_EQ(WaitForDeliveries("status=delivered&eventId=l-1", 1).size(), 1u);
  Publish(Event("MemberAdded", "g-log", "l-2"));
  ASSERT_EQ(WaitForDeliveries("status=delivered&eventId=l-2", 1).size(), 1u);

  HttpReply r = Api("GET", "/v1/attempts");
  ASSERT_EQ(r.status, 200) << r.body;
  json::object log = ParseObject(r.body);
  const json::array attempts = log.at("attempts").as_array();
  ASSERT_EQ(attempts.size(), 3u) << r.body;
  EXPECT_EQ(attempts[0].at("eventId").as_string(), "l-1");
  EXPECT_EQ(attempts[0].at("attempt").as_int64(), 1);
  EXPECT_EQ(attempts[0].at("outcome").as_string(), "http_error");
  EXPECT_EQ(attempts[1].at("eventId").as_string(), "l-1");
  EXPECT_EQ(attempts[1].at("attempt").as_int64(), 2);
  EXPECT_EQ(attempts[1].at("outcome").as_string(), "delivered");
  EXPECT_EQ(attempts[2].at("eventId").as_string(), "l-2");
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    EXPECT_EQ(attempts[i].at("webhookId").as_string(), id);
    EXPECT_FALSE(attempts[i].at("deliveryId").as_string().empty());
    if (i > 0) {
      EXPECT_GE(attempts[i].at("recordedAt").as_int64(),
                attempts[i - 1].at("recordedAt").as_int64());
    }
  }
  const std::string cursor = Str(log.at("cursor"));
  ASSERT_FALSE(cursor.empty());

  // Page by page with limit=1 gives the same order.
  std::string c;
  for (std::size_t i = 0; i < 3; ++i) {
    HttpReply p = Api("GET", "/v1/attempts?limit=1" + (c.empty() ? "" : "&cursor=" + c));
    ASSERT_EQ(p.status, 200) << p.body;
    json::object page = ParseObject(p.body);
    ASSERT_EQ(page.at("attempts").as_array().size(), 1u);
    EXPECT_EQ(page.at("attempts").as_array()[0], attempts[i]);
    c = Str(page.at("cursor"));
  }
  EXPECT_EQ(c, cursor);

  // Nothing newer: an immediate empty reply keeping the cursor.
  json::object nothing = ParseObject(Api("GET", "/v1/attempts?cursor=" + cursor).body);
  EXPECT_TRUE(nothing.at("attempts").as_array().empty());
  EXPECT_EQ(nothing.at("cursor").as_string(), cursor);

  // Long poll: wakes on the attempt made after ~300 ms, well before the 5 s wait.
  std::thread publisher([&] {
    std::this_thread::sleep_for(300ms);
    Publish(Event("MemberAdded", "g-log", "l-3"));
  });
  const auto started = std::chrono::steady_clock::now();
  HttpReply polled = Api("GET", "/v1/attempts?wait=5&cursor=" + cursor);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  publisher.join();
  ASSERT_EQ(polled.status, 200) << polled.body;
  json::object woke = ParseObject(polled.body);
  ASSERT_EQ(woke.at("attempts").as_array().size(), 1u) << polled.body;
  EXPECT_EQ(woke.at("attempts").as_array()[0].at("eventId").as_string(), "l-3");
  EXPECT_NE(woke.at("cursor").as_string(), cursor);
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 3s);

  EXPECT_EQ(ErrorField(Api("GET", "/v1/attempts?cursor=zz")), "cursor");
  EXPECT_EQ(ErrorField(Api("GET", "/v1/attempts?cursor=abcd&wait=5")), "cursor");
  EXPECT_EQ(ErrorField(Api("GET", "/v1/attempts?wait=31")), "wait");
  EXPECT_EQ(ErrorField(Api("GET", "/v1/attempts?since=x")), "since");
}

// ---------------------------------------------------------------------------------------------
// 8. The audit export

TEST_F(HistoryApiTest, AuditExportStreamsEveryAttemptInRangeOnceAsMaskedJsonLines) {
  StartBroker();
  const std::string kToken = "audit-token-S3CRET";
  const std::string kPassword = "audit-pw-S3CRET";
  auto [id, secret] =
      Register("Group", "g-audit", {"*"},
               json::object{{"callBackToken", kToken},
                            {"auth", json::object{{"username", "aud"}, {"password", kPassword}}}});
  ASSERT_FALSE(id.empty());
  receiver_->Script(1, {503, {}, "busy", 0ms});
  Publish(Event("MemberAdded", "g-audit", "x-1"));
  ASSERT_EQ(WaitForDeliveries("status=delivered&eventId=x-1", 1).size(), 1u);
  std::this_thread::sleep_for(5ms);
  const std::int64_t t_mid = NowMs();
  std::this_thread::sleep_for(5ms);
  Publish(Event("MemberAdded", "g-audit", "x-2"));
  ASSERT_EQ(WaitForDeliveries("status=delivered&eventId=x-2", 1).size(), 1u);

  // The attempts as the delivery history has them: (deliveryId, attempt).
  std::set<std::pair<std::string, std::int64_t>> recorded;
  for (const auto& d : Deliveries("webhookId=" + id)) {
    for (const auto& a : d.at("attempts").as_array()) {
      recorded.emplace(Str(d.at("id")), a.at("attempt").as_int64());
    }
  }
  ASSERT_EQ(recorded.size(), 3u);

  auto lines_of = [&](const std::string& query, std::vector<json::object>* out) {
    HttpReply r = Api("GET", "/v1/audit/export" + query);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers["content-type"].rfind("application/x-ndjson", 0), 0u)
        << r.headers["content-type"];
    for (const std::string& s : {kToken, kPassword, Base64Encode("aud:" + kPassword), secret}) {
      EXPECT_FALSE(Contains(r.body, s)) << "secret " << s << " exported";
    }
    ASSERT_TRUE(r.body.empty() || r.body.back() == '\n');
    std::istringstream in(r.body);
    for (std::string line; std::getline(in, line);) {
      boost::system::error_code ec;
      json::value v = json::parse(line, ec);
      ASSERT_FALSE(ec) << line;
      ASSERT_TRUE(v.is_object()) << line;
      out->push_back(v.as_object());
    }
  };

  std::vector<json::object> all;
  lines_of("", &all);
  ASSERT_EQ(all.size(), 3u);
  std::set<std::pair<std::string, std::int64_t>> exported;
  for (const json::object& o : all) {
    exported.emplace(Str(o.at("deliveryId")), o.at("attempt").as_int64());
    EXPECT_EQ(o.at("webhookId").as_string(), id);
    EXPECT_TRUE(o.at("eventId").is_string());
    EXPECT_TRUE(o.at("outcome").is_string());
    EXPECT_EQ(o.at("url").as_string(), receiver_->BaseUrl() + "/hook");
    EXPECT_EQ(o.at("requestHeaders").at("Authorization").as_string(), "Basic ****");
    EXPECT_EQ(o.at("requestHeaders").at("kz-callback-token").as_string(), "****");
  }
  EXPECT_EQ(exported, recorded) << "every attempt exactly once";
  EXPECT_EQ(all[0].at("eventId").as_string(), "x-1");
  EXPECT_EQ(all[0].at("outcome").as_string(), "http_error");
  EXPECT_EQ(all[2].at("eventId").as_string(), "x-2");

  std::vector<json::object> later, earlier, window;
  lines_of("?since=" + std::to_string(t_mid), &later);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].at("eventId").as_string(), "x-2");
  lines_of("?until=" + std::to_string(t_mid), &earlier);
  ASSERT_EQ(earlier.size(), 2u);
  EXPECT_EQ(earlier[0].at("eventId").as_string(), "x-1");
  EXPECT_EQ(earlier[1].at("eventId").as_string(), "x-1");
  lines_of("?since=0&until=" + std::to_string(NowMs()), &window);
  EXPECT_EQ(window.size(), 3u);

  EXPECT_EQ(ErrorField(Api("GET", "/v1/audit/export?since=yesterday")), "since");
  EXPECT_EQ(ErrorField(Api("GET", "/v1/audit/export?until=-1")), "until");
  EXPECT_EQ(ErrorField(Api("GET", "/v1/audit/export?since=10&until=5")), "until");
}

// ---------------------------------------------------------------------------------------------
// 9. Metrics

TEST_F(HistoryApiTest, MetricsNeedTheKeyAndCountTrafficWithoutSecrets) {
  StartBroker();
  const std::string kToken = "metrics-token-S3CRET";
  const std::string kPassword = "metrics-pw-S3CRET";
  const std::string kSecret = "whsec_" + Base64Encode("metrics-signing-key-0123456789ab");
  auto [id, secret] =
      Register("Group", "g-metrics", {"*"},
               json::object{{"callBackToken", kToken},
                            {"secret", kSecret},
                            {"callBackUrl", receiver_->BaseUrl() + "/private-callback-path"},
                            {"auth", json::object{{"username", "met"}, {"password", kPassword}}}});
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(secret, kSecret);
  Publish(json::array{Event("MemberAdded", "g-metrics", "mt-1"),
                      Event("MemberAdded", "g-metrics", "mt-2"),
                      Event("MemberAdded", "g-metrics", "mt-3")});
  Publish(Event("MemberAdded", "g-metrics", "mt-1"));  // a duplicate
  ASSERT_EQ(WaitForDeliveries("status=delivered", 3).size(), 3u);

  EXPECT_EQ(HttpCall(broker_->rest_url(), "GET", "/metrics").status, 401);
  EXPECT_EQ(HttpCall(broker_->rest_url(), "GET", "/metrics", "",
                     {{"Authorization", "Bearer wrong-key-0123456789"}})
                .status,
            401);
  HttpReply r = HttpCall(broker_->rest_url(), "GET", "/metrics", "",
                         {{"Authorization", std::string("Bearer ") + kApiKey}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["content-type"].rfind("text/plain", 0), 0u) << r.headers["content-type"];
  const std::string& m = r.body;
  EXPECT_TRUE(Contains(m, "\nhookbroker_events_total{result=\"accepted\"} 3\n")) << m;
  EXPECT_TRUE(Contains(m, "\nhookbroker_events_total{result=\"duplicate\"} 1\n")) << m;
  EXPECT_TRUE(Contains(m, "\nhookbroker_attempts_total{outcome=\"delivered\"} 3\n")) << m;
  EXPECT_TRUE(Contains(m, "\nhookbroker_attempt_duration_seconds_bucket{le=\"+Inf\"} 3\n")) << m;
  EXPECT_TRUE(Contains(m, "\nhookbroker_attempt_duration_seconds_count 3\n")) << m;
  EXPECT_TRUE(Contains(m, "\nhookbroker_deliveries_pending 0\n")) << m;
  EXPECT_TRUE(Contains(m, "\nhookbroker_oldest_pending_age_seconds 0\n")) << m;
  EXPECT_TRUE(Contains(m, "\nhookbroker_lmdb_map_bytes ")) << m;
  // Three events committed (and their attempts recorded): at least one commit, each counted.
  EXPECT_FALSE(Contains(m, "\nhookbroker_store_commits_total 0\n")) << m;
  EXPECT_TRUE(Contains(m, "\nhookbroker_store_commit_writes_total ")) << m;
  for (const std::string& s :
       {std::string(kApiKey), kToken, kPassword, kSecret, kSecret.substr(6),
        Base64Encode("met:" + kPassword), std::string("private-callback-path")}) {
    EXPECT_FALSE(Contains(m, s)) << "metrics show " << s;
  }
}

// ---------------------------------------------------------------------------------------------
// 10. History expiry

TEST_F(HistoryApiTest, ExpiredHistoryIsRemovedButPendingDeliveriesAreKept) {
  // Retention ≈ 1.7 s; a long retry schedule keeps the delivery to the dead receiver pending.
  StartBroker({"--retention-days", "0.00002", "--gc-interval", "0.5", "--retry-schedule", "60"});
  auto dead = StartReceiver(pki_);
  const std::string down =
      Register("Group", "g-down", {"*"}, json::object{{"callBackUrl", dead->BaseUrl() + "/hook"}})
          .first;
  dead->Stop();
  const std::string up = Register("Group", "g-up").first;
  ASSERT_FALSE(down.empty() || up.empty());

  // The pending one is the older of the two.
  Publish(Event("MemberAdded", "g-down", "kept"));
  json::array pending = WaitForDeliveries("eventId=kept", 1);
  ASSERT_EQ(pending.size(), 1u);
  const std::string pending_id = Str(pending[0].at("id"));
  Publish(Event("MemberAdded", "g-up", "aged"));
  json::array delivered = WaitForDeliveries("status=delivered&eventId=aged", 1);
  ASSERT_EQ(delivered.size(), 1u);
  const std::string delivered_id = Str(delivered[0].at("id"));
  ASSERT_EQ(Api("GET", "/v1/events/aged").status, 200);

  ASSERT_TRUE(WaitUntil([&] { return Api("GET", "/v1/events/aged").status == 404; }, 8s))
      << "the delivered event never expired\n"
      << broker_->Output();
  EXPECT_TRUE(Deliveries("eventId=aged").empty());
  EXPECT_TRUE(Deliveries("webhookId=" + up).empty());
  EXPECT_EQ(Api("GET", "/v1/deliveries/" + delivered_id).status, 404);
  // Lifetime counters are not lowered by expiry.
  EXPECT_EQ(ParseObject(Api("GET", "/v1/webhook/" + up + "/stats").body).at("delivered").as_int64(),
            1);

  // Older, but pending: kept, with its event.
  HttpReply kept = Api("GET", "/v1/deliveries/" + pending_id);
  ASSERT_EQ(kept.status, 200) << kept.body;
  EXPECT_EQ(ParseObject(kept.body).at("status").as_string(), "pending");
  EXPECT_EQ(ParseObject(kept.body).at("attemptCount").as_int64(), 1);
  EXPECT_EQ(Api("GET", "/v1/events/kept").status, 200);
  EXPECT_EQ(Deliveries("status=pending").size(), 1u);

  // An expired eventId is accepted again.
  json::value again = Publish(Event("MemberAdded", "g-up", "aged"));
  EXPECT_EQ(again.at("results").as_array().at(0).at("status").as_string(), "accepted");
}

// ---------------------------------------------------------------------------------------------
// 11. JSON logs

TEST_F(HistoryApiTest, JsonLogLinesAreObjectsWithoutSecretsAndRegistrationIsLoggedByApi) {
  StartBroker({"--log-json"});
  const std::string kPassword = "log-pw-S3CRET";
  const std::string kToken = "log-token-S3CRET";
  auto [id, secret] =
      Register("Group", "g-log-json", {"*"},
               json::object{{"callBackToken", kToken},
                            {"auth", json::object{{"username", "lg"}, {"password", kPassword}}}});
  ASSERT_FALSE(id.empty());
  // Some traffic that logs: a delivery that fails for good, a change, an unauthorized call.
  receiver_->Script(4, {500, {}, "no", 0ms});
  Publish(Event("MemberAdded", "g-log-json", "j-1"));
  ASSERT_EQ(WaitForDeliveries("status=failed&webhookId=" + id, 1).size(), 1u);
  Patch(id, json::object{{"paused", true}});
  EXPECT_EQ(
      HttpCall(broker_->rest_url(), "GET", "/v1/webhook", "", {{"accessToken", "nope"}}).status,
      401);
  ASSERT_EQ(broker_->Stop(SIGTERM), 0) << broker_->Output();

  const std::string out = broker_->Output();
  std::istringstream in(out);
  int lines = 0;
  bool registration_logged = false;
  std::set<std::string> components;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line.rfind("hookbroker ready ", 0) == 0) continue;
    ++lines;
    boost::system::error_code ec;
    json::value v = json::parse(line, ec);
    ASSERT_FALSE(ec) << "not JSON: " << line;
    ASSERT_TRUE(v.is_object()) << line;
    const json::object& o = v.as_object();
    for (const char* key : {"ts", "level", "component", "msg"}) {
      ASSERT_TRUE(o.contains(key) && o.at(key).is_string()) << key << " missing: " << line;
    }
    components.insert(Str(o.at("component")));
    if (o.at("component") == "api" && Contains(Str(o.at("msg")), id)) registration_logged = true;
  }
  EXPECT_GE(lines, 3) << out;
  EXPECT_TRUE(registration_logged) << out;
  EXPECT_TRUE(components.count("delivery")) << "the failed delivery was not logged\n" << out;
  for (const std::string& s : {std::string(kApiKey), secret, secret.substr(6), kPassword, kToken,
                               Base64Encode("lg:" + kPassword)}) {
    EXPECT_FALSE(Contains(out, s)) << "the log shows " << s;
  }
}

}  // namespace
}  // namespace hookbroker::testing
