// hookctl as an operator runs it: the real binary (HOOKCTL_BINARY) against a real broker, with
// its output, exit codes and environment variables checked as a user or a script would see them.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/broker_fixture.h"
#include "tests/integration/output_text.h"

extern char** environ;

namespace hookbroker::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool FileExists(const std::string& path) { return std::ifstream(path).good(); }

// Environment entries that hide whatever the person running the tests has set, so that every
// test states the configuration it relies on.
const std::vector<std::string> kCleanEnv = {
    "HOOKBROKER_URL=", "HOOKBROKER_API_KEY=", "HOOKBROKER_INGEST="};

class HookctlTest : public BrokerFixture {
 protected:
  // hookctl with the broker's URL and key as global options before the command (where --url
  // always means the broker, also for "webhook add").
  CommandResult Ctl(std::vector<std::string> args, const std::string& stdin_text = "",
                    std::vector<std::string> env = {}) {
    std::vector<std::string> argv = {HOOKCTL_BINARY, "--url", broker_->rest_url(), "--api-key",
                                     kApiKey};
    argv.insert(argv.end(), args.begin(), args.end());
    return Raw(std::move(argv), stdin_text, std::move(env));
  }

  // hookctl with exactly these arguments (argv[0] included) and a clean environment plus `env`.
  CommandResult Raw(std::vector<std::string> argv, const std::string& stdin_text = "",
                    std::vector<std::string> env = {}) {
    // One entry per name: with two, getenv() would see the first.
    std::vector<std::string> full_env = env;
    for (const std::string& clean : kCleanEnv) {
      const std::string name = clean.substr(0, clean.find('=') + 1);
      bool given = false;
      for (const std::string& e : env) given = given || e.rfind(name, 0) == 0;
      if (!given) full_env.push_back(clean);
    }
    return RunCommand(argv, full_env, stdin_text, 60s);
  }

  CommandResult Publish(std::vector<std::string> args, const std::string& stdin_text = "") {
    args.insert(args.begin(), {"publish", "--endpoint", broker_->ingest_endpoint()});
    return Ctl(std::move(args), stdin_text);
  }

  std::string CallbackUrl() const { return receiver_->BaseUrl() + "/hook"; }

  // The webhook's only delivery, once its status is `status` (empty object on timeout).
  json::object WaitForDelivery(const std::string& webhook_id, const std::string& status,
                               std::chrono::milliseconds timeout = 15s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      HttpReply r = Api("GET", "/v1/deliveries?webhookId=" + webhook_id);
      if (r.status == 200) {
        const json::value page = json::parse(r.body);  // kept: items refers into it
        const auto& items = page.at("deliveries").as_array();
        if (!items.empty() && items[0].at("status").as_string() == status) {
          return items[0].as_object();
        }
      }
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "no " << status << " delivery for webhook " << webhook_id;
    return {};
  }

  // Registers a webhook for group `group` and delivers one event to it; returns
  // {webhookId, deliveryId}.
  std::pair<std::string, std::string> DeliverOne(const std::string& group,
                                                 const std::string& event_id) {
    const std::string id = Register("Group", group).first;
    if (id.empty()) return {};
    BrokerFixture::Publish(json::object{{"eventType", "TextMessageCreated"},
                                        {"groupId", group},
                                        {"eventId", event_id},
                                        {"data", json::object{{"text", "hi"}}}});
    const json::object d = WaitForDelivery(id, "delivered");
    if (d.empty()) return {id, ""};
    return {id, std::string(d.at("id").as_string())};
  }
};

// ---------------------------------------------------------------------------------------------
// Webhooks

TEST_F(HookctlTest, WebhookFormatIsSetShownAndChanged) {
  StartBroker();
  CommandResult add =
      Ctl({"webhook", "add", "--object-type", "Group", "--object-id", "g-fmt", "--events", "*",
           "--url", CallbackUrl(), "--format", "mattermost", "--content-type", "application/json"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  const std::string id = Field(add.out, "webhookId");
  EXPECT_EQ(Field(Ctl({"webhook", "show", id}).out, "Format"), "mattermost, application/json");
  EXPECT_TRUE(receiver_->Handshakes().empty()) << "mattermost receivers get no handshake";

  CommandResult edit = Ctl({"webhook", "edit", id, "--format", "slack"});
  ASSERT_EQ(edit.exit_code, 0) << edit.err;
  EXPECT_EQ(Field(edit.out, "Format"), "slack");

  CommandResult bad = Ctl({"webhook", "edit", id, "--format", "teams"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_TRUE(Contains(bad.err, "format")) << bad.err;
}

TEST_F(HookctlTest, WebhookAddListShowRemove) {
  StartBroker();
  CommandResult add = Ctl({"webhook", "add", "--object-type", "Group", "--object-id", "g-ctl",
                           "--events", "TextMessageCreated,MemberAdded", "--url", CallbackUrl(),
                           "--token", "tok-1", "--context", "ctx-1", "--basic-auth", "svc:pw"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  const std::string id = Field(add.out, "webhookId");
  ASSERT_FALSE(id.empty()) << add.out;
  EXPECT_EQ(Field(add.out, "secret").rfind("whsec_", 0), 0u) << add.out;

  // What the broker stored is what was asked for.
  HttpReply stored = Api("GET", "/v1/webhook/" + id);
  ASSERT_EQ(stored.status, 200);
  json::object hook = json::parse(stored.body).as_object();
  EXPECT_EQ(hook.at("callbackToken").as_string(), "tok-1");
  EXPECT_EQ(hook.at("callbackContext").as_string(), "ctx-1");
  EXPECT_EQ(hook.at("auth").at("username").as_string(), "svc");

  CommandResult list = Ctl({"webhook", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const auto lines = Lines(list.out);
  ASSERT_EQ(lines.size(), 2u) << list.out;
  for (const char* header :
       {"ID", "OBJECT TYPE", "OBJECT ID", "EVENTS", "CALLBACK URL", "PAUSED"}) {
    EXPECT_TRUE(Contains(lines[0], header)) << lines[0];
  }
  for (const std::string& value : {id, std::string("Group"), std::string("g-ctl"),
                                   std::string("TextMessageCreated,MemberAdded"), CallbackUrl()}) {
    EXPECT_TRUE(Contains(lines[1], value)) << value << " not in " << lines[1];
  }
  // Aligned: each header starts where its column's values start.
  EXPECT_EQ(lines[0].find("OBJECT TYPE"), lines[1].find("Group"));
  EXPECT_EQ(lines[0].find("CALLBACK URL"), lines[1].find(CallbackUrl()));

  CommandResult list_json = Ctl({"webhook", "list", "--json"});
  ASSERT_EQ(list_json.exit_code, 0) << list_json.err;
  json::value parsed = json::parse(list_json.out);
  ASSERT_EQ(parsed.at("webhooks").as_array().size(), 1u);
  EXPECT_EQ(parsed.at("webhooks").as_array()[0].at("id").as_string(), id);

  CommandResult show = Ctl({"webhook", "show", id});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(Field(show.out, "ID"), id);
  EXPECT_EQ(Field(show.out, "Object type"), "Group");
  EXPECT_EQ(Field(show.out, "Object id"), "g-ctl");
  EXPECT_EQ(Field(show.out, "Events"), "TextMessageCreated,MemberAdded");
  EXPECT_EQ(Field(show.out, "Callback URL"), CallbackUrl());
  EXPECT_EQ(Field(show.out, "Context"), "ctx-1");
  EXPECT_TRUE(Contains(Field(show.out, "Auth"), "user svc")) << show.out;
  EXPECT_FALSE(Contains(show.out, "pw")) << "the password must never be shown";

  CommandResult show_json = Ctl({"--json", "webhook", "show", id});
  ASSERT_EQ(show_json.exit_code, 0) << show_json.err;
  EXPECT_EQ(json::parse(show_json.out).at("objectId").as_string(), "g-ctl");

  CommandResult rm = Ctl({"webhook", "rm", id});
  ASSERT_EQ(rm.exit_code, 0) << rm.err;
  EXPECT_TRUE(Contains(rm.out, "deleted webhook " + id)) << rm.out;

  CommandResult gone = Ctl({"webhook", "show", id});
  EXPECT_EQ(gone.exit_code, 5);
  EXPECT_EQ(gone.err, "hookctl: not found: no webhook with this id\n");
  EXPECT_EQ(gone.out, "");
  EXPECT_EQ(Ctl({"webhook", "rm", id}).exit_code, 5);
  EXPECT_EQ(Lines(Ctl({"webhook", "list"}).out).size(), 1u) << "only the header is left";
}

TEST_F(HookctlTest, WebhookAddJsonPrintsTheBrokersReply) {
  StartBroker();
  CommandResult add =
      Ctl({"webhook", "add", "--json", "--object-type", "Action", "--object-id", "act-1",
           "--events", "*", "--url", CallbackUrl(), "--auth-token", "abcdef", "--auth-header",
           "Authentication", "--validity", "2099-01-01T00:00:00Z"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  json::object reply = json::parse(add.out).as_object();
  const std::string id(reply.at("webhookId").as_string());
  EXPECT_EQ(std::string(reply.at("secret").as_string()).rfind("whsec_", 0), 0u);
  json::object hook = json::parse(Api("GET", "/v1/webhook/" + id).body).as_object();
  EXPECT_EQ(hook.at("objectType").as_string(), "Action");
  EXPECT_EQ(hook.at("validity").as_int64(), 4070908800000);
  EXPECT_EQ(hook.at("auth").at("header").as_string(), "Authentication");
}

TEST_F(HookctlTest, WebhookListFollowsCursorWithAll) {
  StartBroker();
  for (int i = 0; i < 5; ++i)
    ASSERT_FALSE(Register("Group", "g-" + std::to_string(i)).first.empty());

  CommandResult page = Ctl({"webhook", "list", "--limit", "2"});
  ASSERT_EQ(page.exit_code, 0) << page.err;
  EXPECT_EQ(Lines(page.out).size(), 3u) << page.out;  // header + 2
  EXPECT_TRUE(Contains(page.err, "--all")) << page.err;

  CommandResult all = Ctl({"webhook", "list", "--limit", "2", "--all"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(Lines(all.out).size(), 6u) << all.out;
  EXPECT_EQ(all.err, "");

  CommandResult all_json = Ctl({"webhook", "list", "--limit", "2", "--all", "--json"});
  ASSERT_EQ(all_json.exit_code, 0) << all_json.err;
  EXPECT_EQ(json::parse(all_json.out).at("webhooks").as_array().size(), 5u);

  CommandResult groups = Ctl({"webhook", "list", "--object-type", "Group", "--object-id", "g-3"});
  ASSERT_EQ(groups.exit_code, 0) << groups.err;
  ASSERT_EQ(Lines(groups.out).size(), 2u) << groups.out;
  EXPECT_TRUE(Contains(groups.out, "g-3"));
}

TEST_F(HookctlTest, GlobalOptionsWorkAfterTheCommandToo) {
  StartBroker();
  ASSERT_FALSE(Register("Group", "g-after").first.empty());
  CommandResult r = Raw({HOOKCTL_BINARY, "webhook", "list", "--json", "--url", broker_->rest_url(),
                         "--api-key", kApiKey});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out).at("webhooks").as_array().size(), 1u);
}

// ---------------------------------------------------------------------------------------------
// Configuration: environment variables and the broker's key file

TEST_F(HookctlTest, EnvironmentVariablesGiveTheUrlAndTheKey) {
  StartBroker();
  ASSERT_FALSE(Register("Group", "g-env").first.empty());
  const std::string url_env = "HOOKBROKER_URL=" + broker_->rest_url();

  CommandResult ok = Raw({HOOKCTL_BINARY, "webhook", "list"}, "",
                         {url_env, std::string("HOOKBROKER_API_KEY=") + kApiKey});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_TRUE(Contains(ok.out, "g-env")) << ok.out;

  CommandResult wrong =
      Raw({HOOKCTL_BINARY, "webhook", "list"}, "", {url_env, "HOOKBROKER_API_KEY=not-the-key"});
  EXPECT_EQ(wrong.exit_code, 4) << wrong.err;
  EXPECT_TRUE(Contains(wrong.err, "HOOKBROKER_API_KEY")) << wrong.err;

  // A flag wins over the environment.
  CommandResult flag = Raw({HOOKCTL_BINARY, "--api-key", kApiKey, "webhook", "list"}, "",
                           {url_env, "HOOKBROKER_API_KEY=not-the-key"});
  EXPECT_EQ(flag.exit_code, 0) << flag.err;

  // HOOKBROKER_INGEST is publish's endpoint.
  CommandResult pub = Raw({HOOKCTL_BINARY, "publish", "--type", "MemberAdded", "--group", "g-env"},
                          "", {"HOOKBROKER_INGEST=" + broker_->ingest_endpoint()});
  EXPECT_EQ(pub.exit_code, 0) << pub.err;
  EXPECT_TRUE(Contains(pub.out, "accepted")) << pub.out;
}

TEST_F(HookctlTest, ReadsTheBrokersKeyFileFromTheWorkingFolder) {
  StartBroker();
  TempDir cwd;
  ASSERT_EQ(mkdir(cwd.File("data").c_str(), 0700), 0);
  std::ofstream(cwd.File("data/api-key")) << kApiKey << "\n";
  // RunCommand has no working-folder parameter: a shell changes folder first.
  CommandResult r = Raw(
      {"/bin/sh", "-c", "cd \"$1\" && exec \"$2\" webhook list", "sh", cwd.path(), HOOKCTL_BINARY},
      "", {"HOOKBROKER_URL=" + broker_->rest_url()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "CALLBACK URL")) << r.out;
}

// ---------------------------------------------------------------------------------------------
// Publishing

TEST_F(HookctlTest, PublishFromFlags) {
  StartBroker();
  ASSERT_FALSE(Register("Group", "g-pub").first.empty());
  CommandResult r = Publish({"--type", "TextMessageCreated", "--group", "g-pub", "--id", "evt-flag",
                             "--from-user", "+9100", "--data", R"({"text":"hello"})"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = Lines(r.out);
  ASSERT_GE(lines.size(), 2u) << r.out;
  for (const char* header : {"EVENT ID", "STATUS", "DELIVERIES", "ERROR"}) {
    EXPECT_TRUE(Contains(lines[0], header)) << lines[0];
  }
  EXPECT_TRUE(Contains(lines[1], "evt-flag")) << lines[1];
  EXPECT_TRUE(Contains(lines[1], "accepted")) << lines[1];
  EXPECT_TRUE(Contains(r.out, "1 accepted, 0 duplicate, 0 rejected")) << r.out;

  ASSERT_TRUE(receiver_->WaitForPosts(1, 10s));
  json::object body = json::parse(receiver_->Posts()[0].body).as_object();
  EXPECT_EQ(body.at("eventId").as_string(), "evt-flag");
  EXPECT_EQ(body.at("data").at("text").as_string(), "hello");
  EXPECT_EQ(body.at("fromUser").as_string(), "+9100");

  // The same id again is a duplicate: still success.
  CommandResult again =
      Publish({"--type", "TextMessageCreated", "--group", "g-pub", "--id", "evt-flag", "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(json::parse(again.out).at("results").as_array()[0].at("status").as_string(),
            "duplicate");
}

TEST_F(HookctlTest, PublishFromFileHoldingAnArray) {
  StartBroker();
  ASSERT_FALSE(Register("Group", "g-file").first.empty());
  const std::string file = dir_.File("events.json");
  std::ofstream(file) << R"([
    {"eventType": "MemberAdded", "groupId": "g-file", "eventId": "f-1"},
    {"eventType": "MemberRemoved", "groupId": "g-file", "eventId": "f-2"}
  ])";
  CommandResult r = Publish({file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "f-1"));
  EXPECT_TRUE(Contains(r.out, "f-2"));
  EXPECT_TRUE(Contains(r.out, "2 accepted")) << r.out;
  EXPECT_TRUE(receiver_->WaitForPosts(2, 10s));
}

TEST_F(HookctlTest, PublishJsonLinesFromStdinReportsTheRejectedEventAndExitsOne) {
  StartBroker();
  ASSERT_FALSE(Register("Group", "g-lines").first.empty());
  const std::string input =
      "{\"eventType\":\"MemberAdded\",\"groupId\":\"g-lines\",\"eventId\":\"l-1\"}\n"
      "\n"
      "{\"eventType\":\"MemberAdded\",\"eventId\":\"l-2\"}\n"
      "{\"eventType\":\"MemberAdded\",\"groupId\":\"g-lines\",\"eventId\":\"l-1\"}\n";
  CommandResult r = Publish({"-"}, input);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_TRUE(Contains(r.out, "groupId is required")) << r.out;
  EXPECT_TRUE(Contains(r.out, "1 accepted, 1 duplicate, 1 rejected")) << r.out;
  EXPECT_TRUE(Contains(r.err, "hookctl: 1 event was rejected")) << r.err;
  // The rejected event's row starts with its line number (3: the blank line counts).
  bool found = false;
  for (const std::string& line : Lines(r.out)) {
    if (Contains(line, "rejected") && line.rfind("3 ", 0) == 0) found = true;
  }
  EXPECT_TRUE(found) << r.out;
}

TEST_F(HookctlTest, PublishSendsLargeInputsInRequestsOfAtMostAThousand) {
  StartBroker();
  std::string input;
  for (int i = 0; i < 2500; ++i) {
    input += "{\"eventType\":\"MemberAdded\",\"groupId\":\"g-bulk\",\"eventId\":\"b-" +
             std::to_string(i) + "\"}\n";
  }
  CommandResult r = Publish({"--json", "-"}, input);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto replies = Lines(r.out);
  ASSERT_EQ(replies.size(), 3u) << "one reply per request";
  std::size_t accepted = 0;
  for (const std::string& reply : replies) {
    const json::value parsed = json::parse(reply);  // kept: results refers into it
    const auto& results = parsed.at("results").as_array();
    EXPECT_LE(results.size(), 1000u);
    for (const auto& result : results) accepted += result.at("status").as_string() == "accepted";
  }
  EXPECT_EQ(accepted, 2500u);
}

TEST_F(HookctlTest, PublishRefusesBadInputWithoutSendingAnything) {
  StartBroker();
  auto expect_usage = [&](const CommandResult& r, const std::string& message) {
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(Contains(r.err, message)) << r.err;
    EXPECT_EQ(r.err.rfind("hookctl: ", 0), 0u) << r.err;
  };
  // Line 2 is broken: line 1 must not be published either.
  expect_usage(Publish({"-"},
                       "{\"eventType\":\"MemberAdded\",\"groupId\":\"g\",\"eventId\":"
                       "\"never\"}\n{\"eventType\":\n"),
               "line 2 is not JSON");
  expect_usage(Publish({"-"}, "   \n"), "no events");
  expect_usage(Publish({"--type", "A", "--group", "g", "--data", "[1]"}), "--data");
  expect_usage(Publish({"--type", "A"}), "--group is required");
  expect_usage(Publish({"--type", "A", "--group", "g", "file.json"}), "not both");
  expect_usage(Publish({dir_.File("missing.json")}), "cannot read");
  HttpReply events = Api("GET", "/v1/events/never");
  EXPECT_EQ(events.status, 404) << events.body;
}

TEST_F(HookctlTest, PublishWithoutABrokerExitsThree) {
  StartBroker();
  const std::string endpoint = broker_->ingest_endpoint();
  // SIGKILL: these tests need a dead broker, not a graceful shutdown.
  ASSERT_NE(broker_->Stop(SIGKILL), -1);
  CommandResult r = Ctl({"publish", "--endpoint", endpoint, "--timeout", "1", "--type",
                         "MemberAdded", "--group", "g"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_TRUE(Contains(r.err, "hookctl: no answer from " + endpoint + " within 1 s")) << r.err;
}

// ---------------------------------------------------------------------------------------------
// Deliveries

TEST_F(HookctlTest, DeliveriesListAndShow) {
  StartBroker();
  auto [webhook, delivery] = DeliverOne("g-del", "evt-del");
  ASSERT_FALSE(delivery.empty());

  CommandResult list = Ctl({"deliveries", "list", "--webhook", webhook});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const auto lines = Lines(list.out);
  ASSERT_EQ(lines.size(), 2u) << list.out;
  for (const char* header :
       {"ID", "WEBHOOK", "EVENT", "TYPE", "STATUS", "ATTEMPTS", "LAST HTTP", "CREATED"}) {
    EXPECT_TRUE(Contains(lines[0], header)) << lines[0];
  }
  for (const std::string& value :
       {delivery, webhook, std::string("evt-del"), std::string("TextMessageCreated"),
        std::string("delivered"), std::string("200")}) {
    EXPECT_TRUE(Contains(lines[1], value)) << value << " not in " << lines[1];
  }
  // CREATED is a UTC time, like 2026-11-24T02:00:00Z.
  EXPECT_EQ(lines[1].back(), 'Z') << lines[1];
  EXPECT_EQ(lines[1][lines[1].size() - 10], 'T') << lines[1];

  CommandResult by_status = Ctl({"deliveries", "list", "--status", "failed", "--json"});
  ASSERT_EQ(by_status.exit_code, 0) << by_status.err;
  EXPECT_TRUE(json::parse(by_status.out).at("deliveries").as_array().empty());

  CommandResult by_event = Ctl({"deliveries", "list", "--event", "evt-del", "--json"});
  ASSERT_EQ(by_event.exit_code, 0) << by_event.err;
  EXPECT_EQ(json::parse(by_event.out).at("deliveries").as_array().size(), 1u);

  CommandResult show = Ctl({"deliveries", "show", delivery});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(Field(show.out, "Delivery"), delivery);
  EXPECT_EQ(Field(show.out, "Status"), "delivered");
  EXPECT_EQ(Field(show.out, "Event"), "evt-del");
  EXPECT_TRUE(Contains(show.out, "Attempt 1")) << show.out;
  EXPECT_EQ(Field(show.out, "  Outcome"), "delivered") << show.out;
  EXPECT_EQ(Field(show.out, "  HTTP status"), "200") << show.out;
  EXPECT_TRUE(Contains(show.out, "Response")) << show.out;
  EXPECT_TRUE(Contains(show.out, "    ok")) << show.out;  // the receiver's body

  CommandResult show_json = Ctl({"--json", "deliveries", "show", delivery});
  ASSERT_EQ(show_json.exit_code, 0) << show_json.err;
  EXPECT_EQ(json::parse(show_json.out).at("id").as_string(), delivery);
}

TEST_F(HookctlTest, DeliveriesShowHasTheRequestHeadersWithSecretsMasked) {
  StartBroker();
  const std::string id =
      Register("Group", "g-hdr", {"*"}, json::object{{"callBackToken", "kz-secret"}}).first;
  ASSERT_FALSE(id.empty());
  BrokerFixture::Publish(json::object{{"eventType", "MemberAdded"}, {"groupId", "g-hdr"}});
  const json::object d = WaitForDelivery(id, "delivered");
  ASSERT_FALSE(d.empty());
  CommandResult show = Ctl({"deliveries", "show", std::string(d.at("id").as_string())});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_TRUE(Contains(show.out, "Request headers:")) << show.out;
  EXPECT_TRUE(Contains(show.out, "webhook-signature: v1,")) << show.out;
  EXPECT_TRUE(Contains(show.out, "kz-callback-token: ****")) << show.out;
  EXPECT_FALSE(Contains(show.out, "kz-secret")) << show.out;
  EXPECT_EQ(Field(show.out, "  URL"), CallbackUrl()) << show.out;
}

TEST_F(HookctlTest, DeliveriesListFiltersByTypeAndTime) {
  StartBroker();
  const std::string id = Register("Group", "g-time").first;
  ASSERT_FALSE(id.empty());
  BrokerFixture::Publish(json::object{{"eventType", "MemberAdded"}, {"groupId", "g-time"}});
  BrokerFixture::Publish(json::object{{"eventType", "MemberRemoved"}, {"groupId", "g-time"}});

  auto count = [&](std::vector<std::string> filters) -> long {
    std::vector<std::string> args = {"--json", "deliveries", "list", "--webhook", id};
    args.insert(args.end(), filters.begin(), filters.end());
    CommandResult r = Ctl(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    if (r.exit_code != 0) return -1;
    return static_cast<long>(json::parse(r.out).at("deliveries").as_array().size());
  };
  EXPECT_EQ(count({}), 2);
  EXPECT_EQ(count({"--type", "MemberRemoved"}), 1);
  EXPECT_EQ(count({"--since", "1h"}), 2);
  EXPECT_EQ(count({"--since", "2099-01-01T00:00:00Z"}), 0);
  EXPECT_EQ(count({"--until", "1d"}), 0);
  EXPECT_EQ(count({"--since", "0", "--until", "4070908800000"}), 2);
}

// ---------------------------------------------------------------------------------------------
// Errors and exit codes

TEST_F(HookctlTest, BrokerDownExitsThreeWithTheReason) {
  StartBroker();
  const std::string url = broker_->rest_url();
  // SIGKILL: these tests need a dead broker, not a graceful shutdown.
  ASSERT_NE(broker_->Stop(SIGKILL), -1);
  CommandResult r = Ctl({"webhook", "list"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "hookctl: cannot reach the broker at " + url + " (connection refused)\n");
  EXPECT_EQ(r.out, "");
}

TEST_F(HookctlTest, WrongKeyExitsFour) {
  StartBroker();
  CommandResult r = Raw(
      {HOOKCTL_BINARY, "--url", broker_->rest_url(), "--api-key", "wrong-key", "webhook", "list"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.err.rfind("hookctl: the broker refused the API key (401); set --api-key or "
                        "HOOKBROKER_API_KEY",
                        0),
            0u)
      << r.err;
  EXPECT_EQ(Lines(r.err).size(), 1u) << r.err;
}

TEST_F(HookctlTest, UnknownIdsExitFive) {
  StartBroker();
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"webhook", "show", "no-such-id"},
           {"webhook", "rm", "no-such-id"},
           {"webhook", "pause", "no-such-id"},
           {"webhook", "edit", "no-such-id", "--context", "x"},
           {"stats", "no-such-id"},
           {"replay", "no-such-id", "--since", "1h"},
           {"deliveries", "show", "987654"},
           {"redeliver", "987654"},
       }) {
    CommandResult r = Ctl(args);
    EXPECT_EQ(r.exit_code, 5) << args[0] << " " << args[1] << ": " << r.err;
    EXPECT_EQ(r.err.rfind("hookctl: not found: ", 0), 0u) << r.err;
  }
}

TEST_F(HookctlTest, BrokerRejectionShowsMessageAndFieldAndExitsOne) {
  StartBroker();
  // Plain http:// callbacks are refused unless the broker runs --allow-http-callbacks.
  CommandResult r = Ctl({"webhook", "add", "--object-type", "Group", "--object-id", "g", "--events",
                         "*", "--url", "http://127.0.0.1:9/hook"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("hookctl: the broker rejected the request: ", 0), 0u) << r.err;
  EXPECT_TRUE(Contains(r.err, "(field: callBackUrl)")) << r.err;
}

TEST_F(HookctlTest, BadUsageExitsTwoAndSendsNothing) {
  StartBroker();
  const std::vector<std::vector<std::string>> cases = {
      {"frobnicate"},
      {"webhook", "frobnicate"},
      {"webhook", "list", "--bogus"},
      {"webhook", "list", "--limit", "0"},
      {"webhook", "show"},
      {"webhook", "show", "a", "b"},
      {"webhook", "add", "--object-type", "Group", "--object-id", "g", "--url", "https://x/"},
      {"webhook", "add", "--object-type", "Team", "--object-id", "g", "--events", "*", "--url",
       "https://x/"},
      {"webhook", "add", "--object-type", "Group", "--object-id", "g", "--events", "*", "--url",
       "https://x/", "--basic-auth", "no-colon"},
      {"webhook", "add", "--object-type", "Group", "--object-id", "g", "--events", "*", "--url",
       "https://x/", "--validity", "30d"},
      {"webhook", "edit", "some-id"},
      {"webhook", "edit", "some-id", "--no-auth", "--basic-auth", "u:p"},
      {"deliveries", "list", "--status", "lost"},
      {"deliveries", "list", "--since", "yesterday"},
      {"deliveries", "list", "--since", "2026-02-30T00:00:00Z"},
      {"replay", "some-id"},
      {"replay", "some-id", "--since", "1h", "--status", "delivered"},
      {"tail", "--follow", "--until", "1h"},
      {"export", "extra"},
      {"--timeout", "soon", "webhook", "list"},
  };
  for (const auto& args : cases) {
    CommandResult r = Ctl(args);
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_EQ(r.exit_code, 2) << joined << ": " << r.err;
    EXPECT_EQ(r.err.rfind("hookctl: ", 0), 0u) << joined << ": " << r.err;
    EXPECT_EQ(Lines(r.err).size(), 1u) << joined << ": " << r.err;
    EXPECT_EQ(r.out, "") << joined;
  }
  // No command at all: the overview, on stderr.
  CommandResult none = Raw({HOOKCTL_BINARY});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_TRUE(Contains(none.err, "Usage: hookctl")) << none.err;
  // Nothing reached the broker.
  EXPECT_EQ(json::parse(Api("GET", "/v1/webhook").body).at("webhooks").as_array().size(), 0u);
}

TEST_F(HookctlTest, HelpAndVersion) {
  CommandResult help = Raw({HOOKCTL_BINARY, "--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* part :
       {"webhook add", "webhook edit", "publish", "deliveries list", "tail", "redeliver", "replay",
        "stats", "export", "Exit codes", "HOOKBROKER_URL", "HOOKBROKER_API_KEY"}) {
    EXPECT_TRUE(Contains(help.out, part)) << part;
  }
  const std::vector<std::vector<std::string>> commands = {{"webhook", "add"},
                                                          {"webhook", "list"},
                                                          {"webhook", "show"},
                                                          {"webhook", "rm"},
                                                          {"webhook", "pause"},
                                                          {"webhook", "resume"},
                                                          {"webhook", "edit"},
                                                          {"publish"},
                                                          {"deliveries", "list"},
                                                          {"deliveries", "show"},
                                                          {"tail"},
                                                          {"redeliver"},
                                                          {"replay"},
                                                          {"stats"},
                                                          {"export"}};
  for (const auto& words : commands) {
    std::vector<std::string> argv = {HOOKCTL_BINARY};
    argv.insert(argv.end(), words.begin(), words.end());
    argv.push_back("--help");
    CommandResult r = Raw(argv);
    std::string name;
    for (const auto& w : words) name += (name.empty() ? "" : " ") + w;
    EXPECT_EQ(r.exit_code, 0) << name;
    EXPECT_TRUE(Contains(r.out, "Usage: hookctl " + name)) << r.out;
    EXPECT_TRUE(Contains(r.out, "Exit codes")) << name;
  }
  CommandResult help_word = Raw({HOOKCTL_BINARY, "help", "webhook", "add"});
  EXPECT_EQ(help_word.exit_code, 0);
  EXPECT_TRUE(Contains(help_word.out, "--object-type"));

  CommandResult version = Raw({HOOKCTL_BINARY, "--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("hookctl ", 0), 0u) << version.out;
}

// ---------------------------------------------------------------------------------------------
// Pause, resume, edit (PATCH /v1/webhook/{id})

TEST_F(HookctlTest, PauseHoldsDeliveriesAndResumeSendsThem) {
  StartBroker();
  const std::string id = Register("Group", "g-pause").first;
  ASSERT_FALSE(id.empty());
  CommandResult pause = Ctl({"webhook", "pause", id});
  ASSERT_EQ(pause.exit_code, 0) << pause.err;
  EXPECT_TRUE(Contains(pause.out, "paused webhook " + id)) << pause.out;
  EXPECT_EQ(Field(Ctl({"webhook", "show", id}).out, "Paused"), "yes");
  EXPECT_TRUE(Contains(Ctl({"webhook", "list"}).out, "yes"));

  BrokerFixture::Publish(json::object{{"eventType", "MemberAdded"}, {"groupId", "g-pause"}});
  EXPECT_FALSE(receiver_->WaitForPosts(1, 1s)) << "a paused webhook gets no callbacks";
  CommandResult pending = Ctl({"--json", "deliveries", "list", "--webhook", id});
  ASSERT_EQ(pending.exit_code, 0) << pending.err;
  EXPECT_EQ(json::parse(pending.out).at("deliveries").as_array().at(0).at("status").as_string(),
            "pending");

  CommandResult resume = Ctl({"webhook", "resume", id});
  ASSERT_EQ(resume.exit_code, 0) << resume.err;
  EXPECT_TRUE(Contains(resume.out, "resumed webhook " + id)) << resume.out;
  EXPECT_TRUE(receiver_->WaitForPosts(1, 10s));
  EXPECT_EQ(Field(Ctl({"webhook", "show", id}).out, "Paused"), "no");
}

TEST_F(HookctlTest, EditChangesOnlyWhatIsGiven) {
  StartBroker();
  const std::string id =
      Register("Group", "g-edit", {"MemberAdded"},
               json::object{{"callBackToken", "tok"},
                            {"auth", json::object{{"username", "u"}, {"password", "p"}}}})
          .first;
  ASSERT_FALSE(id.empty());
  CommandResult edit =
      Ctl({"webhook", "edit", id, "--events", "MemberAdded,MemberRemoved", "--context", "new-ctx"});
  ASSERT_EQ(edit.exit_code, 0) << edit.err;
  EXPECT_EQ(Field(edit.out, "Events"), "MemberAdded,MemberRemoved") << edit.out;
  EXPECT_EQ(Field(edit.out, "Context"), "new-ctx");
  EXPECT_EQ(Field(edit.out, "Callback token"), "tok") << "unchanged";

  CommandResult no_auth = Ctl({"--json", "webhook", "edit", id, "--no-auth"});
  ASSERT_EQ(no_auth.exit_code, 0) << no_auth.err;
  EXPECT_FALSE(json::parse(no_auth.out).as_object().contains("auth")) << no_auth.out;

  CommandResult bad = Ctl({"webhook", "edit", id, "--url", "http://127.0.0.1:9/x"});
  EXPECT_EQ(bad.exit_code, 1) << bad.err;
  EXPECT_TRUE(Contains(bad.err, "(field: callBackUrl)")) << bad.err;
}

// ---------------------------------------------------------------------------------------------
// Redeliver, replay, stats

TEST_F(HookctlTest, RedeliverSendsADeliveryAgain) {
  StartBroker();
  auto [webhook, delivery] = DeliverOne("g-re", "evt-re");
  ASSERT_FALSE(delivery.empty());
  ASSERT_TRUE(receiver_->WaitForPosts(1, 10s));
  CommandResult r = Ctl({"redeliver", delivery});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "delivery " + delivery + " queued again")) << r.out;
  EXPECT_TRUE(receiver_->WaitForPosts(2, 10s));

  // A pending delivery cannot be queued again: 409, exit 1, the broker's words.
  const std::string paused = Register("Group", "g-re-p").first;
  ASSERT_EQ(Ctl({"webhook", "pause", paused}).exit_code, 0);
  BrokerFixture::Publish(json::object{{"eventType", "MemberAdded"}, {"groupId", "g-re-p"}});
  const json::object d = WaitForDelivery(paused, "pending");
  ASSERT_FALSE(d.empty());
  CommandResult conflict = Ctl({"redeliver", std::string(d.at("id").as_string())});
  EXPECT_EQ(conflict.exit_code, 1) << conflict.err;
  EXPECT_TRUE(Contains(conflict.err, "409")) << conflict.err;
}

// The operator's path through a failure, with hookctl only: find it, inspect it, send it again,
// see it delivered.
TEST_F(HookctlTest, FailedDeliveryIsFoundInspectedRedeliveredAndSeenDelivered) {
  StartBroker();
  const std::string webhook = Register("Group", "g-ops").first;
  ASSERT_FALSE(webhook.empty());
  receiver_->Script(4, {500, {}, "database down", 0ms});  // every scheduled attempt fails
  BrokerFixture::Publish(
      json::object{{"eventType", "MemberAdded"}, {"groupId", "g-ops"}, {"eventId", "evt-ops"}});
  ASSERT_FALSE(WaitForDelivery(webhook, "failed", 20s).empty()) << broker_->Output();

  CommandResult found = Ctl({"deliveries", "list", "--status", "failed", "--webhook", webhook});
  ASSERT_EQ(found.exit_code, 0) << found.err;
  const auto lines = Lines(found.out);
  ASSERT_EQ(lines.size(), 2u) << found.out;
  EXPECT_TRUE(Contains(lines[1], "evt-ops")) << lines[1];
  EXPECT_TRUE(Contains(lines[1], "failed")) << lines[1];
  const std::string delivery = lines[1].substr(0, lines[1].find(' '));

  CommandResult inspected = Ctl({"deliveries", "show", delivery});
  ASSERT_EQ(inspected.exit_code, 0) << inspected.err;
  EXPECT_EQ(Field(inspected.out, "Status"), "failed");
  EXPECT_TRUE(Contains(inspected.out, "Attempt 4")) << inspected.out;
  EXPECT_TRUE(Contains(inspected.out, "database down")) << inspected.out;
  EXPECT_EQ(Field(inspected.out, "  HTTP status"), "500") << inspected.out;

  CommandResult again = Ctl({"redeliver", delivery});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  ASSERT_FALSE(WaitForDelivery(webhook, "delivered").empty());

  CommandResult delivered = Ctl({"deliveries", "show", delivery});
  ASSERT_EQ(delivered.exit_code, 0) << delivered.err;
  EXPECT_EQ(Field(delivered.out, "Status"), "delivered");
  EXPECT_TRUE(Contains(delivered.out, "Attempt 5")) << delivered.out;
}

TEST_F(HookctlTest, ReplayQueuesFailedDeliveriesAgain) {
  StartBroker();
  const std::string id = Register("Group", "g-replay").first;
  ASSERT_FALSE(id.empty());
  // The fixture's --retry-schedule 0.2,0.2,0.2 makes four attempts (the first one immediate);
  // the receiver's script cannot be cleared afterwards, so it holds exactly those failures.
  receiver_->Script(4, {503, {}, "busy", 0ms});
  BrokerFixture::Publish(json::object{{"eventType", "MemberAdded"}, {"groupId", "g-replay"}});
  const json::object failed = WaitForDelivery(id, "failed", 20s);
  ASSERT_FALSE(failed.empty()) << broker_->Output();
  ASSERT_EQ(failed.at("attemptCount").to_number<int>(), 4);

  CommandResult none = Ctl({"replay", id, "--since", "1h", "--until", "30m"});
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_TRUE(Contains(none.out, "0 deliveries queued again")) << none.out;

  const std::size_t posts_before = receiver_->Posts().size();
  CommandResult r = Ctl({"replay", id, "--since", "1h"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "1 delivery queued again for webhook " + id)) << r.out;
  EXPECT_FALSE(WaitForDelivery(id, "delivered").empty());
  EXPECT_GT(receiver_->Posts().size(), posts_before);
}

TEST_F(HookctlTest, StatsShowsCountsAndRate) {
  StartBroker();
  auto [webhook, delivery] = DeliverOne("g-stats", "evt-stats");
  ASSERT_FALSE(delivery.empty());
  CommandResult r = Ctl({"stats", webhook});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Field(r.out, "Webhook"), webhook);
  EXPECT_EQ(Field(r.out, "Delivered"), "1") << r.out;
  EXPECT_EQ(Field(r.out, "Failed"), "0") << r.out;
  EXPECT_EQ(Field(r.out, "Success rate"), "100.00%") << r.out;
  EXPECT_EQ(Field(r.out, "Last failure"), "never") << r.out;

  CommandResult j = Ctl({"--json", "stats", webhook});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  EXPECT_EQ(json::parse(j.out).at("delivered").to_number<int>(), 1);
}

// ---------------------------------------------------------------------------------------------
// tail and export (the attempt log)

TEST_F(HookctlTest, TailPrintsOneLinePerAttempt) {
  StartBroker();
  auto [webhook, delivery] = DeliverOne("g-tail", "evt-tail");
  ASSERT_FALSE(delivery.empty());
  DeliverOne("g-other", "evt-other");

  CommandResult r = Ctl({"tail", "--webhook", webhook});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 1u) << r.out;
  for (const std::string& part :
       {"delivery=" + delivery, "webhook=" + webhook, std::string("event=evt-tail"),
        std::string("attempt=1"), std::string(" delivered "), std::string("http=200"),
        std::string("duration=")}) {
    EXPECT_TRUE(Contains(lines[0], part)) << part << " not in " << lines[0];
  }
  EXPECT_EQ(lines[0][10], 'T') << "starts with an RFC 3339 time: " << lines[0];

  CommandResult all = Ctl({"--json", "tail"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  ASSERT_EQ(Lines(all.out).size(), 2u) << all.out;
  for (const std::string& line : Lines(all.out)) {
    EXPECT_TRUE(json::parse(line).as_object().contains("deliveryId")) << line;
  }
  CommandResult future = Ctl({"tail", "--since", "2099-01-01T00:00:00Z"});
  EXPECT_EQ(future.exit_code, 0) << future.err;
  EXPECT_EQ(future.out, "");
}

// Runs hookctl with stdout and stderr going to files, so that the test can signal it while it
// runs (RunCommand waits for the end).
class Spawned {
 public:
  Spawned(const std::vector<std::string>& args, const std::string& out, const std::string& err) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Spawned() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }
  // The exit code, 128 + signal when killed, -1 on timeout.
  int Wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(20ms);
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
};

TEST_F(HookctlTest, TailFollowPrintsNewAttemptsUntilInterrupted) {
  StartBroker();
  const std::string id = Register("Group", "g-follow").first;
  ASSERT_FALSE(id.empty());
  const std::string out = dir_.File("tail.out"), err = dir_.File("tail.err");
  Spawned tail({HOOKCTL_BINARY, "--url", broker_->rest_url(), "--api-key", kApiKey, "tail",
                "--follow", "--webhook", id},
               out, err);
  ASSERT_GT(tail.pid(), 0);
  std::this_thread::sleep_for(500ms);  // let it reach the long poll
  BrokerFixture::Publish(
      json::object{{"eventType", "MemberAdded"}, {"groupId", "g-follow"}, {"eventId", "e-fol"}});

  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (!Contains(ReadFile(out), "event=e-fol") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(Contains(ReadFile(out), "event=e-fol")) << ReadFile(out) << ReadFile(err);
  ASSERT_EQ(kill(tail.pid(), SIGINT), 0);
  EXPECT_EQ(tail.Wait(10s), 0) << ReadFile(err);
  EXPECT_EQ(Lines(ReadFile(out)).size(), 1u) << ReadFile(out);
}

TEST_F(HookctlTest, ExportWritesTheAttemptLogAsJsonLines) {
  StartBroker();
  auto [webhook, delivery] = DeliverOne("g-exp", "evt-exp");
  ASSERT_FALSE(delivery.empty());

  const std::string file = dir_.File("audit.ndjson");
  CommandResult r = Ctl({"export", "-o", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "") << "no progress line when stderr is not a terminal";
  EXPECT_FALSE(FileExists(file + ".partial"));
  const auto lines = Lines(ReadFile(file));
  ASSERT_EQ(lines.size(), 1u) << ReadFile(file);
  json::object attempt = json::parse(lines[0]).as_object();
  EXPECT_EQ(attempt.at("deliveryId").as_string(), delivery);
  EXPECT_TRUE(attempt.contains("requestHeaders"));

  CommandResult to_stdout = Ctl({"export", "--since", "1h"});
  ASSERT_EQ(to_stdout.exit_code, 0) << to_stdout.err;
  EXPECT_EQ(to_stdout.out, ReadFile(file));

  CommandResult none = Ctl({"export", "--since", "2099-01-01T00:00:00Z"});
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(none.out, "");
}

TEST_F(HookctlTest, ExportShowsProgressWhenStderrIsATerminal) {
  if (access("/usr/bin/script", X_OK) != 0) GTEST_SKIP() << "needs script(1) for a terminal";
  StartBroker();
  ASSERT_FALSE(DeliverOne("g-prog", "evt-prog").second.empty());
  const std::string file = dir_.File("audit.ndjson");
  // script(1) runs the command on a pseudo-terminal and copies what it printed there.
  const std::string command = std::string(HOOKCTL_BINARY) + " --url " + broker_->rest_url() +
                              " --api-key " + kApiKey + " export -o " + file;
  CommandResult r = Raw({"/usr/bin/script", "-qec", command, "/dev/null"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "exported 1 line,")) << r.out;
  EXPECT_EQ(Lines(ReadFile(file)).size(), 1u);
}

}  // namespace
}  // namespace hookbroker::testing
