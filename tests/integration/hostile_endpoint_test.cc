// End to end against endpoints that misbehave on purpose: 410 Gone, an endpoint that is down for
// a while (circuit breaker), and one that never succeeds (disabled after the failing period).
// The real daemon, real HTTPS receivers on loopback.
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "tests/integration/broker_fixture.h"

namespace hookbroker::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

class HostileEndpointTest : public BrokerFixture {
 protected:
  std::string Metrics() {
    HttpReply r = HttpCall(broker_->rest_url(), "GET", "/metrics", "",
                           {{"Authorization", std::string("Bearer ") + kApiKey}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.body;
  }

  // The value of the first metric line starting with `series` (name and labels), -1 if absent.
  double Metric(const std::string& series) {
    std::istringstream lines(Metrics());
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
    }
    return -1;
  }

  json::object Webhook(const std::string& id) {
    HttpReply r = Api("GET", "/v1/webhook/" + id);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? json::parse(r.body).as_object() : json::object{};
  }

  // Polls GET /v1/webhook/{id} until `disabled` is true; the reply then, or {} on timeout.
  json::object WaitDisabled(const std::string& id, std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      json::object w = Webhook(id);
      if (w.contains("disabled") && w.at("disabled").as_bool()) return w;
      std::this_thread::sleep_for(50ms);
    }
    return {};
  }

  std::size_t DeliveryCount(const std::string& id) {
    HttpReply r = Api("GET", "/v1/deliveries?webhookId=" + id);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body).at("deliveries").as_array().size();
  }

  void PublishTo(const std::string& group, const std::string& event_id) {
    json::value reply = Publish(json::object{
        {"eventType", "TextMessageCreated"}, {"groupId", group}, {"eventId", event_id}});
    ASSERT_EQ(reply.at("results").as_array().at(0).at("status"), "accepted");
  }
};

TEST_F(HostileEndpointTest, GoneDisablesTheWebhookAtOnceVisibleInApiAndMetrics) {
  StartBroker();
  auto [id, secret] = Register("Group", "g-gone");
  ASSERT_FALSE(id.empty());
  receiver_->Script(1, {410, {}, "gone", 0ms});
  PublishTo("g-gone", "e-1");
  json::object w = WaitDisabled(id, 10s);
  ASSERT_FALSE(w.empty()) << "the webhook was not disabled";
  EXPECT_NE(std::string(w.at("disabledReason").as_string()).find("410"), std::string::npos);
  EXPECT_GT(w.at("disabledAt").as_int64(), 0);
  EXPECT_EQ(receiver_->Posts().size(), 1u) << "410 is final: no retry";
  EXPECT_EQ(Metric("hookbroker_subscriptions_disabled_total"), 1);

  // Disabled: new events create no delivery (the ingest reply comes after the commit).
  PublishTo("g-gone", "e-2");
  EXPECT_EQ(DeliveryCount(id), 1u);

  // Re-enabled by PATCH: the next event is delivered.
  HttpReply patched = Api("PATCH", "/v1/webhook/" + id, R"({"disabled":false})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_FALSE(json::parse(patched.body).at("disabled").as_bool());
  PublishTo("g-gone", "e-3");
  ASSERT_TRUE(receiver_->WaitForPosts(2, 10s));
  EXPECT_EQ(json::parse(receiver_->Posts()[1].body).at("eventId"), "e-3");
}

TEST_F(HostileEndpointTest, DownEndpointIsProbedNotHammeredAndRecovers) {
  StartBroker({"--breaker-failures", "2", "--breaker-cooldown", "3", "--retry-schedule",
               "0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1,0.1"});
  auto [id, secret] = Register("Group", "g-down");
  ASSERT_FALSE(id.empty());
  const int port = receiver_->port();
  receiver_->Stop();  // connection refused from now on
  for (int i = 0; i < 5; ++i) PublishTo("g-down", "e-" + std::to_string(i));

  const std::string failures = "hookbroker_attempts_total{outcome=\"connect_error\"}";
  const auto until = std::chrono::steady_clock::now() + 10s;
  while (Metric(failures) < 2 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_GE(Metric(failures), 2) << Metrics();
  // Open for 3 s: the five deliveries and their 0.1 s retries wait instead of hammering.
  std::this_thread::sleep_for(800ms);
  const double held = Metric(failures);
  EXPECT_LE(held, 4) << "at most the attempts already in flight when it opened";
  const std::string origin = "https://127.0.0.1:" + std::to_string(port);
  EXPECT_EQ(Metric("hookbroker_endpoint_circuit_open{endpoint=\"" + origin + "\",state=\"open\"}"),
            1)
      << Metrics();
  std::this_thread::sleep_for(700ms);
  EXPECT_EQ(Metric(failures), held) << "no attempt while the circuit is open";

  // The endpoint comes back on the same port; the next probe succeeds and everything lands.
  subscribers::ReceiverOptions options;
  options.tls = true;
  options.cert_file = pki_.server_cert;
  options.key_file = pki_.server_key;
  options.port = port;
  subscribers::ReferenceReceiver back(options);
  ASSERT_TRUE(back.Start().ok());
  ASSERT_TRUE(back.WaitForPosts(5, 20s)) << back.Posts().size() << " of 5 arrived";
  EXPECT_EQ(Metric("hookbroker_endpoint_circuit_open{endpoint=\"" + origin + "\",state=\"open\"}"),
            -1);
}

TEST_F(HostileEndpointTest, WebhookFailingForTheWholePeriodIsDisabled) {
  // 0.00002 days = 1.728 s of failures without a success.
  StartBroker({"--disable-after-days", "0.00002", "--breaker-failures", "0", "--retry-schedule",
               "0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3"});
  auto [id, secret] = Register("Group", "g-never");
  ASSERT_FALSE(id.empty());
  receiver_->Script(1000, {500, {}, "down", 0ms});
  PublishTo("g-never", "e-1");
  json::object w = WaitDisabled(id, 15s);
  ASSERT_FALSE(w.empty()) << "the webhook was not disabled";
  EXPECT_NE(std::string(w.at("disabledReason").as_string()).find("no successful callback"),
            std::string::npos)
      << w.at("disabledReason");
  const std::size_t posts = receiver_->Posts().size();
  EXPECT_GE(posts, 6u) << "disabled only after the period, not at the first failures";
  EXPECT_EQ(Metric("hookbroker_subscriptions_disabled_total"), 1);
}

}  // namespace
}  // namespace hookbroker::testing
