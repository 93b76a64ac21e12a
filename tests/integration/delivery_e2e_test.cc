// End to end: producer → broker (real process) → signed, authenticated HTTPS callback.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <set>
#include <thread>

#include "proto/base64.h"
#include "proto/signature.h"
#include "tests/integration/broker_fixture.h"

namespace hookbroker::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

json::object ParseObject(const std::string& text) { return json::parse(text).as_object(); }

// A copy, so that it may be taken from a temporary reply.
json::object FirstResult(const json::value& reply) {
  return reply.at("results").as_array().at(0).as_object();
}

std::int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class DeliveryTest : public BrokerFixture {};

TEST_F(DeliveryTest, GroupEventArrivesSignedWithTokenAuthAndKaizalaEnvelope) {
  StartBroker();
  json::object extra{{"callBackToken", "kz-secret-token"},
                     {"callBackContext", "ctx-42"},
                     {"auth", json::object{{"username", "svc"}, {"password", "p@ss"}}}};
  auto [id, secret] = Register("Group", "group-1", {"TextMessageCreated"}, extra);
  ASSERT_FALSE(id.empty());

  json::value reply = Publish(json::object{{"eventType", "TextMessageCreated"},
                                           {"groupId", "group-1"},
                                           {"eventId", "evt-1"},
                                           {"fromUser", "+911234"},
                                           {"fromUserName", "Asha"},
                                           {"data", json::object{{"text", "hello"}}}});
  const json::object r = FirstResult(reply);
  EXPECT_EQ(r.at("status").as_string(), "accepted");
  EXPECT_EQ(r.at("eventId").as_string(), "evt-1");
  EXPECT_EQ(r.at("deliveries").as_int64(), 1);

  ASSERT_TRUE(receiver_->WaitForPosts(1, 10s));
  auto post = receiver_->Posts().at(0);
  EXPECT_EQ(post.path, "/hook");
  EXPECT_EQ(post.headers["content-type"], "application/json");
  EXPECT_EQ(post.headers["kz-callback-token"], "kz-secret-token");
  EXPECT_EQ(post.headers["authorization"], "Basic " + Base64Encode("svc:p@ss"));
  EXPECT_EQ(post.headers["user-agent"].rfind("hookbroker/", 0), 0u) << post.headers["user-agent"];
  EXPECT_EQ(post.headers["webhook-id"], WebhookMessageId(id, "evt-1"));

  auto key = DecodeWebhookSecret(secret);
  ASSERT_TRUE(key.ok());
  Status verified =
      VerifyWebhook(*key, post.headers["webhook-id"], post.headers["webhook-timestamp"], post.body,
                    post.headers["webhook-signature"], NowSeconds());
  EXPECT_TRUE(verified.ok()) << (verified.ok() ? "" : verified.error().message);

  auto body = ParseObject(post.body);
  EXPECT_EQ(body.at("subscriptionId").as_string(), id);
  EXPECT_EQ(body.at("objectId").as_string(), "group-1");
  EXPECT_EQ(body.at("objectType").as_string(), "Group");
  EXPECT_EQ(body.at("eventType").as_string(), "TextMessageCreated");
  EXPECT_EQ(body.at("eventId").as_string(), "evt-1");
  EXPECT_EQ(body.at("data").at("text").as_string(), "hello");
  EXPECT_EQ(body.at("context").as_string(), "ctx-42");
  EXPECT_EQ(body.at("fromUser").as_string(), "+911234");
  EXPECT_EQ(body.at("fromUserName").as_string(), "Asha");
  EXPECT_TRUE(body.at("timestamp").is_number());
}

TEST_F(DeliveryTest, KommunicateTokenAuthUsesItsOwnHeader) {
  StartBroker();
  auto [id, secret] = Register(
      "Group", "g-k", {"*"},
      json::object{{"auth", json::object{{"token", "abcdef"}, {"header", "Authentication"}}}});
  ASSERT_FALSE(id.empty());
  Publish(json::object{{"eventType", "MemberAdded"}, {"groupId", "g-k"}});
  ASSERT_TRUE(receiver_->WaitForPosts(1, 10s));
  auto post = receiver_->Posts().at(0);
  EXPECT_EQ(post.headers["authentication"], "Basic YWJjZGVm");
  EXPECT_EQ(post.headers.count("authorization"), 0u);
}

TEST_F(DeliveryTest, EachScopeHearsOnlyItsEvents) {
  StartBroker();
  auto group = Register("Group", "g1", {"ActionResponse"}).first;
  auto package =
      Register("ActionPackage", "pkg.survey", {"ActionResponse", "SurveyResponse"}).first;
  auto action = Register("Action", "act-7", {"*"}).first;
  ASSERT_FALSE(group.empty() || package.empty() || action.empty());

  auto deliveries = [&](json::object e) {
    return FirstResult(Publish(e)).at("deliveries").as_int64();
  };
  // In g1, of the package, for act-7: all three.
  EXPECT_EQ(deliveries({{"eventType", "ActionResponse"},
                        {"groupId", "g1"},
                        {"actionPackageId", "pkg.survey"},
                        {"actionId", "act-7"}}),
            3);
  // Another group, same package, another action: the package subscription only.
  EXPECT_EQ(deliveries({{"eventType", "ActionResponse"},
                        {"groupId", "g2"},
                        {"actionPackageId", "pkg.survey"},
                        {"actionId", "act-8"}}),
            1);
  // A type the group subscription did not ask for: only the action subscription ("*").
  EXPECT_EQ(
      deliveries({{"eventType", "TextMessageCreated"}, {"groupId", "g1"}, {"actionId", "act-7"}}),
      1);
  // Nothing matches.
  EXPECT_EQ(deliveries({{"eventType", "MemberAdded"}, {"groupId", "g9"}}), 0);

  ASSERT_TRUE(receiver_->WaitForPosts(5, 10s));
  std::map<std::string, int> per_sub;
  for (const auto& p : receiver_->Posts()) {
    per_sub[std::string(ParseObject(p.body).at("subscriptionId").as_string())]++;
  }
  EXPECT_EQ(per_sub[group], 1);
  EXPECT_EQ(per_sub[package], 2);
  EXPECT_EQ(per_sub[action], 2);
  for (const auto& p : receiver_->Posts()) {
    auto body = ParseObject(p.body);
    const std::string sub(body.at("subscriptionId").as_string());
    const std::string expected_type = sub == group     ? "Group"
                                      : sub == package ? "ActionPackage"
                                                       : "Action";
    EXPECT_EQ(body.at("objectType").as_string(), expected_type);
  }
}

TEST_F(DeliveryTest, RetriesAfter503UntilDeliveredAndRecordsEveryAttempt) {
  StartBroker();
  auto [id, secret] = Register("Group", "g-retry");
  ASSERT_FALSE(id.empty());
  receiver_->Script(2, {503, {}, "busy", 0ms});
  Publish(json::object{{"eventType", "Announcement"}, {"groupId", "g-retry"}, {"eventId", "e-r"}});
  ASSERT_TRUE(receiver_->WaitForPosts(3, 15s));
  auto posts = receiver_->Posts();
  // The same webhook-id on every attempt, so receivers can deduplicate.
  EXPECT_EQ(posts[0].headers["webhook-id"], posts[2].headers["webhook-id"]);

  json::object delivery;
  for (int i = 0; i < 100; ++i) {
    auto r = Api("GET", "/v1/deliveries?webhookId=" + id);
    ASSERT_EQ(r.status, 200) << r.body;
    delivery = ParseObject(r.body).at("deliveries").as_array().at(0).as_object();
    if (delivery.at("status").as_string() == "delivered") break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(delivery.at("status").as_string(), "delivered");
  EXPECT_EQ(delivery.at("eventId").as_string(), "e-r");
  const auto& attempts = delivery.at("attempts").as_array();
  ASSERT_EQ(attempts.size(), 3u);
  EXPECT_EQ(attempts[0].at("httpStatus").as_int64(), 503);
  EXPECT_EQ(attempts[0].at("outcome").as_string(), "http_error");
  EXPECT_EQ(attempts[0].at("response").as_string(), "busy");
  EXPECT_EQ(attempts[2].at("httpStatus").as_int64(), 200);
  EXPECT_EQ(attempts[2].at("outcome").as_string(), "delivered");
}

TEST_F(DeliveryTest, FailsAfterTheLastScheduledAttempt) {
  StartBroker();
  auto [id, secret] = Register("Group", "g-fail");
  receiver_->Script(100, {500, {}, "down", 0ms});
  Publish(json::object{{"eventType", "MemberRemoved"}, {"groupId", "g-fail"}});
  json::object delivery;
  for (int i = 0; i < 200; ++i) {
    auto r = Api("GET", "/v1/deliveries?status=failed&webhookId=" + id);
    ASSERT_EQ(r.status, 200);
    auto list = ParseObject(r.body).at("deliveries").as_array();
    if (!list.empty()) {
      delivery = list.at(0).as_object();
      break;
    }
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_FALSE(delivery.empty()) << "delivery never failed";
  EXPECT_EQ(delivery.at("attemptCount").as_int64(), 4);  // immediate + 3 retries
  EXPECT_EQ(delivery.at("lastError").as_string(), "HTTP 500");
  EXPECT_EQ(receiver_->Posts().size(), 4u);
}

TEST_F(DeliveryTest, DuplicateEventIdIsAcknowledgedButNotDeliveredAgain) {
  StartBroker();
  Register("Group", "g-dup");
  json::object e{{"eventType", "TextMessageCreated"}, {"groupId", "g-dup"}, {"eventId", "same"}};
  EXPECT_EQ(FirstResult(Publish(e)).at("status").as_string(), "accepted");
  const json::object dup = FirstResult(Publish(e));
  EXPECT_EQ(dup.at("status").as_string(), "duplicate");
  EXPECT_EQ(dup.at("deliveries").as_int64(), 0);
  // Within one batch too.
  json::value batch = Publish(json::array{
      json::object{{"eventType", "TextMessageCreated"}, {"groupId", "g-dup"}, {"eventId", "b1"}},
      json::object{{"eventType", "TextMessageCreated"}, {"groupId", "g-dup"}, {"eventId", "b1"}}});
  EXPECT_EQ(batch.at("results").as_array()[0].at("status").as_string(), "accepted");
  EXPECT_EQ(batch.at("results").as_array()[1].at("status").as_string(), "duplicate");
  ASSERT_TRUE(receiver_->WaitForPosts(2, 10s));
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(receiver_->Posts().size(), 2u);
}

TEST_F(DeliveryTest, KilledAfterAckStillDeliversAfterRestart) {
  StartBroker();
  auto [id, secret] = Register("Group", "g-crash");
  ASSERT_FALSE(id.empty());
  // The receiver holds the first attempt long enough to kill the broker while it is in flight.
  receiver_->Script(1, {200, {}, "late", 3000ms});
  const json::object r = FirstResult(Publish(
      json::object{{"eventType", "JobCreated"}, {"groupId", "g-crash"}, {"eventId", "crash-1"}}));
  ASSERT_EQ(r.at("status").as_string(), "accepted");
  ASSERT_TRUE(receiver_->WaitForPosts(1, 10s));
  EXPECT_EQ(broker_->Stop(SIGKILL), 128 + SIGKILL);

  StartBroker();
  ASSERT_TRUE(receiver_->WaitForPosts(2, 15s)) << broker_->Output();
  auto posts = receiver_->Posts();
  EXPECT_EQ(ParseObject(posts[1].body).at("eventId").as_string(), "crash-1");
  EXPECT_EQ(posts[0].headers["webhook-id"], posts[1].headers["webhook-id"]);
  // After the restart the delivery is recorded as delivered.
  json::object delivery;
  for (int i = 0; i < 100; ++i) {
    delivery = ParseObject(Api("GET", "/v1/deliveries?eventId=crash-1").body)
                   .at("deliveries")
                   .as_array()
                   .at(0)
                   .as_object();
    if (delivery.at("status").as_string() == "delivered") break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(delivery.at("status").as_string(), "delivered");
}

TEST_F(DeliveryTest, AckedEventsSurviveKillBeforeAnyDelivery) {
  // The receiver is down while the events are acknowledged and the broker is killed, so nothing
  // can have been delivered before the kill; it comes back on the same port afterwards.
  const int port = receiver_->port();
  receiver_->Stop();
  const std::vector<std::string> flags = {"--no-validation-handshake", "--retry-schedule",
                                          "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1"};
  StartBroker(flags);
  Register("Group", "g-down");
  json::array batch;
  for (int i = 0; i < 20; ++i) {
    batch.push_back(json::object{{"eventType", "TextMessageCreated"},
                                 {"groupId", "g-down"},
                                 {"eventId", "down-" + std::to_string(i)}});
  }
  json::value reply = Publish(batch);
  for (const auto& r : reply.at("results").as_array()) {
    EXPECT_EQ(r.at("status").as_string(), "accepted");
  }
  EXPECT_EQ(broker_->Stop(SIGKILL), 128 + SIGKILL);

  subscribers::ReceiverOptions options;
  options.tls = true;
  options.port = port;
  options.cert_file = pki_.server_cert;
  options.key_file = pki_.server_key;
  receiver_ = std::make_unique<subscribers::ReferenceReceiver>(options);
  ASSERT_TRUE(receiver_->Start().ok());
  StartBroker(flags);
  ASSERT_TRUE(receiver_->WaitForPosts(20, 30s)) << broker_->Output();
  std::set<std::string> ids;
  for (const auto& p : receiver_->Posts()) {
    ids.insert(std::string(ParseObject(p.body).at("eventId").as_string()));
  }
  EXPECT_EQ(ids.size(), 20u);
}

TEST_F(DeliveryTest, GracefulShutdownOnSigtermExitsZero) {
  StartBroker();
  EXPECT_EQ(broker_->Stop(SIGTERM), 0) << broker_->Output();
  EXPECT_NE(broker_->Output().find("stopped"), std::string::npos);
}

}  // namespace
}  // namespace hookbroker::testing

namespace hookbroker::testing {
namespace {

TEST_F(DeliveryTest, HangingEndpointDoesNotHoldUpAHealthyOne) {
  StartBroker({"--callback-timeout", "5"});
  // A second receiver that answers every callback only after 4 s.
  subscribers::ReceiverOptions options;
  options.tls = true;
  options.cert_file = pki_.server_cert;
  options.key_file = pki_.server_key;
  subscribers::ReferenceReceiver slow(options);
  ASSERT_TRUE(slow.Start().ok());
  slow.Script(100, {200, {}, "slow", 4000ms});
  Register("Group", "g-iso", {"*"}, json::object{{"callBackUrl", slow.BaseUrl() + "/slow"}});
  Register("Group", "g-iso");  // the healthy fixture receiver

  json::array batch;
  for (int i = 0; i < 20; ++i) {
    batch.push_back(json::object{{"eventType", "TextMessageCreated"}, {"groupId", "g-iso"}});
  }
  const auto started = std::chrono::steady_clock::now();
  Publish(batch);
  ASSERT_TRUE(receiver_->WaitForPosts(20, 3s))
      << "the healthy endpoint got " << receiver_->Posts().size() << " of 20";
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  // Meanwhile the slow endpoint has at most its concurrency limit (4) in flight.
  EXPECT_LE(slow.Posts().size(), 4u);
  slow.Stop();
}

TEST_F(DeliveryTest, MaxUnrecordedLimitsWhatIsSentAndNotYetRecorded) {
  // One callback may be out unrecorded at a time: a slow endpoint that could take 4 at once
  // (--endpoint-concurrency 4, 4 workers) gets them one by one.
  StartBroker({"--max-unrecorded", "1", "--delivery-workers", "4", "--callback-timeout", "5"});
  auto slow = StartReceiver(pki_);
  slow->Script(100, {200, {}, "slow", 700ms});
  Register("Group", "g-cap", {"*"}, json::object{{"callBackUrl", slow->BaseUrl() + "/slow"}});
  json::array batch;
  for (int i = 0; i < 4; ++i) {
    batch.push_back(json::object{{"eventType", "TextMessageCreated"}, {"groupId", "g-cap"}});
  }
  Publish(batch);
  ASSERT_TRUE(slow->WaitForPosts(1, 5s));
  std::this_thread::sleep_for(400ms);  // the others would have arrived by now without the limit
  EXPECT_EQ(slow->Posts().size(), 1u);
  ASSERT_TRUE(slow->WaitForPosts(4, 10s)) << "got " << slow->Posts().size() << " of 4";
  slow->Stop();
}

}  // namespace
}  // namespace hookbroker::testing
