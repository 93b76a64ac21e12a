// The issue's end-to-end case, every part real: a producer's TextMessageCreated over ZeroMQ →
// the real daemon's outgoing webhook POSTs Mattermost's payload over HTTPS to a bot on 127.0.0.1
// (the seed's #build bot, subscribers/build_status_bot.h, which checks the token) → the bot's
// JSON answer becomes a post: published on the posts socket (read by a real SUB socket) and
// delivered as an event to a subscription of the channel (the reference receiver). And the same
// with a JSON hook, then with a token regenerated behind the bot's back.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <mutex>
#include <thread>
#include <zmq.hpp>

#include "subscribers/build_status_bot.h"
#include "subscribers/form_decode.h"
#include "subscribers/http_endpoint.h"
#include "tests/integration/broker_fixture.h"

namespace hookbroker::testing {
namespace {

namespace json = boost::json;
using subscribers::CallbackRequest;
using subscribers::CallbackResponse;

// The report behind the seed's example answer (seeds/002: "Build Break - Project X").
constexpr const char* kReport = R"({"project":"Project X","when":"December 12, 2015 - 15:32 GMT +0",
  "components":[{"name":"Server","run":948,"failed":0},
                {"name":"Web Client","run":123,"failed":2,"details":"http://linktologs"},
                {"name":"iOS Client","run":78,"failed":3,"details":"http://linktologs"}]})";

// Two bots on one HTTPS server: /build is the #build bot (made once its hook's token is known);
// /pong answers every post of the warm-up channel. Every request is kept.
class Bots {
 public:
  CallbackResponse Handle(const CallbackRequest& r) {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(r);
    if (r.path == "/pong") return CallbackResponse{200, "application/json", R"({"text":"pong"})"};
    if (r.path == "/build" && build_ != nullptr) return build_->Handle(r);
    return CallbackResponse{404, "application/json", "{}"};
  }
  void SetBuildBot(subscribers::BuildBotOptions options) {
    std::lock_guard<std::mutex> lock(mu_);
    build_ = std::make_unique<subscribers::BuildStatusBot>(std::move(options));
  }
  std::vector<CallbackRequest> Requests(std::string_view path) const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<CallbackRequest> out;
    for (const CallbackRequest& r : requests_) {
      if (r.path == path) out.push_back(r);
    }
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::unique_ptr<subscribers::BuildStatusBot> build_;
  std::vector<CallbackRequest> requests_;
};

class OutgoingWebhookE2eTest : public BrokerFixture {
 protected:
  void SetUp() override {
    BrokerFixture::SetUp();
    StartBroker();
    subscribers::EndpointOptions options;
    options.cert_file = pki_.server_cert;
    options.key_file = pki_.server_key;
    endpoint_ = std::make_unique<subscribers::HttpEndpoint>(
        options, [this](const CallbackRequest& r) { return bots_.Handle(r); });
    ASSERT_TRUE(endpoint_->Start().ok());
    sub_.set(zmq::sockopt::subscribe, "");
    sub_.connect(broker_->posts_endpoint());
  }

  json::object CreateHook(const std::string& body) {
    HttpReply r = Api("POST", "/v1/hooks/outgoing", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? json::parse(r.body).as_object() : json::object{};
  }

  // One post from the posts socket within `timeout`: {topic, post JSON}; {} when none came.
  std::pair<std::string, json::object> NextPost(std::chrono::milliseconds timeout) {
    zmq::pollitem_t item{sub_.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, timeout) <= 0) return {};
    zmq::message_t topic, body;
    EXPECT_TRUE(sub_.recv(topic).has_value());
    EXPECT_TRUE(topic.more());
    EXPECT_TRUE(sub_.recv(body).has_value());
    return {topic.to_string(), json::parse(body.to_string()).as_object()};
  }

  // A PUB socket drops what it sends before a SUB's subscription has reached it. Posts into the
  // warm-up channel (its hook answers every message with "pong") until a reply comes through:
  // from then on the test's own post cannot be lost that way.
  void AwaitPostsSubscription() {
    for (int i = 0; i < 100; ++i) {
      json::value ack = Publish(json::object{{"eventId", "warm-" + std::to_string(i)},
                                             {"eventType", "TextMessageCreated"},
                                             {"groupId", "warm"},
                                             {"fromUserId", "tester"},
                                             {"data", {{"text", "ping"}}}});
      ASSERT_EQ(ack.at("results").at(0).at("status").as_string(), "accepted") << ack;
      auto [topic, post] = NextPost(std::chrono::milliseconds(300));
      if (!topic.empty()) return;
    }
    FAIL() << "no warm-up reply reached the SUB socket\n" << broker_->Output();
  }

  // The value of a /metrics counter line ("name{labels} value"), -1 when absent.
  long long Metric(const std::string& line_start) {
    const std::string text = Api("GET", "/metrics").body;
    const std::size_t at = text.find(line_start + " ");
    return at == std::string::npos ? -1 : std::stoll(text.substr(at + line_start.size() + 1));
  }

  Bots bots_;
  std::unique_ptr<subscribers::HttpEndpoint> endpoint_;
  zmq::context_t context_{1};
  zmq::socket_t sub_{context_, zmq::socket_type::sub};
};

TEST_F(OutgoingWebhookE2eTest, ABotAnswersATriggerWordAndItsReplyIsPublishedAndDelivered) {
  ASSERT_EQ(Api("PUT", "/v1/channels/town",
                R"({"name":"town-square","team_id":"kwoknj9nwpypzgzy78wkw516qe",
                    "team_domain":"someteam"})")
                .status,
            201);
  ASSERT_EQ(Api("PUT", "/v1/channels/warm", R"({"name":"warm-up"})").status, 201);
  const json::object hook = CreateHook(R"({"channel_id":"town","trigger_words":["#build"],
      "callback_urls":[")" + endpoint_->Url() +
                                       R"(/build"],"display_name":"Build status"})");
  ASSERT_FALSE(hook.empty());
  CreateHook(R"({"channel_id":"warm","callback_urls":[")" + endpoint_->Url() + R"(/pong"]})");
  const std::string report = dir_.File("report.json");
  std::ofstream(report) << kReport;
  bots_.SetBuildBot(subscribers::BuildBotOptions{.token = std::string(hook.at("token").as_string()),
                                                 .trigger_word = "#build",
                                                 .report_file = report,
                                                 .username = "build-bot",
                                                 .response_type = "comment"});
  Register("Group", "town", {"TextMessageCreated"});
  AwaitPostsSubscription();

  // A user's message, as a chat backend publishes it.
  json::value ack = Publish(json::object{{"eventId", "msg-1"},
                                         {"eventType", "TextMessageCreated"},
                                         {"groupId", "town"},
                                         {"fromUserId", "rnina9994bde8mua79zqcg5hmo"},
                                         {"fromUserName", "somename"},
                                         {"timestamp", 1445532266000},
                                         {"data", {{"text", "#build Let's see the status"}}}});
  ASSERT_EQ(ack.at("results").at(0).at("status").as_string(), "accepted") << ack;

  // The bot's answer on the posts socket (warm-up replies may still trail in: skipped).
  json::object reply;
  for (int i = 0; i < 50 && reply.empty(); ++i) {
    auto [topic, post] = NextPost(std::chrono::seconds(10));
    ASSERT_FALSE(topic.empty()) << "no reply on the posts socket\n" << broker_->Output();
    if (topic == "town") reply = std::move(post);
  }
  ASSERT_FALSE(reply.empty());
  EXPECT_EQ(reply.at("channel_id").as_string(), "town");
  EXPECT_EQ(reply.at("root_id").as_string(), "msg-1");  // response_type "comment"
  const std::string message(reply.at("message").as_string());
  EXPECT_NE(message.find("Build Break - Project X"), std::string::npos) << message;
  EXPECT_NE(message.find("| Server"), std::string::npos) << message;
  EXPECT_EQ(reply.at("props").at("from_webhook").as_string(), "true");
  EXPECT_EQ(reply.at("props").at("override_username").as_string(), "build-bot");

  // What the bot received: Mattermost's form payload, with the hook's token (the bot answers
  // 401 to any other, and then nothing would have been posted).
  const std::vector<CallbackRequest> asked = bots_.Requests("/build");
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].headers.at("content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(asked[0].headers.at("accept"), "application/json");
  auto form = subscribers::DecodeForm(asked[0].body);
  ASSERT_TRUE(form.ok());
  EXPECT_EQ(form->at("token"), hook.at("token").as_string());
  EXPECT_EQ(form->at("channel_name"), "town-square");
  EXPECT_EQ(form->at("team_domain"), "someteam");
  EXPECT_EQ(form->at("team_id"), "kwoknj9nwpypzgzy78wkw516qe");
  EXPECT_EQ(form->at("trigger_word"), "#build");
  EXPECT_EQ(form->at("user_name"), "somename");
  EXPECT_EQ(form->at("post_id"), "msg-1");
  EXPECT_EQ(form->at("timestamp"), "1445532266");

  // The subscription hears the message and the reply, as events of the channel's group.
  ASSERT_TRUE(receiver_->WaitForPosts(2, std::chrono::seconds(15))) << broker_->Output();
  json::object reply_event;
  for (const auto& r : receiver_->Posts()) {
    json::object e = json::parse(r.body).as_object();
    if (e.at("eventId").as_string() == reply.at("id").as_string()) reply_event = e;
  }
  ASSERT_FALSE(reply_event.empty());
  EXPECT_EQ(reply_event.at("eventType").as_string(), "TextMessageCreated");
  EXPECT_EQ(reply_event.at("objectId").as_string(), "town");
  EXPECT_EQ(reply_event.at("fromUserName").as_string(), "build-bot");
  EXPECT_EQ(reply_event.at("data").at("rootId").as_string(), "msg-1");
  EXPECT_EQ(reply_event.at("data").at("text").as_string(), message);
  EXPECT_EQ(reply_event.at("data").at("props").at("from_webhook").as_string(), "true");

  // The reply was not offered to the bot again (it is marked from_webhook), and /metrics counts.
  EXPECT_EQ(bots_.Requests("/build").size(), 1u);
  HttpReply metrics = Api("GET", "/metrics");
  EXPECT_NE(metrics.body.find("hookbroker_outgoing_webhook_requests_total{result=\"replied\"}"),
            std::string::npos);
}

// A JSON hook whose trigger word is a prefix (trigger_when 1); then its token is regenerated and
// the bot, still holding the old one, refuses: nothing is posted and the failure is counted.
TEST_F(OutgoingWebhookE2eTest, JsonHooksAndARegeneratedTokenTheBotDoesNotKnow) {
  ASSERT_EQ(Api("PUT", "/v1/channels/town", R"({"name":"town-square"})").status, 201);
  ASSERT_EQ(Api("PUT", "/v1/channels/warm", R"({"name":"warm-up"})").status, 201);
  const json::object hook = CreateHook(R"({"channel_id":"town","trigger_words":["#bui"],
      "trigger_when":1,"content_type":"application/json","callback_urls":[")" +
                                       endpoint_->Url() + R"(/build"]})");
  ASSERT_FALSE(hook.empty());
  CreateHook(R"({"channel_id":"warm","callback_urls":[")" + endpoint_->Url() + R"(/pong"]})");
  const std::string report = dir_.File("report.json");
  std::ofstream(report) << kReport;
  const std::string token(hook.at("token").as_string());
  bots_.SetBuildBot(subscribers::BuildBotOptions{.token = token,
                                                 .trigger_word = "#build",
                                                 .report_file = report,
                                                 .username = "build-bot",
                                                 .response_type = "post"});
  AwaitPostsSubscription();

  auto message = [](const std::string& id, const std::string& text) {
    return json::object{{"eventId", id},
                        {"eventType", "TextMessageCreated"},
                        {"groupId", "town"},
                        {"fromUserId", "u1"},
                        {"timestamp", 1445532266789},
                        {"data", {{"text", text}, {"fileIds", json::array{"f1", "f2"}}}}};
  };
  json::value ack = Publish(message("msg-1", "#build server"));
  ASSERT_EQ(ack.at("results").at(0).at("status").as_string(), "accepted") << ack;
  json::object reply;
  for (int i = 0; i < 50 && reply.empty(); ++i) {
    auto [topic, post] = NextPost(std::chrono::seconds(10));
    ASSERT_FALSE(topic.empty()) << "no reply on the posts socket\n" << broker_->Output();
    if (topic == "town") reply = std::move(post);
  }
  const std::string text(reply.at("message").as_string());
  EXPECT_NE(text.find("| Server"), std::string::npos) << text;
  EXPECT_EQ(text.find("iOS Client"), std::string::npos) << text;  // only the component asked
  EXPECT_EQ(reply.at("root_id").as_string(), "");                 // response_type "post"

  std::vector<CallbackRequest> asked = bots_.Requests("/build");
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].headers.at("content-type"), "application/json");
  json::object body = json::parse(asked[0].body).as_object();
  EXPECT_EQ(body.at("token").as_string(), token);
  EXPECT_EQ(body.at("timestamp").as_int64(), 1445532266789);  // milliseconds in JSON
  EXPECT_EQ(body.at("trigger_word").as_string(), "#bui");
  EXPECT_EQ(body.at("file_ids").as_string(), "f1,f2");

  HttpReply regen =
      Api("POST", "/v1/hooks/outgoing/" + std::string(hook.at("id").as_string()) + "/regen_token");
  ASSERT_EQ(regen.status, 200) << regen.body;
  const long long failed_before =
      Metric("hookbroker_outgoing_webhook_requests_total{result=\"failed\"}");
  ack = Publish(message("msg-2", "#build server"));
  ASSERT_EQ(ack.at("results").at(0).at("status").as_string(), "accepted") << ack;
  // The bot answers 401 to the new token: the broker counts a failure and posts nothing.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (Metric("hookbroker_outgoing_webhook_requests_total{result=\"failed\"}") == failed_before &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling /metrics
  }
  EXPECT_EQ(Metric("hookbroker_outgoing_webhook_requests_total{result=\"failed\"}"),
            failed_before + 1)
      << broker_->Output();
  asked = bots_.Requests("/build");
  ASSERT_EQ(asked.size(), 2u);
  EXPECT_EQ(json::parse(asked[1].body).at("token").as_string(),
            json::parse(regen.body).at("token").as_string());
  EXPECT_GE(Metric("hookbroker_outgoing_webhook_requests_total{result=\"replied\"}"), 1);
}

}  // namespace
}  // namespace hookbroker::testing
