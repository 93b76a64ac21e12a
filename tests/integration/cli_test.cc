// The daemon's command line: --help, unknown flags, bad values, and --config FILE (a JSON object
// keyed by flag names without dashes) where flags on the command line win.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/broker_process.h"
#include "tests/support/http_client.h"
#include "tests/support/temp_dir.h"

namespace hookbroker::testing {
namespace {

namespace json = boost::json;

constexpr const char* kCliKey = "cli-key-0123456789abcdef";
constexpr const char* kFileKey = "file-key-0123456789abcdef";

CommandResult Broker(std::vector<std::string> args) {
  args.insert(args.begin(), HOOKBROKER_BINARY);
  return RunCommand(args, {}, "", std::chrono::seconds(20));
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class CliTest : public ::testing::Test {
 protected:
  std::string WriteConfig(const std::string& text, const std::string& name = "config.json") {
    const std::string path = dir_.File(name);
    std::ofstream(path) << text;
    return path;
  }

  HttpReply Get(const BrokerProcess& broker, const std::string& key) {
    return HttpCall(broker.rest_url(), "GET", "/v1/webhook", "", {{"accessToken", key}});
  }

  TempDir dir_;
};

TEST_F(CliTest, HelpPrintsUsageAndExitsZero) {
  for (const std::string flag : {"--help", "-h"}) {
    SCOPED_TRACE(flag);
    CommandResult r = Broker({flag});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(Contains(r.out, "Usage: hookbroker")) << r.out;
    EXPECT_TRUE(Contains(r.out, "--config FILE")) << r.out;
    EXPECT_TRUE(Contains(r.out, "--callback-allow")) << r.out;
    EXPECT_EQ(r.err, "");
  }
  // Help wins over other flags and starts nothing.
  CommandResult r = Broker({"--data-dir", dir_.File("never-created"), "--help"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "Usage: hookbroker"));
  EXPECT_FALSE(std::ifstream(dir_.File("never-created")).good());
}

TEST_F(CliTest, VersionPrintsVersionAndExitsZero) {
  CommandResult r = Broker({"--version"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("hookbroker ", 0), 0u) << r.out;
  // It answers before any value is checked, as --help does: the values it is given are judged
  // when a broker starts (ConfigFileSettingsApplyAndCommandLineWins).
  EXPECT_EQ(Broker({"--delivery-workers", "0", "--version"}).exit_code, 0);
}

TEST_F(CliTest, UnknownFlagExitsTwoNamingIt) {
  CommandResult r = Broker({"--data-dir", dir_.File("d"), "--frobnicate-widgets"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, "--frobnicate-widgets")) << r.err;
  EXPECT_FALSE(Contains(r.out, "hookbroker ready"));

  CommandResult with_value = Broker({"--frobnicate=3"});
  EXPECT_EQ(with_value.exit_code, 2);
  EXPECT_TRUE(Contains(with_value.err, "--frobnicate")) << with_value.err;
}

TEST_F(CliTest, StrayArgumentAndMissingOrBadValuesExitTwoNamingTheFlag) {
  CommandResult stray = Broker({"positional"});
  EXPECT_EQ(stray.exit_code, 2);
  EXPECT_TRUE(Contains(stray.err, "positional")) << stray.err;

  CommandResult missing = Broker({"--data-dir"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_TRUE(Contains(missing.err, "--data-dir")) << missing.err;

  CommandResult bad = Broker({"--delivery-workers", "0"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(Contains(bad.err, "--delivery-workers")) << bad.err;

  CommandResult bad_unrecorded = Broker({"--max-unrecorded", "-1"});
  EXPECT_EQ(bad_unrecorded.exit_code, 2);
  EXPECT_TRUE(Contains(bad_unrecorded.err, "--max-unrecorded")) << bad_unrecorded.err;

  for (const char* flag : {"--record-linger-ms", "--record-patience-ms"}) {
    for (const char* value : {"-1", "101", "2.5"}) {
      CommandResult bad_timing = Broker({flag, value});
      EXPECT_EQ(bad_timing.exit_code, 2) << flag << " " << value;
      EXPECT_TRUE(Contains(bad_timing.err, flag)) << bad_timing.err;
    }
  }

  CommandResult bad_dns = Broker({"--dns-cache-seconds", "-1"});
  EXPECT_EQ(bad_dns.exit_code, 2);
  EXPECT_TRUE(Contains(bad_dns.err, "--dns-cache-seconds")) << bad_dns.err;

  CommandResult short_key = Broker({"--api-key", "short"});
  EXPECT_EQ(short_key.exit_code, 2);
  EXPECT_TRUE(Contains(short_key.err, "--api-key")) << short_key.err;

  CommandResult bad_cidr = Broker({"--callback-allow", "10.0.0.0/99"});
  EXPECT_EQ(bad_cidr.exit_code, 2);
  EXPECT_TRUE(Contains(bad_cidr.err, "callback-allow")) << bad_cidr.err;

  CommandResult switch_value = Broker({"--allow-http-callbacks=yes"});
  EXPECT_EQ(switch_value.exit_code, 2);
  EXPECT_TRUE(Contains(switch_value.err, "--allow-http-callbacks")) << switch_value.err;
}

TEST_F(CliTest, ASecondBrokerOnTheSameDataFolderExitsNamingIt) {
  const std::string data = dir_.File("shared");
  BrokerProcess first({"--data-dir", data});
  ASSERT_TRUE(first.Start()) << first.Output();
  CommandResult second = Broker(
      {"--data-dir", data, "--http-listen", "127.0.0.1:0", "--ingest-listen", "tcp://127.0.0.1:0"});
  EXPECT_EQ(second.exit_code, 1) << second.out << second.err;
  EXPECT_TRUE(Contains(second.out + second.err, "is in use by another hookbroker"))
      << second.out << second.err;
  ASSERT_EQ(first.Stop(SIGTERM), 0);
  BrokerProcess after({"--data-dir", data});  // the lock went with the first
  ASSERT_TRUE(after.Start()) << after.Output();
  EXPECT_EQ(after.Stop(SIGTERM), 0);
}

// cpp-httplib's default socket options set SO_REUSEPORT, with which a second broker of the same
// user bound a REST address in use, reported ready and silently took a share of its API calls.
TEST_F(CliTest, ASecondBrokerOnTheSameRestAddressExitsNamingIt) {
  BrokerProcess first({"--data-dir", dir_.File("first")});
  ASSERT_TRUE(first.Start()) << first.Output();
  const std::string address = first.rest_url().substr(std::string("http://").size());
  CommandResult second =
      Broker({"--data-dir", dir_.File("second"), "--http-listen", address, "--ingest-listen",
              "tcp://127.0.0.1:0", "--posts-listen", "tcp://127.0.0.1:*"});
  EXPECT_EQ(second.exit_code, 1) << second.out << second.err;
  EXPECT_TRUE(Contains(second.out + second.err, "cannot listen on " + address))
      << second.out << second.err;
  EXPECT_FALSE(Contains(second.out, "hookbroker ready")) << second.out;
  EXPECT_EQ(first.Stop(SIGTERM), 0);
}

TEST_F(CliTest, ConfigFileWithUnknownKeyExitsTwoNamingIt) {
  const std::string path = WriteConfig(
      json::serialize(json::object{{"data-dir", dir_.File("d")}, {"frobnicate", true}}));
  CommandResult r = Broker({"--config", path});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, "frobnicate")) << r.err;
  // A flag spelled with its dashes is not a key either.
  const std::string dashed = WriteConfig(R"({"--data-dir": "x"})", "dashed.json");
  CommandResult d = Broker({"--config=" + dashed});
  EXPECT_EQ(d.exit_code, 2);
  EXPECT_TRUE(Contains(d.err, "--data-dir")) << d.err;
}

TEST_F(CliTest, UnreadableOrMalformedConfigFileExitsTwo) {
  CommandResult missing = Broker({"--config", dir_.File("no-such-file.json")});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_TRUE(Contains(missing.err, "no-such-file.json")) << missing.err;

  for (const std::string text : {"{not json", "[\"data-dir\"]", "42", ""}) {
    SCOPED_TRACE(text);
    CommandResult r = Broker({"--config", WriteConfig(text)});
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_TRUE(Contains(r.err, "config")) << r.err;
  }
  // Values of the wrong kind or failing the flag's own check.
  for (const std::string text : {R"({"allow-http-callbacks": "yes"})", R"({"api-key": "short"})",
                                 R"({"delivery-workers": 0})", R"({"data-dir": {"a": 1}})"}) {
    SCOPED_TRACE(text);
    CommandResult r = Broker({"--config", WriteConfig(text)});
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  }

  CommandResult no_name = Broker({"--config"});
  EXPECT_EQ(no_name.exit_code, 2);
  EXPECT_TRUE(Contains(no_name.err, "--config")) << no_name.err;
}

TEST_F(CliTest, ConfigFileSettingsApplyAndCommandLineWins) {
  const std::string path = WriteConfig(json::serialize(json::object{
      {"data-dir", dir_.File("data")},
      // Port 1 cannot be bound by the tests: the broker only starts if the command line's
      // --http-listen (added by BrokerProcess) wins.
      {"http-listen", "127.0.0.1:1"},
      {"api-key", json::array{kFileKey}},
      {"allow-http-callbacks", true},
      {"no-validation-handshake", true},
      {"callback-allow", json::array{"127.0.0.0/8"}},
      {"delivery-workers", 2},
      {"retry-schedule", "0.2,0.2"},
      // Values at the edges of their ranges, which a broker that starts has accepted: 0 turns
      // the DNS cache off and commits attempt records at once.
      {"dns-cache-seconds", 0},
      {"max-unrecorded", 16},
      {"record-linger-ms", 0},
      {"record-patience-ms", 100},
  }));
  BrokerProcess broker({"--config", path, "--api-key", kCliKey});
  ASSERT_TRUE(broker.Start()) << broker.Output();
  EXPECT_NE(broker.rest_url(), "http://127.0.0.1:1");

  // The command line's --api-key replaces the file's.
  EXPECT_EQ(Get(broker, kCliKey).status, 200);
  EXPECT_EQ(Get(broker, kFileKey).status, 401);

  // The file's switches and repeatable values apply: a plain-http loopback callback with nothing
  // listening registers (http allowed, loopback allowed, no handshake).
  const std::string body = json::serialize(json::object{{"objectId", "g"},
                                                        {"objectType", "Group"},
                                                        {"eventTypes", json::array{"*"}},
                                                        {"callBackUrl", "http://127.0.0.1:9/h"}});
  HttpReply r =
      HttpCall(broker.rest_url(), "POST", "/v1/webhook", body, {{"accessToken", kCliKey}});
  EXPECT_EQ(r.status, 200) << r.body;
  // The file's data-dir is used.
  EXPECT_TRUE(std::ifstream(dir_.File("data/data.mdb")).good()) << broker.Output();
}

TEST_F(CliTest, ConfigFileApiKeyIsUsedWhenNoneOnCommandLine) {
  const std::string path = WriteConfig(json::serialize(
      json::object{{"data-dir", dir_.File("data")}, {"api-key", kFileKey}, {"log-json", false}}));
  BrokerProcess broker({"--config=" + path});
  ASSERT_TRUE(broker.Start()) << broker.Output();
  EXPECT_EQ(Get(broker, kFileKey).status, 200);
  EXPECT_EQ(Get(broker, kCliKey).status, 401);
  // Without the file's switch, plain http callbacks stay refused.
  const std::string body = json::serialize(json::object{{"objectId", "g"},
                                                        {"objectType", "Group"},
                                                        {"eventTypes", json::array{"*"}},
                                                        {"callBackUrl", "http://127.0.0.1:9/h"}});
  HttpReply r =
      HttpCall(broker.rest_url(), "POST", "/v1/webhook", body, {{"accessToken", kFileKey}});
  EXPECT_EQ(r.status, 400) << r.body;
}

}  // namespace
}  // namespace hookbroker::testing
