// IngestPostSink with the real parts: a Store in a temporary folder, the IngestServer (its
// ROUTER, batches and group commit), a Dispatcher (not started: deliveries stay pending), and a
// PostPublisher read by a real ZeroMQ SUB socket.
#include "broker/ingest_post_sink.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <thread>
#include <zmq.hpp>

#include "broker/chat_id.h"
#include "broker/dispatcher.h"
#include "broker/ingest_server.h"
#include "broker/metrics.h"
#include "tests/broker/broker_test_util.h"
#include "tests/support/temp_dir.h"

namespace hookbroker::testing {
namespace {

namespace json = boost::json;

class IngestPostSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = Store::Open(StoreOptions{dir_.path(), 64ULL << 20, 126});
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
    ASSERT_TRUE(store_->PutSubscription(MakeSubscription("sub-g1", ObjectType::kGroup, "g1")).ok());
    dispatcher_ = std::make_unique<Dispatcher>(*store_, sender_, clock_, DispatcherOptions{});
    ingest_ = std::make_unique<IngestServer>(*store_, *dispatcher_, clock_, metrics_);
    ASSERT_TRUE(ingest_->Bind("tcp://127.0.0.1:*").ok());
    ingest_->Start();
    ASSERT_TRUE(publisher_.Bind("tcp://127.0.0.1:*").ok());
    publisher_.Start();
    sink_ = std::make_unique<IngestPostSink>(ingest_->context(), IngestServer::kLocalEndpoint,
                                             publisher_, clock_);
    sub_.set(zmq::sockopt::rcvtimeo, 10000);
    sub_.set(zmq::sockopt::subscribe, "warmup");
    sub_.set(zmq::sockopt::subscribe, "g1");
    sub_.connect(publisher_.endpoint());
    AwaitSubscription();
  }
  void TearDown() override {
    sink_.reset();
    ingest_->Stop();
    publisher_.Stop();
  }

  // PUB drops what it sends before the SUB's subscription has reached it: publish a marker until
  // one arrives, so the test's own messages cannot be lost that way.
  void AwaitSubscription() {
    for (int i = 0; i < 500; ++i) {
      publisher_.Publish("warmup", "x");
      zmq::pollitem_t item{sub_.handle(), 0, ZMQ_POLLIN, 0};
      if (zmq::poll(&item, 1, std::chrono::milliseconds(20)) > 0) {
        while (true) {
          auto [topic, body] = Receive(zmq::recv_flags::dontwait);
          if (topic.empty()) return;
        }
      }
    }
    FAIL() << "the SUB socket never received the warm-up marker";
  }

  std::pair<std::string, std::string> Receive(zmq::recv_flags flags = zmq::recv_flags::none) {
    zmq::message_t topic, body;
    if (!sub_.recv(topic, flags)) return {};
    EXPECT_TRUE(topic.more());
    EXPECT_TRUE(sub_.recv(body).has_value());
    EXPECT_FALSE(body.more());
    return {topic.to_string(), body.to_string()};
  }

  ChatPost NewPost(std::string channel, std::string text) {
    ChatPost p;
    p.channel_id = std::move(channel);
    p.user_id = "hook-owner";
    p.message = std::move(text);
    p.props = json::object{{"override_username", "webhook"}, {"from_webhook", "true"}};
    return p;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  FakeClock clock_{1713198308869};
  FakeSender sender_;
  Metrics metrics_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<IngestServer> ingest_;
  PostPublisher publisher_;
  std::unique_ptr<IngestPostSink> sink_;
  zmq::context_t sub_context_{1};
  zmq::socket_t sub_{sub_context_, zmq::socket_type::sub};
};

TEST_F(IngestPostSinkTest, StoresTheEventDurablyThenPublishesThePost) {
  auto posted = sink_->Post(NewPost("g1", "Hello, text1\nText2."));
  ASSERT_TRUE(posted.ok()) << posted.error().message;
  EXPECT_TRUE(IsChatIdShaped(posted->id));
  EXPECT_EQ(posted->create_at_ms, 1713198308869);

  // Acknowledged means committed: the event is readable the moment Post() returns, with the
  // delivery its group's subscription implies.
  auto stored = store_->GetEventJson(EventId(posted->id));
  ASSERT_TRUE(stored.ok() && stored->has_value());
  const json::value event = json::parse(**stored);
  EXPECT_EQ(event.at("eventType"), "TextMessageCreated");
  EXPECT_EQ(event.at("groupId"), "g1");
  EXPECT_EQ(event.at("fromUserName"), "webhook");
  EXPECT_EQ(event.at("data").at("text"), "Hello, text1\nText2.");
  EXPECT_EQ(event.at("data").at("props").at("from_webhook"), "true");
  DeliveryFilter filter;
  filter.event_id = EventId(posted->id);
  auto deliveries = store_->ListDeliveries(filter);
  ASSERT_TRUE(deliveries.ok());
  ASSERT_EQ(deliveries->deliveries.size(), 1u);
  EXPECT_EQ(deliveries->deliveries[0].delivery.subscription_id.value(), "sub-g1");

  auto [topic, body] = Receive();
  EXPECT_EQ(topic, "g1");
  const json::value post = json::parse(body);
  EXPECT_EQ(post.at("id").as_string(), posted->id);
  EXPECT_EQ(post.at("channel_id"), "g1");
  EXPECT_EQ(post.at("message"), "Hello, text1\nText2.");
  EXPECT_EQ(post.at("create_at"), 1713198308869);
  EXPECT_EQ(post.at("props").at("from_webhook"), "true");
}

TEST_F(IngestPostSinkTest, TopicIsTheChannelSoSubscribersFilterByChannel) {
  ASSERT_TRUE(sink_->Post(NewPost("g2", "elsewhere")).ok());
  ASSERT_TRUE(sink_->Post(NewPost("g1", "here")).ok());
  auto [topic, body] = Receive();
  EXPECT_EQ(topic, "g1");
  EXPECT_EQ(json::parse(body).at("message"), "here");
}

TEST_F(IngestPostSinkTest, RepeatedPostIdIsStoredAndPublishedOnce) {
  ChatPost p = NewPost("g1", "once");
  p.id = NewChatId();
  ASSERT_TRUE(sink_->Post(p).ok());
  EXPECT_EQ(json::parse(Receive().second).at("message"), "once");
  auto again = sink_->Post(p);
  ASSERT_TRUE(again.ok()) << again.error().message;
  publisher_.Publish("g1", R"({"marker":true})");
  EXPECT_EQ(Receive().second, R"({"marker":true})");
}

TEST_F(IngestPostSinkTest, EventTheIngestRefusesIsAnErrorAndNotPublished) {
  ChatPost p = NewPost("g1", "too long a name");
  p.user_id = std::string(5000, 'u');
  auto refused = sink_->Post(p);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "invalid_post");
  EXPECT_NE(refused.error().message.find("fromUserId"), std::string::npos)
      << refused.error().message;
  publisher_.Publish("g1", "marker");
  EXPECT_EQ(Receive().second, "marker");
}

TEST_F(IngestPostSinkTest, ManyThreadsPostingAtOnceAreAllStoredAndPublished) {
  constexpr int kThreads = 6;
  constexpr int kEach = 20;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        if (!sink_->Post(NewPost("g1", std::to_string(t) + "/" + std::to_string(i))).ok()) {
          ++failures;
        }
      }
    });
  }
  std::set<std::string> received;
  for (int i = 0; i < kThreads * kEach; ++i) {
    auto [topic, body] = Receive();
    ASSERT_EQ(topic, "g1");
    const json::value post = json::parse(body);
    received.insert(std::string(post.at("message").as_string()));
    EXPECT_TRUE(store_->GetEventJson(EventId(std::string(post.at("id").as_string())))->has_value());
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(received.size(), static_cast<std::size_t>(kThreads * kEach));
}

TEST(PostPublisherTest, BindFailureNamesTheFlag) {
  PostPublisher first;
  ASSERT_TRUE(first.Bind("tcp://127.0.0.1:*").ok());
  PostPublisher second;
  Status s = second.Bind(first.endpoint());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "bind_failed");
  EXPECT_EQ(s.error().field, "posts-listen");
}

}  // namespace
}  // namespace hookbroker::testing
