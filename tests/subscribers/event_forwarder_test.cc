#include "subscribers/event_forwarder.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <vector>

#include "tests/support/temp_dir.h"

namespace hookbroker::testing {
namespace {

using namespace std::chrono_literals;
using subscribers::EventForwarder;
using subscribers::ForwarderOptions;
using subscribers::ReceivedStore;

std::vector<std::string> Lines(const std::string& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string Record(const std::string& id, const std::string& type) {
  return boost::json::serialize(boost::json::object{
      {"webhookId", id},
      {"receivedAt", 1},
      {"event", boost::json::object{{"eventType", type}, {"eventId", "e-" + id}}}});
}

class EventForwarderTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = std::move(ReceivedStore::Open(dir_.File("store")).value()); }

  ForwarderOptions Options() {
    ForwarderOptions o;
    o.output = dir_.File("events.jsonl");
    o.log = [this](const std::string& line) { log_.push_back(line); };
    return o;
  }
  std::uint64_t Store(const std::string& id, const std::string& type = "MemberAdded") {
    return store_->StoreOnce(id, Record(id, type), 1)->seq;
  }

  TempDir dir_;
  std::unique_ptr<ReceivedStore> store_;
  std::vector<std::string> log_;  // written by the forwarding thread; read after Stop()
};

TEST_F(EventForwarderTest, WritesEachStoredCallbackAsOneLineInOrder) {
  EventForwarder forwarder(store_.get(), Options());
  ASSERT_TRUE(forwarder.Start().ok());
  Store("msg_1");
  forwarder.Notify();
  const std::uint64_t last = Store("msg_2");
  forwarder.Notify();
  ASSERT_TRUE(forwarder.WaitForwarded(last, 10s));
  forwarder.Stop();
  EXPECT_EQ(
      Lines(dir_.File("events.jsonl")),
      (std::vector<std::string>{Record("msg_1", "MemberAdded"), Record("msg_2", "MemberAdded")}));
  EXPECT_EQ(*store_->Forwarded(), last);
}

TEST_F(EventForwarderTest, ForwardsWhatAnEarlierRunStoredAndNothingTwice) {
  {
    EventForwarder first(store_.get(), Options());
    ASSERT_TRUE(first.Start().ok());
    const std::uint64_t seq = Store("msg_1");
    first.Notify();
    ASSERT_TRUE(first.WaitForwarded(seq, 10s));
  }
  // Stored while no forwarder ran (as when hooksink dies between storing and forwarding).
  const std::uint64_t pending = Store("msg_2");
  EventForwarder second(store_.get(), Options());
  ASSERT_TRUE(second.Start().ok());
  ASSERT_TRUE(second.WaitForwarded(pending, 10s));
  second.Stop();
  const auto lines = Lines(dir_.File("events.jsonl"));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[1].find("msg_2"), std::string::npos);
}

TEST_F(EventForwarderTest, RunsTheCommandPerEventWithTheLineAndEnvironment) {
  ForwarderOptions o = Options();
  o.output = "";
  const std::string out = dir_.File("exec.txt");
  o.exec =
      "printf '%s %s %s %s ' \"$HOOKSINK_WEBHOOK_ID\" \"$HOOKSINK_EVENT_TYPE\" "
      "\"$HOOKSINK_EVENT_ID\" \"$HOOKSINK_SEQ\" >> " +
      out + "; cat >> " + out;
  EventForwarder forwarder(store_.get(), o);
  ASSERT_TRUE(forwarder.Start().ok());
  const std::uint64_t seq = Store("msg_7", "TextMessageCreated");
  forwarder.Notify();
  ASSERT_TRUE(forwarder.WaitForwarded(seq, 10s));
  forwarder.Stop();
  EXPECT_EQ(Lines(out), (std::vector<std::string>{"msg_7 TextMessageCreated e-msg_7 1 " +
                                                  Record("msg_7", "TextMessageCreated")}));
  EXPECT_TRUE(log_.empty());
}

TEST_F(EventForwarderTest, AFailingCommandIsLoggedAndForwardingGoesOn) {
  ForwarderOptions o = Options();
  o.exec = "exit 3";
  EventForwarder forwarder(store_.get(), o);
  ASSERT_TRUE(forwarder.Start().ok());
  Store("msg_1");
  const std::uint64_t last = Store("msg_2");
  forwarder.Notify();
  ASSERT_TRUE(forwarder.WaitForwarded(last, 10s));
  forwarder.Stop();
  ASSERT_EQ(log_.size(), 2u);
  EXPECT_EQ(log_[0], "--exec failed for webhook-id msg_1 (exit status 3)");
  EXPECT_EQ(Lines(dir_.File("events.jsonl")).size(), 2u);
}

TEST_F(EventForwarderTest, AnUnwritableOutputFailsAtStart) {
  ForwarderOptions o = Options();
  o.output = dir_.File("no-such-dir/events.jsonl");
  EventForwarder forwarder(store_.get(), o);
  Status s = forwarder.Start();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "output_error");
}

}  // namespace
}  // namespace hookbroker::testing
