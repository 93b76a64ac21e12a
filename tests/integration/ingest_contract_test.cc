// The ZeroMQ ingest contract (docs/INGEST.md) against the real daemon: one frame per request,
// one result per event in request order, per-event validation naming the field, frame-level
// errors for unreadable frames, REQ and DEALER producers, and no crash or stall on bad input.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "proto/limits.h"
#include "tests/integration/broker_fixture.h"

namespace hookbroker::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

zmq::context_t& DealerContext() {
  static zmq::context_t context(1);
  return context;
}

// A DEALER speaking the REQ envelope by hand: an empty delimiter frame, then the body.
class Dealer {
 public:
  explicit Dealer(const std::string& endpoint)
      : socket_(DealerContext(), zmq::socket_type::dealer) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.set(zmq::sockopt::rcvtimeo, 10000);
    socket_.set(zmq::sockopt::sndtimeo, 10000);
    socket_.connect(endpoint);
  }

  // Sends the given frames as one multipart message.
  void SendFrames(const std::vector<std::string>& frames) {
    for (std::size_t i = 0; i < frames.size(); ++i) {
      const auto flags = i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
      ASSERT_TRUE(socket_.send(zmq::buffer(frames[i]), flags).has_value());
    }
  }
  void Send(const std::string& body) { SendFrames({"", body}); }

  // Starts watching this socket's connection: WaitForDisconnect() then tells whether the peer
  // dropped it.
  void WatchDisconnects() {
    static std::atomic<int> next{0};
    const std::string endpoint = "inproc://dealer-monitor-" + std::to_string(next++);
    ASSERT_EQ(zmq_socket_monitor(socket_.handle(), endpoint.c_str(), ZMQ_EVENT_DISCONNECTED), 0);
    monitor_.emplace(DealerContext(), zmq::socket_type::pair);
    monitor_->set(zmq::sockopt::rcvtimeo, 10000);
    monitor_->connect(endpoint);
  }
  // True once the broker closed the connection; false after 10 s without that.
  bool WaitForDisconnect() {
    for (;;) {
      zmq::message_t event;
      if (!monitor_->recv(event, zmq::recv_flags::none)) return false;
      std::uint16_t id = 0;
      if (event.size() >= sizeof id) std::memcpy(&id, event.data(), sizeof id);
      zmq::message_t address;
      if (event.more() && !monitor_->recv(address, zmq::recv_flags::none)) return false;
      if (id == ZMQ_EVENT_DISCONNECTED) return true;
    }
  }

  // Receives one whole multipart message; empty on timeout.
  std::vector<std::string> ReceiveFrames() {
    std::vector<std::string> frames;
    for (;;) {
      zmq::message_t frame;
      if (!socket_.recv(frame, zmq::recv_flags::none)) return {};
      frames.push_back(frame.to_string());
      if (!frame.more()) break;
    }
    return frames;
  }

 private:
  zmq::socket_t socket_;
  std::optional<zmq::socket_t> monitor_;
};

json::object Event(const std::string& id, const std::string& group = "g-ingest") {
  return json::object{{"eventType", "TextMessageCreated"}, {"groupId", group}, {"eventId", id}};
}

class IngestContractTest : public BrokerFixture {
 protected:
  void SetUp() override {
    BrokerFixture::SetUp();
    if (HasFatalFailure()) return;
    StartBroker();
  }

  // Sends `frame` as is on a REQ socket; the reply frame, or "" (and a failure) when none came.
  std::string Raw(const std::string& frame) {
    auto reply = RequestReply(broker_->ingest_endpoint(), frame);
    EXPECT_TRUE(reply.has_value()) << "no ingest reply; broker output:\n" << broker_->Output();
    return reply.value_or("");
  }

  // The results array of a reply to `events`, checked to hold one entry per event.
  json::array Results(const json::value& events) {
    json::value reply = Publish(events);
    EXPECT_TRUE(reply.is_object() && reply.as_object().contains("results")) << reply;
    if (!reply.is_object() || !reply.as_object().contains("results")) return {};
    json::array results = reply.at("results").as_array();
    EXPECT_EQ(results.size(), events.is_array() ? events.as_array().size() : 1u) << reply;
    return results;
  }

  json::object One(const json::object& event) {
    json::array r = Results(event);
    return r.empty() ? json::object{} : r[0].as_object();
  }

  // Asserts a frame-level error reply {"error":"..."} with nothing else.
  void ExpectFrameError(const std::string& reply_text) {
    json::value reply;
    ASSERT_NO_THROW(reply = json::parse(reply_text)) << reply_text;
    ASSERT_TRUE(reply.is_object()) << reply_text;
    const json::object& o = reply.as_object();
    EXPECT_EQ(o.size(), 1u) << reply_text;
    ASSERT_TRUE(o.contains("error")) << reply_text;
    ASSERT_TRUE(o.at("error").is_string()) << reply_text;
    EXPECT_FALSE(o.at("error").as_string().empty());
  }

  // The broker still takes events and serves REST.
  void ExpectStillServing() {
    EXPECT_EQ(One(Event("still-serving-" + std::to_string(++probe_))).at("status").as_string(),
              "accepted");
    EXPECT_EQ(Api("GET", "/healthz", "", {}).status, 200);
  }

  int probe_ = 0;
};

TEST_F(IngestContractTest, SingleEventAcceptedWithItsIdAndDeliveryCount) {
  ASSERT_FALSE(Register("Group", "g-count").first.empty());
  ASSERT_FALSE(Register("Group", "g-count", {"TextMessageCreated"}).first.empty());
  ASSERT_FALSE(Register("Group", "g-count", {"MemberAdded"}).first.empty());
  const json::object r = One(Event("e-single", "g-count"));
  EXPECT_EQ(r.at("eventId").as_string(), "e-single");
  EXPECT_EQ(r.at("status").as_string(), "accepted");
  EXPECT_EQ(r.at("deliveries").as_int64(), 2);
  EXPECT_FALSE(r.contains("error"));
  // No subscription: accepted with zero deliveries.
  const json::object none = One(Event("e-none", "g-nobody"));
  EXPECT_EQ(none.at("status").as_string(), "accepted");
  EXPECT_EQ(none.at("deliveries").as_int64(), 0);
}

TEST_F(IngestContractTest, BrokerAssignsUniqueEventIdWhenAbsent) {
  auto [id, secret] = Register("Group", "g-noid");
  ASSERT_FALSE(id.empty());
  json::object e{{"eventType", "MemberAdded"}, {"groupId", "g-noid"}};
  json::array results = Results(json::array{e, e, e});
  json::object single = One(e);
  std::set<std::string> ids;
  for (const auto& r : results) {
    EXPECT_EQ(r.at("status").as_string(), "accepted") << r;
    ids.insert(std::string(r.at("eventId").as_string()));
  }
  EXPECT_EQ(single.at("status").as_string(), "accepted");
  ids.insert(std::string(single.at("eventId").as_string()));
  EXPECT_EQ(ids.size(), 4u);  // same content, four distinct ids: none is a duplicate
  for (const auto& i : ids) EXPECT_FALSE(i.empty());

  // Receivers see the assigned ids.
  ASSERT_TRUE(receiver_->WaitForPosts(4, 10s));
  std::set<std::string> delivered;
  for (const auto& p : receiver_->Posts()) {
    delivered.insert(std::string(json::parse(p.body).at("eventId").as_string()));
  }
  EXPECT_EQ(delivered, ids);
}

TEST_F(IngestContractTest, BrokerFillsInTimestampWhenAbsentAndKeepsAGivenOne) {
  ASSERT_FALSE(Register("Group", "g-ts").first.empty());
  const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  json::object given = Event("ts-given", "g-ts");
  given["timestamp"] = 1700000000123;
  json::array results = Results(json::array{Event("ts-filled", "g-ts"), given});
  ASSERT_EQ(results.size(), 2u);
  ASSERT_TRUE(receiver_->WaitForPosts(2, 10s));
  const auto after = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  for (const auto& p : receiver_->Posts()) {
    const json::value body = json::parse(p.body);
    ASSERT_TRUE(body.at("timestamp").is_int64()) << p.body;
    const std::int64_t ts = body.at("timestamp").as_int64();
    if (body.at("eventId").as_string() == "ts-given") {
      EXPECT_EQ(ts, 1700000000123);
    } else {
      EXPECT_GE(ts, before - 1000);
      EXPECT_LE(ts, after + 1000);
    }
  }
}

TEST_F(IngestContractTest, BatchResultsComeInRequestOrder) {
  json::array batch;
  for (int i = 0; i < 10; ++i) batch.push_back(Event("order-" + std::to_string(9 - i)));
  batch.push_back(Event("order-3"));  // a repeat within the batch
  json::array results = Results(batch);
  ASSERT_EQ(results.size(), 11u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(results[i].at("eventId").as_string(), "order-" + std::to_string(9 - i));
    EXPECT_EQ(results[i].at("status").as_string(), "accepted");
  }
  EXPECT_EQ(results[10].at("eventId").as_string(), "order-3");
  EXPECT_EQ(results[10].at("status").as_string(), "duplicate");
}

TEST_F(IngestContractTest, InvalidEventsRejectedNamingTheFieldOthersUnaffected) {
  struct Case {
    std::string field;
    json::object event;
  };
  auto with = [](std::string key, json::value v) {
    json::object e{{"eventType", "Announcement"}, {"groupId", "g-bad"}};
    e[key] = std::move(v);
    return e;
  };
  auto without = [](std::string key) {
    json::object e{{"eventType", "Announcement"}, {"groupId", "g-bad"}};
    e.erase(key);
    return e;
  };
  const std::vector<Case> cases = {
      {"eventType", without("eventType")},
      {"eventType", with("eventType", "")},
      {"eventType", with("eventType", "9starts-with-digit")},
      {"eventType", with("eventType", "has space")},
      {"eventType", with("eventType", json::string("x" + std::string(64, 'y')))},  // 65 characters
      {"eventType", with("eventType", 5)},
      {"groupId", without("groupId")},
      {"groupId", with("groupId", "")},
      {"groupId", with("groupId", json::string(257, 'g'))},
      {"groupId", with("groupId", 5)},
      {"actionPackageId", with("actionPackageId", 5)},
      {"actionPackageId", with("actionPackageId", json::string(257, 'p'))},
      {"actionId", with("actionId", json::array{})},
      {"actionId", with("actionId", json::string(257, 'a'))},
      {"eventId", with("eventId", "")},
      {"eventId", with("eventId", json::string(129, 'i'))},
      {"eventId", with("eventId", "line\nbreak")},
      {"eventId", with("eventId", 12)},
      {"fromUser", with("fromUser", 1)},
      {"fromUserId", with("fromUserId", json::object{})},
      {"fromUserName", with("fromUserName", json::array{"a"})},
      {"fromUserProfilePic", with("fromUserProfilePic", json::string(2049, 'u'))},
      {"timestamp", with("timestamp", -1)},
      {"timestamp", with("timestamp", "1700000000000")},
      {"timestamp", with("timestamp", 1.5)},
      {"data", with("data", "text")},
      {"data", with("data", json::array{1, 2})},
      {"data", with("data", json::object{{"big", std::string(256 * 1024, 'd')}})},
  };
  json::array batch;
  batch.push_back(Event("valid-first"));
  for (const Case& c : cases) batch.push_back(c.event);
  batch.push_back(42);  // not an object at all
  batch.push_back(Event("valid-last"));

  json::array results = Results(batch);
  ASSERT_EQ(results.size(), cases.size() + 3);
  EXPECT_EQ(results.front().at("status").as_string(), "accepted");
  EXPECT_EQ(results.front().at("eventId").as_string(), "valid-first");
  EXPECT_EQ(results.back().at("status").as_string(), "accepted");
  EXPECT_EQ(results.back().at("eventId").as_string(), "valid-last");
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const json::object& r = results[i + 1].as_object();
    SCOPED_TRACE(cases[i].field + ": " + json::serialize(r));
    EXPECT_EQ(r.at("status").as_string(), "rejected");
    ASSERT_TRUE(r.contains("error"));
    const std::string error(r.at("error").as_string());
    EXPECT_NE(error.find(cases[i].field), std::string::npos) << error;
  }
  const json::object& not_object = results[cases.size() + 1].as_object();
  EXPECT_EQ(not_object.at("status").as_string(), "rejected");
  EXPECT_FALSE(not_object.at("error").as_string().empty());
}

TEST_F(IngestContractTest, RejectedEventEchoesItsIdAndStoresNothing) {
  json::object bad{{"eventType", "JobCreated"}, {"eventId", "fix-me"}};  // no groupId
  const json::object r = One(bad);
  EXPECT_EQ(r.at("status").as_string(), "rejected");
  EXPECT_EQ(r.at("eventId").as_string(), "fix-me");
  EXPECT_NE(r.at("error").as_string().find("groupId"), std::string::npos);
  // Fixed and sent again it is new, not a duplicate of the rejected one.
  bad["groupId"] = "g-fixed";
  EXPECT_EQ(One(bad).at("status").as_string(), "accepted");
}

TEST_F(IngestContractTest, LimitsAreInclusive) {
  json::object e = Event(std::string(128, 'i'), std::string(256, 'g'));
  e["eventType"] = "C" + std::string(63, 'c');  // 64 characters
  e["actionPackageId"] = std::string(256, 'p');
  e["actionId"] = std::string(256, 'a');
  e["fromUserProfilePic"] = std::string(2048, 'u');
  e["timestamp"] = 0;
  const json::object r = One(e);
  EXPECT_EQ(r.at("status").as_string(), "accepted") << r;
  EXPECT_EQ(r.at("eventId").as_string(), std::string(128, 'i'));
}

TEST_F(IngestContractTest, WholeEventOverItsLimitRejectedAtTheLimitAccepted) {
  // Fields the broker does not know are stored with the event, so they count.
  auto sized = [](const std::string& id, std::size_t size) {
    json::object e = Event(id);
    e["extra"] = "";
    e["extra"] = std::string(size - json::serialize(e).size(), 'x');
    return e;
  };
  const json::array r =
      Results(json::array{sized("whole-at", limits::kMaxEventBytes),
                          sized("whole-over", limits::kMaxEventBytes + 1), Event("whole-next")});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].at("status").as_string(), "accepted") << r[0];
  EXPECT_EQ(r[1].at("status").as_string(), "rejected") << r[1];
  EXPECT_EQ(r[1].at("eventId").as_string(), "whole-over");
  EXPECT_TRUE(r[1].at("error").as_string().starts_with("event: larger than")) << r[1];
  EXPECT_EQ(r[2].at("status").as_string(), "accepted") << r[2];
}

TEST_F(IngestContractTest, AllKaizalaTypesAndCustomNamesAccepted) {
  const std::vector<std::string> types = {
      "ActionCreated",  "ActionResponse", "SurveyCreated",         "JobCreated",
      "SurveyResponse", "JobResponse",    "TextMessageCreated",    "AttachmentCreated",
      "Announcement",   "MemberAdded",    "MemberRemoved",         "GroupAdded",
      "GroupRemoved",   "orderShipped",   "Invoice.paid_v2-final", "z"};
  json::array batch;
  for (const auto& t : types) {
    batch.push_back(json::object{{"eventType", t}, {"groupId", "g-types"}});
  }
  json::array results = Results(batch);
  ASSERT_EQ(results.size(), types.size());
  for (std::size_t i = 0; i < types.size(); ++i) {
    EXPECT_EQ(results[i].at("status").as_string(), "accepted") << types[i] << ": " << results[i];
  }
}

TEST_F(IngestContractTest, BatchOfThousandAccepted) {
  json::array batch;
  for (int i = 0; i < 1000; ++i) batch.push_back(Event("k-" + std::to_string(i)));
  json::array results = Results(batch);
  ASSERT_EQ(results.size(), 1000u);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(results[i].at("eventId").as_string(), "k-" + std::to_string(i));
    ASSERT_EQ(results[i].at("status").as_string(), "accepted");
  }
}

TEST_F(IngestContractTest, BatchOverThousandIsFrameErrorAndStoresNothing) {
  json::array batch;
  for (int i = 0; i < 1001; ++i) batch.push_back(Event("over-" + std::to_string(i)));
  ExpectFrameError(Raw(json::serialize(batch)));
  // Nothing of it was stored: its ids are still new.
  EXPECT_EQ(One(Event("over-0")).at("status").as_string(), "accepted");
  EXPECT_EQ(One(Event("over-1000")).at("status").as_string(), "accepted");
}

TEST_F(IngestContractTest, UnreadableFramesAnsweredWithErrorAndBrokerKeepsServing) {
  std::string deep(1000, '[');
  deep += std::string(1000, ']');
  std::string deep_event = R"({"eventType":"X","groupId":"g","data":)";
  for (int i = 0; i < 40; ++i) deep_event += R"({"a":)";
  deep_event += "1";
  deep_event += std::string(40, '}') + "}";
  const std::vector<std::string> frames = {
      "",
      "not json",
      "{",
      R"({"eventType":"MemberAdded","groupId":"g"} trailing)",
      std::string("\x00\x01\xff\xfe binary", 12),
      "{\"eventType\":\"MemberAdded\",\"groupId\":\"\xc3\x28\"}",  // invalid UTF-8
      "42",
      "\"a string\"",
      "null",
      "true",
      "[]",
      deep,
      deep_event,
  };
  for (const std::string& frame : frames) {
    SCOPED_TRACE(json::serialize(json::string(frame.substr(0, 60))));
    ExpectFrameError(Raw(frame));
  }
  ExpectStillServing();
}

TEST_F(IngestContractTest, FrameOverFourMiBIsErrorAndBrokerKeepsServing) {
  // Valid JSON, so that only its size is wrong: a batch of events (the first one's id is `id`),
  // each under the event limit, padded with a field the broker keeps to exactly `size` bytes.
  auto frame_of = [](std::size_t size, const std::string& id) {
    const std::size_t count = size / (limits::kMaxEventBytes / 2) + 1;
    json::array batch;
    for (std::size_t i = 0; i < count; ++i) {
      json::object e = Event(i == 0 ? id : id + "-" + std::to_string(i));
      e["padding"] = "";
      batch.push_back(std::move(e));
    }
    const std::size_t pad = size - json::serialize(batch).size();
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t n = pad / count + (i + 1 == count ? pad % count : 0);
      batch[i].as_object()["padding"] = std::string(n, 'p');
    }
    std::string text = json::serialize(batch);
    EXPECT_EQ(text.size(), size);
    return text;
  };
  ExpectFrameError(Raw(frame_of(limits::kMaxIngestFrameBytes + 1, "too-big")));
  // The largest frame ZeroMQ reads at all (ZMQ_MAXMSGSIZE) still gets an answer.
  ExpectFrameError(Raw(frame_of(limits::kMaxIngestMessageBytes, "much-too-big")));
  json::value at_limit = json::parse(Raw(frame_of(limits::kMaxIngestFrameBytes, "at-limit")));
  EXPECT_EQ(at_limit.at("results").at(0).at("status").as_string(), "accepted") << at_limit;
  // The rejected frames stored nothing.
  EXPECT_EQ(One(Event("too-big")).at("status").as_string(), "accepted");
  ExpectStillServing();
}

TEST_F(IngestContractTest, DealerWithEmptyDelimiterWorksLikeReq) {
  Dealer dealer(broker_->ingest_endpoint());
  // Several requests in flight at once; each reply is the delimiter and one frame, in order.
  dealer.Send(json::serialize(Event("d-1")));
  dealer.Send(json::serialize(json::array{Event("d-2"), Event("d-1"), json::object{}}));
  dealer.Send("not json");
  dealer.Send(json::serialize(Event("d-3")));

  std::vector<json::value> replies;
  for (int i = 0; i < 4; ++i) {
    std::vector<std::string> frames = dealer.ReceiveFrames();
    ASSERT_EQ(frames.size(), 2u) << "reply " << i;
    EXPECT_EQ(frames[0], "");
    replies.push_back(json::parse(frames[1]));
  }
  EXPECT_EQ(replies[0].at("results").at(0).at("eventId").as_string(), "d-1");
  EXPECT_EQ(replies[0].at("results").at(0).at("status").as_string(), "accepted");
  const json::array& second = replies[1].at("results").as_array();
  ASSERT_EQ(second.size(), 3u);
  EXPECT_EQ(second[0].at("status").as_string(), "accepted");
  EXPECT_EQ(second[1].at("status").as_string(), "duplicate");
  EXPECT_EQ(second[2].at("status").as_string(), "rejected");
  EXPECT_TRUE(replies[2].as_object().contains("error"));
  EXPECT_EQ(replies[3].at("results").at(0).at("eventId").as_string(), "d-3");
  EXPECT_EQ(replies[3].at("results").at(0).at("status").as_string(), "accepted");
}

TEST_F(IngestContractTest, DealerRequestWithoutOneBodyFrameIsError) {
  Dealer dealer(broker_->ingest_endpoint());
  dealer.SendFrames({""});  // delimiter only
  std::vector<std::string> frames = dealer.ReceiveFrames();
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0], "");
  ExpectFrameError(frames[1]);

  dealer.SendFrames({"", json::serialize(Event("two-a")), json::serialize(Event("two-b"))});
  frames = dealer.ReceiveFrames();
  ASSERT_EQ(frames.size(), 2u);
  ExpectFrameError(frames[1]);
  // Neither part was stored.
  EXPECT_EQ(One(Event("two-a")).at("status").as_string(), "accepted");
  ExpectStillServing();
}

TEST_F(IngestContractTest, RequestOfMoreThanEightFramesIsErrorAtEightItIsServed) {
  Dealer dealer(broker_->ingest_endpoint());
  // At the limit: six routing frames (as proxies add them), the delimiter and the body. The
  // envelope comes back as it went out.
  std::vector<std::string> frames = {"hop-1", "hop-2", "hop-3", "hop-4", "hop-5", "hop-6", ""};
  ASSERT_EQ(frames.size() + 1, limits::kMaxIngestRequestFrames);
  frames.push_back(json::serialize(Event("eight-frames")));
  dealer.SendFrames(frames);
  std::vector<std::string> reply = dealer.ReceiveFrames();
  ASSERT_EQ(reply.size(), 8u);
  EXPECT_EQ(reply[0], "hop-1");
  EXPECT_EQ(reply[6], "");
  EXPECT_EQ(json::parse(reply[7]).at("results").at(0).at("status").as_string(), "accepted");

  // One more routing frame: a frame-level error, and nothing stored.
  frames.insert(frames.begin(), "hop-0");
  frames.back() = json::serialize(Event("nine-frames"));
  dealer.SendFrames(frames);
  reply = dealer.ReceiveFrames();
  ASSERT_EQ(reply.size(), 9u);
  ExpectFrameError(reply[8]);
  EXPECT_NE(reply[8].find("at most 8 frames"), std::string::npos) << reply[8];

  // Many thousands of frames: read, dropped and answered the same way.
  std::vector<std::string> flood(50000, "x");
  flood.insert(flood.begin(), "");
  dealer.SendFrames(flood);
  reply = dealer.ReceiveFrames();
  ASSERT_EQ(reply.size(), 2u);
  ExpectFrameError(reply[1]);
  EXPECT_EQ(One(Event("nine-frames")).at("status").as_string(), "accepted");
  ExpectStillServing();
}

TEST_F(IngestContractTest, FrameOverEightMiBDropsTheConnectionAndBrokerKeepsServing) {
  // Up to kMaxIngestMessageBytes a too-large frame is answered (FrameOverFourMiB... above); past
  // it ZeroMQ refuses to read it and closes the connection instead.
  Dealer dealer(broker_->ingest_endpoint());
  dealer.WatchDisconnects();
  dealer.Send(json::serialize(Event("connect-first")));
  ASSERT_EQ(dealer.ReceiveFrames().size(), 2u);
  dealer.Send(std::string(limits::kMaxIngestMessageBytes + 1, ' '));
  EXPECT_TRUE(dealer.WaitForDisconnect());
  ExpectStillServing();
}

TEST_F(IngestContractTest, ProducerGoneBeforeReplyDoesNotStallTheBroker) {
  for (int i = 0; i < 5; ++i) {
    Dealer gone(broker_->ingest_endpoint());
    json::array batch;
    for (int j = 0; j < 200; ++j) batch.push_back(Event("gone-" + std::to_string(i * 200 + j)));
    gone.Send(json::serialize(batch));
  }  // closed with linger 0, replies unread
  std::this_thread::sleep_for(100ms);
  ExpectStillServing();
}

TEST_F(IngestContractTest, ConcurrentProducersMixingGoodAndBadFramesAllAnswered) {
  constexpr int kThreads = 8;
  constexpr int kRequests = 15;
  std::atomic<int> accepted{0};
  std::atomic<int> errors{0};
  std::atomic<int> unanswered{0};
  std::vector<std::thread> threads;
  const std::string endpoint = broker_->ingest_endpoint();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRequests; ++i) {
        const bool good = (i % 3) != 0;
        const std::string frame =
            good ? json::serialize(Event("c-" + std::to_string(t) + "-" + std::to_string(i)))
                 : std::string("{\"broken\":");
        auto reply = RequestReply(endpoint, frame, 10s);
        if (!reply) {
          ++unanswered;
          continue;
        }
        json::value v = json::parse(*reply);
        if (v.as_object().contains("error")) {
          ++errors;
        } else if (v.at("results").at(0).at("status").as_string() == "accepted") {
          ++accepted;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(unanswered.load(), 0);
  EXPECT_EQ(accepted.load(), kThreads * 10);
  EXPECT_EQ(errors.load(), kThreads * 5);
}

TEST_F(IngestContractTest, AcceptedEventIsDurableAcrossKill) {
  ASSERT_EQ(One(Event("durable-1")).at("status").as_string(), "accepted");
  ASSERT_EQ(broker_->Stop(SIGKILL), 128 + SIGKILL);
  StartBroker();
  const json::object again = One(Event("durable-1"));
  EXPECT_EQ(again.at("status").as_string(), "duplicate");
  EXPECT_EQ(again.at("deliveries").as_int64(), 0);
}

}  // namespace
}  // namespace hookbroker::testing
