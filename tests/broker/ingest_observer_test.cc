// The IngestServer's CommittedEventObserver with the real parts (LMDB in a temporary folder, the
// ROUTER, group commit, a REQ producer): told once per newly stored event, before the producer's
// acknowledgement; never for a duplicate or a rejected event.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <mutex>

#include "broker/dispatcher.h"
#include "broker/ingest_server.h"
#include "broker/metrics.h"
#include "tests/broker/broker_test_util.h"
#include "tests/support/temp_dir.h"
#include "tests/support/zmq_producer.h"

namespace hookbroker::testing {
namespace {

namespace json = boost::json;

class RecordingObserver final : public CommittedEventObserver {
 public:
  void OnCommitted(const Event& event) override {
    std::lock_guard<std::mutex> lock(mu_);
    ids_.push_back(event.id.value());
  }
  std::vector<std::string> ids() const {
    std::lock_guard<std::mutex> lock(mu_);
    return ids_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> ids_;
};

TEST(IngestObserverTest, ToldOncePerNewEventBeforeTheAck) {
  TempDir dir;
  auto store = Store::Open(StoreOptions{dir.path(), 64ULL << 20, 126});
  ASSERT_TRUE(store.ok()) << store.error().message;
  FakeClock clock(1713198308869);
  FakeSender sender;
  Metrics metrics;
  Dispatcher dispatcher(**store, sender, clock, DispatcherOptions{});  // not started
  IngestServer ingest(**store, dispatcher, clock, metrics);
  RecordingObserver observer;
  ingest.SetObserver(&observer);
  ASSERT_TRUE(ingest.Bind("tcp://127.0.0.1:*").ok());
  ingest.Start();

  auto publish = [&](const json::value& events) {
    auto reply = RequestReply(ingest.endpoint(), json::serialize(events));
    EXPECT_TRUE(reply.has_value());
    return reply ? json::parse(*reply) : json::value();
  };
  const json::object message{{"eventId", "m1"},
                             {"eventType", "TextMessageCreated"},
                             {"groupId", "town"},
                             {"data", {{"text", "#build"}}}};
  json::value first = publish(json::array{message, json::object{{"eventId", "bad"}}});
  EXPECT_EQ(first.at("results").at(0).at("status"), "accepted") << first;
  EXPECT_EQ(first.at("results").at(1).at("status"), "rejected") << first;
  // The acknowledgement came after the observer was told: no waiting needed.
  EXPECT_EQ(observer.ids(), std::vector<std::string>{"m1"});

  json::value again = publish(message);
  EXPECT_EQ(again.at("results").at(0).at("status"), "duplicate") << again;
  json::value other =
      publish(json::object{{"eventId", "m2"}, {"eventType", "MemberAdded"}, {"groupId", "town"}});
  EXPECT_EQ(other.at("results").at(0).at("status"), "accepted") << other;
  // Every new event, whatever its type (the observer filters); the duplicate is not repeated.
  EXPECT_EQ(observer.ids(), (std::vector<std::string>{"m1", "m2"}));
  ingest.Stop();
}

}  // namespace
}  // namespace hookbroker::testing
