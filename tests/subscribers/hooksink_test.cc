// hooksink run as a user runs it: the executable, its flags, HTTPS with a certificate, the real
// broker registering a webhook to it and delivering events; and a crash after storing but before
// answering, which the broker's retry must cover without anything stored or forwarded twice.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <functional>
#include <thread>

#include "proto/signature.h"
#include "subscribers/callback_handler.h"
#include "subscribers/received_store.h"
#include "tests/integration/broker_fixture.h"
#include "tests/subscribers/hooksink_process.h"
#include "tests/subscribers/signed_request.h"

namespace hookbroker::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

std::vector<json::object> JsonLines(const std::string& text) {
  std::vector<json::object> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    if (end == std::string::npos) break;  // a line still being written
    lines.push_back(json::parse(text.substr(start, end - start)).as_object());
    start = end + 1;
  }
  return lines;
}

std::string ReadFile(const std::string& file) {
  std::ifstream in(file);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Polls `done` every 20 ms until it holds or `timeout` passes (for state in another process).
bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

class HooksinkTest : public BrokerFixture {
 protected:
  // hooksink's flags for this test: HTTPS with the fixture's PKI (or plain HTTP), the store and
  // the event file in the test's folder.
  std::vector<std::string> SinkArgs(const std::string& listen = "127.0.0.1:0", bool tls = true) {
    std::vector<std::string> args = {"--listen", listen,   "--data-dir", dir_.File("sink-data"),
                                     "--secret", kSecretA, "--token",    "kz-token",
                                     "--path",   "/hook",  "--output",   dir_.File("events.jsonl")};
    if (tls) {
      args.insert(args.end(), {"--tls-cert", pki_.server_cert, "--tls-key", pki_.server_key});
    }
    return args;
  }

  // Registers a webhook for every event of `group` to the sink (the broker's handshake reaches
  // it first); returns the webhook id.
  std::string RegisterSink(const HooksinkProcess& sink, const std::string& group) {
    auto [id, secret] = Register("Group", group, {"*"},
                                 json::object{{"callBackUrl", sink.url() + "/hook"},
                                              {"callBackToken", "kz-token"},
                                              {"secret", kSecretA}});
    return id;
  }

  json::object Delivery(const std::string& webhook_id, const std::string& event_id) {
    HttpReply r = Api("GET", "/v1/deliveries?webhookId=" + webhook_id + "&eventId=" + event_id);
    if (r.status != 200) return {};
    const json::value page = json::parse(r.body);
    const auto& items = page.at("deliveries").as_array();
    return items.empty() ? json::object{} : items[0].as_object();
  }

  bool WaitDelivered(const std::string& webhook_id, const std::string& event_id) {
    return WaitUntil(
        [&] {
          const json::object d = Delivery(webhook_id, event_id);
          return d.contains("status") && d.at("status").as_string() == "delivered";
        },
        20s);
  }

  std::unique_ptr<subscribers::ReceivedStore> OpenStore() {
    auto store = subscribers::ReceivedStore::Open(dir_.File("sink-data"));
    EXPECT_TRUE(store.ok()) << store.error().message;
    return store.ok() ? std::move(*store) : nullptr;
  }
};

TEST_F(HooksinkTest, HelpListsTheFlagsAndBadFlagsExit2) {
  CommandResult help = RunCommand({HOOKSINK_BINARY, "--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* flag : {"--listen", "--tls-cert", "--secret", "--token", "--basic-auth",
                           "--data-dir", "--output", "--exec", "--fault-injection"}) {
    EXPECT_NE(help.out.find(flag), std::string::npos) << flag;
  }
  CommandResult no_secret = RunCommand({HOOKSINK_BINARY});
  EXPECT_EQ(no_secret.exit_code, 2);
  EXPECT_NE(no_secret.err.find("a signing secret is required"), std::string::npos);
  CommandResult bad_secret = RunCommand({HOOKSINK_BINARY, "--secret", "whsec_x"});
  EXPECT_EQ(bad_secret.exit_code, 1);
  EXPECT_NE(bad_secret.err.find("secret:"), std::string::npos) << bad_secret.err;
}

TEST_F(HooksinkTest, ReceivesTheBrokersCallbacksOverHttpsAndForwardsEachOnce) {
  HooksinkProcess sink(dir_.path(), SinkArgs());
  ASSERT_TRUE(sink.Start()) << sink.Err();
  ASSERT_EQ(sink.url().rfind("https://127.0.0.1:", 0), 0u) << sink.url();
  StartBroker();
  const std::string webhook = RegisterSink(sink, "g-sink");
  ASSERT_FALSE(webhook.empty());

  Publish(json::array{
      json::object{{"eventType", "TextMessageCreated"},
                   {"eventId", "e-1"},
                   {"groupId", "g-sink"},
                   {"data", json::object{{"text", "one"}}}},
      json::object{{"eventType", "MemberAdded"}, {"eventId", "e-2"}, {"groupId", "g-sink"}},
      json::object{{"eventType", "InvoicePaid"}, {"eventId", "e-3"}, {"groupId", "g-sink"}}});
  for (const char* e : {"e-1", "e-2", "e-3"}) ASSERT_TRUE(WaitDelivered(webhook, e)) << e;
  // Redelivering one makes the broker send it again: hooksink answers 2xx, stores nothing new.
  const std::string delivery_id(Delivery(webhook, "e-2").at("id").as_string());
  ASSERT_EQ(Api("POST", "/v1/deliveries/" + delivery_id + "/redeliver").status, 202);
  ASSERT_TRUE(WaitUntil(
      [&] {
        const json::object d = Delivery(webhook, "e-2");
        return d.at("status").as_string() == "delivered" && d.at("attemptCount").as_int64() >= 2;
      },
      20s));
  const json::object redelivered = Delivery(webhook, "e-2");
  EXPECT_NE(
      redelivered.at("attempts").as_array().back().at("response").as_string().find("duplicate"),
      std::string::npos)
      << json::serialize(redelivered);

  EXPECT_EQ(sink.Stop(SIGTERM), 0) << sink.Err();
  std::vector<json::object> lines = JsonLines(ReadFile(dir_.File("events.jsonl")));
  ASSERT_EQ(lines.size(), 3u);
  std::vector<std::string> ids;
  for (const json::object& line : lines) {
    ids.emplace_back(line.at("event").at("eventId").as_string());
    EXPECT_EQ(line.at("webhookId").as_string(),
              WebhookMessageId(webhook, std::string(line.at("event").at("eventId").as_string())));
  }
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"e-1", "e-2", "e-3"}));
  EXPECT_EQ(*OpenStore()->Count(), 3u);
  EXPECT_EQ(sink.Out(), "");  // --output went to the file, not stdout
}

TEST_F(HooksinkTest, RefusesHandMadeCallbacksThatFailACheck) {
  // Plain HTTP, so the test's client needs no trust in the test PKI.
  HooksinkProcess sink(dir_.path(), SinkArgs("127.0.0.1:0", false));
  ASSERT_TRUE(sink.Start()) << sink.Err();
  const std::int64_t now = subscribers::SystemNowMs() / 1000;
  auto post = [&](subscribers::CallbackRequest r, const std::string& path = "/hook") {
    std::map<std::string, std::string> headers;
    for (const auto& [name, value] : r.headers) {
      if (name != "content-type") headers[name] = value;
    }
    return HttpCall(sink.url(), "POST", path, r.body, headers);
  };
  auto signed_with_token = [&](const std::string& secret, const std::string& id, std::int64_t ts) {
    subscribers::CallbackRequest r = SignedRequest(secret, id, ts);
    r.headers["kz-callback-token"] = "kz-token";
    return r;
  };
  HttpReply wrong_sig = post(signed_with_token(kSecretB, "msg_x1", now));
  EXPECT_EQ(wrong_sig.status, 401) << wrong_sig.body;
  EXPECT_NE(wrong_sig.body.find("invalid_signature"), std::string::npos);
  HttpReply stale = post(signed_with_token(kSecretA, "msg_x2", now - 301));
  EXPECT_EQ(stale.status, 401);
  EXPECT_NE(stale.body.find("stale_timestamp"), std::string::npos);
  subscribers::CallbackRequest wrong_token = signed_with_token(kSecretA, "msg_x3", now);
  wrong_token.headers["kz-callback-token"] = "guess";
  HttpReply token = post(wrong_token);
  EXPECT_EQ(token.status, 401);
  EXPECT_NE(token.body.find("invalid_token"), std::string::npos);
  EXPECT_EQ(post(signed_with_token(kSecretA, "msg_x4", now), "/elsewhere").status, 404);

  HttpReply good = post(signed_with_token(kSecretA, "msg_ok", now));
  EXPECT_EQ(good.status, 200) << good.body;
  HttpReply replay = post(signed_with_token(kSecretA, "msg_ok", now));
  EXPECT_EQ(replay.status, 200);
  EXPECT_NE(replay.body.find("\"duplicate\""), std::string::npos);

  EXPECT_EQ(sink.Stop(SIGTERM), 0);
  auto store = OpenStore();
  EXPECT_EQ(*store->Count(), 1u);
  EXPECT_TRUE(*store->Seen("msg_ok"));
  EXPECT_FALSE(*store->Seen("msg_x1"));
}

TEST_F(HooksinkTest, ACrashBeforeAnsweringIsCoveredByTheBrokersRetry) {
  std::vector<std::string> crashing = SinkArgs();
  crashing.insert(crashing.end(), {"--fault-injection", "kill-after-store"});
  HooksinkProcess first(dir_.path(), crashing);
  ASSERT_TRUE(first.Start()) << first.Err();
  // Retries every ~0.5 s for ~10 s, so the restarted sink gets the redelivery quickly even on a
  // loaded machine.
  std::string schedule = "0.5";
  for (int i = 0; i < 19; ++i) schedule += ",0.5";
  StartBroker({"--retry-schedule", schedule});
  const std::string webhook = RegisterSink(first, "g-crash");
  ASSERT_FALSE(webhook.empty());

  Publish(json::object{{"eventType", "TextMessageCreated"},
                       {"eventId", "e-crash"},
                       {"groupId", "g-crash"},
                       {"data", json::object{{"text", "survives"}}}});
  // The sink stores the callback, then dies by SIGKILL before answering or forwarding it.
  ASSERT_EQ(first.Wait(20s), 128 + SIGKILL) << first.Err();
  {
    auto store = OpenStore();
    EXPECT_EQ(*store->Count(), 1u);
    EXPECT_EQ(*store->Forwarded(), 0u);
  }
  EXPECT_EQ(ReadFile(dir_.File("events.jsonl")), "");

  // Restarted on the same port and store, without the fault.
  HooksinkProcess second(dir_.path(), SinkArgs("127.0.0.1:" + std::to_string(first.port())));
  ASSERT_TRUE(second.Start()) << second.Err();
  ASSERT_TRUE(WaitDelivered(webhook, "e-crash")) << json::serialize(Delivery(webhook, "e-crash"));
  const json::object delivery = Delivery(webhook, "e-crash");
  const json::array& attempts = delivery.at("attempts").as_array();
  ASSERT_GE(attempts.size(), 2u);
  EXPECT_NE(attempts.front().at("outcome").as_string(), "delivered");  // the crash
  EXPECT_NE(attempts.back().at("response").as_string().find("duplicate"), std::string::npos)
      << json::serialize(delivery);

  // A later event goes through the restarted sink normally.
  Publish(
      json::object{{"eventType", "MemberAdded"}, {"eventId", "e-after"}, {"groupId", "g-crash"}});
  ASSERT_TRUE(WaitDelivered(webhook, "e-after"));
  EXPECT_EQ(second.Stop(SIGTERM), 0) << second.Err();

  // Exactly one stored and one forwarded line per event: the crashed one was forwarded by the
  // restarted sink from the store, and its redelivery was not forwarded again.
  auto store = OpenStore();
  EXPECT_EQ(*store->Count(), 2u);
  std::vector<json::object> lines = JsonLines(ReadFile(dir_.File("events.jsonl")));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].at("event").at("eventId").as_string(), "e-crash");
  EXPECT_EQ(lines[0].at("event").at("data").at("text").as_string(), "survives");
  EXPECT_EQ(lines[1].at("event").at("eventId").as_string(), "e-after");
}

TEST_F(HooksinkTest, RunsTheCommandPerEvent) {
  std::vector<std::string> args = SinkArgs();
  const std::string seen = dir_.File("exec.txt");
  args.insert(args.end(), {"--output", "-", "--exec",
                           "echo \"$HOOKSINK_EVENT_TYPE $HOOKSINK_EVENT_ID\" >> " + seen});
  HooksinkProcess sink(dir_.path(), args);
  ASSERT_TRUE(sink.Start()) << sink.Err();
  StartBroker();
  const std::string webhook = RegisterSink(sink, "g-exec");
  Publish(json::object{{"eventType", "Announcement"}, {"eventId", "e-ann"}, {"groupId", "g-exec"}});
  ASSERT_TRUE(WaitDelivered(webhook, "e-ann"));
  ASSERT_TRUE(WaitUntil([&] { return ReadFile(seen) == "Announcement e-ann\n"; }, 10s))
      << ReadFile(seen) << sink.Err();
  EXPECT_EQ(sink.Stop(SIGTERM), 0);
  std::vector<json::object> lines = JsonLines(sink.Out());  // --output - : stdout
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].at("event").at("eventType").as_string(), "Announcement");
}

}  // namespace
}  // namespace hookbroker::testing
