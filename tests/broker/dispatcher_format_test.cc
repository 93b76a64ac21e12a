// The dispatcher sends each subscription's payload format: the rendered body, its content type
// and headers, signed over the body actually sent, with secrets masked in the attempt log.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>

#include "broker/dispatcher.h"
#include "proto/callback_payload.h"
#include "tests/broker/broker_test_util.h"
#include "tests/support/temp_dir.h"

namespace hookbroker::testing {
namespace {

constexpr std::int64_t kStart = 1'700'000'000'000;
namespace json = boost::json;

class DispatcherFormatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = Store::Open(StoreOptions{dir_.path(), 64ULL << 20, 126});
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
    DispatcherOptions o;
    o.schedule = RetrySchedule({std::chrono::seconds(1)});
    o.random = [] { return 0.5; };
    dispatcher_ = std::make_unique<Dispatcher>(*store_, sender_, clock_, o);
  }

  // Publishes one TextMessageCreated to group 123456 and makes the first attempts.
  std::vector<NewDelivery> Publish() {
    auto e = ParseEvent(json::parse(R"({"eventId":"evt-9","eventType":"TextMessageCreated",
        "groupId":"123456","fromUserId":"u-1","fromUserName":"Asha",
        "data":{"text":"a <b> & c"}})"));
    EXPECT_TRUE(e.ok());
    Event event = std::move(e).value();
    AssignDefaults(event, event.id, kStart);
    std::vector<NewDelivery> created;
    EXPECT_TRUE(store_->CommitEvents(std::vector<Event>{event}, kStart, &created).ok());
    dispatcher_->Enqueue(created);
    dispatcher_->RunDue();
    return created;
  }

  static std::map<std::string, std::string> HeaderMap(const HttpRequest& r) {
    return {r.headers.begin(), r.headers.end()};
  }

  void ExpectSigned(const Subscription& sub, const HttpRequest& r) {
    auto key = DecodeWebhookSecret(sub.secret);
    ASSERT_TRUE(key.ok());
    auto h = HeaderMap(r);
    EXPECT_TRUE(VerifyWebhook(*key, h["webhook-id"], h["webhook-timestamp"], r.body,
                              h["webhook-signature"], kStart / 1000)
                    .ok());
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  FakeClock clock_{kStart};
  FakeSender sender_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(DispatcherFormatTest, KommunicateBodyAuthenticationHeaderAndMaskedLog) {
  Subscription sub = MakeSubscription("sub-k", ObjectType::kGroup, "123456");
  sub.format = PayloadFormat::kKommunicate;
  sub.callback_token = "abcdef";
  ASSERT_TRUE(store_->PutSubscription(sub).ok());
  const std::vector<NewDelivery> created = Publish();
  ASSERT_EQ(created.size(), 1u);
  const DeliveryId id = created[0].id;
  ASSERT_EQ(sender_.requests().size(), 1u);
  const HttpRequest r = sender_.requests()[0];
  EXPECT_EQ(r.content_type, "application/json");
  auto h = HeaderMap(r);
  EXPECT_EQ(h["Authentication"], "Basic YWJjZGVm");
  EXPECT_EQ(h.count("kz-callback-token"), 0u);
  const json::object body = json::parse(r.body).as_object();
  EXPECT_EQ(body.at("key"), "evt-9");
  EXPECT_EQ(body.at("groupId"), json::value(123456));
  EXPECT_EQ(body.at("message"), "a <b> & c");
  EXPECT_EQ(body.at("timeStamp"), json::value(kStart));
  ExpectSigned(sub, r);

  auto d = store_->GetDelivery(id);
  ASSERT_TRUE(d.ok() && d->has_value());
  std::map<std::string, std::string> logged((*d)->attempts.at(0).request_headers.begin(),
                                            (*d)->attempts.at(0).request_headers.end());
  EXPECT_EQ(logged["Authentication"], "Basic ****");
  EXPECT_EQ(logged["Content-Type"], "application/json");
}

TEST_F(DispatcherFormatTest, SlackAndRawAreSignedOverTheirOwnBodyOnEveryRetry) {
  Subscription slack = MakeSubscription("sub-s", ObjectType::kGroup, "123456");
  slack.format = PayloadFormat::kSlack;
  Subscription raw = MakeSubscription("sub-r", ObjectType::kGroup, "123456");
  raw.format = PayloadFormat::kRaw;
  ASSERT_TRUE(store_->PutSubscription(slack).ok());
  ASSERT_TRUE(store_->PutSubscription(raw).ok());
  sender_.Answer(503);
  sender_.Answer(503);
  ASSERT_EQ(Publish().size(), 2u);
  clock_.Advance(2000);
  dispatcher_->RunDue();
  const auto requests = sender_.requests();
  ASSERT_EQ(requests.size(), 4u);
  std::map<std::string, std::vector<HttpRequest>> by_sub;
  for (const HttpRequest& r : requests) {
    by_sub[json::parse(r.body).as_object().contains("attachments") ? "slack" : "raw"].push_back(r);
  }
  ASSERT_EQ(by_sub["slack"].size(), 2u);
  ASSERT_EQ(by_sub["raw"].size(), 2u);
  for (const HttpRequest& r : by_sub["slack"]) {
    EXPECT_EQ(json::parse(r.body).at("text"), "a &lt;b&gt; &amp; c");
    ExpectSigned(slack, r);
  }
  EXPECT_EQ(HeaderMap(by_sub["slack"][0])["webhook-id"],
            HeaderMap(by_sub["slack"][1])["webhook-id"]);
  for (const HttpRequest& r : by_sub["raw"]) {
    const json::object body = json::parse(r.body).as_object();
    EXPECT_EQ(body.at("eventId"), "evt-9");
    EXPECT_EQ(body.at("timestamp"), json::value(kStart));
    EXPECT_FALSE(body.contains("subscriptionId")) << "raw is the event, not an envelope";
    ExpectSigned(raw, r);
  }
}

}  // namespace
}  // namespace hookbroker::testing
