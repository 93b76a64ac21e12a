// hookctl outgoing against the real daemon, as an operator uses it: add (id and token printed),
// list, show, regen-token, delete; usage errors and the broker's refusals with their exit codes.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tests/integration/broker_fixture.h"

namespace hookbroker::testing {
namespace {

namespace json = boost::json;

class HookctlOutgoingTest : public BrokerFixture {
 protected:
  void SetUp() override {
    BrokerFixture::SetUp();
    StartBroker();
    ASSERT_EQ(Api("PUT", "/v1/channels/town", R"({"name":"town-square"})").status, 201);
  }
  CommandResult Ctl(std::vector<std::string> args) {
    std::vector<std::string> argv = {HOOKCTL_BINARY, "--url", broker_->rest_url(), "--api-key",
                                     kApiKey};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, {"HOOKBROKER_URL=", "HOOKBROKER_API_KEY="}, "",
                      std::chrono::seconds(30));
  }
  // "name: value" from hookctl's field output.
  static std::string Field(const std::string& out, const std::string& name) {
    const std::size_t at = out.find(name + ":");
    if (at == std::string::npos) return "";
    std::size_t start = out.find_first_not_of(' ', at + name.size() + 1);
    return out.substr(start, out.find('\n', start) - start);
  }
};

TEST_F(HookctlOutgoingTest, AddListShowRegenerateDelete) {
  const std::string bot = receiver_->BaseUrl() + "/bot";
  CommandResult add = Ctl({"outgoing", "add", "--channel", "town", "--trigger-words", "#build, !b",
                           "--trigger-when", "starts-with", "--json-payload", "--callback-urls",
                           bot, "--display-name", "Build"});
  ASSERT_EQ(add.exit_code, 0) << add.out << add.err;
  const std::string id = Field(add.out, "id");
  const std::string token = Field(add.out, "token");
  ASSERT_EQ(id.size(), 26u) << add.out;
  ASSERT_EQ(token.size(), 26u) << add.out;

  json::object stored = json::parse(Api("GET", "/v1/hooks/outgoing/" + id).body).as_object();
  EXPECT_EQ(stored.at("trigger_words"), (json::array{"#build", "!b"}));
  EXPECT_EQ(stored.at("trigger_when").as_int64(), 1);
  EXPECT_EQ(stored.at("content_type").as_string(), "application/json");
  EXPECT_EQ(stored.at("callback_urls"), (json::array{bot}));
  EXPECT_EQ(stored.at("display_name").as_string(), "Build");

  CommandResult list = Ctl({"outgoing", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find(id), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("starts-with"), std::string::npos) << list.out;
  EXPECT_EQ(list.out.find(token), std::string::npos) << "the list shows no token";
  CommandResult other = Ctl({"outgoing", "list", "--channel", "elsewhere"});
  EXPECT_NE(other.out.find("no outgoing webhooks"), std::string::npos) << other.out;

  CommandResult show = Ctl({"outgoing", "show", id});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(Field(show.out, "token"), token);

  CommandResult regen = Ctl({"outgoing", "regen-token", id});
  ASSERT_EQ(regen.exit_code, 0) << regen.err;
  EXPECT_NE(Field(regen.out, "token"), token);
  EXPECT_EQ(Field(regen.out, "token").size(), 26u);

  CommandResult del = Ctl({"outgoing", "delete", id});
  ASSERT_EQ(del.exit_code, 0) << del.err;
  EXPECT_EQ(Ctl({"outgoing", "show", id}).exit_code, 5);
  EXPECT_EQ(Ctl({"outgoing", "delete", id}).exit_code, 5);
}

TEST_F(HookctlOutgoingTest, UsageErrorsAndRefusals) {
  EXPECT_EQ(Ctl({"outgoing", "add", "--channel", "town"}).exit_code, 2);  // no --callback-urls
  EXPECT_EQ(Ctl({"outgoing", "add", "--callback-urls", "https://a.example/", "--trigger-when",
                 "sometimes"})
                .exit_code,
            2);
  EXPECT_EQ(Ctl({"outgoing", "show"}).exit_code, 2);
  // The broker refuses (no channel and no trigger words): exit 1, the field named.
  CommandResult refused = Ctl({"outgoing", "add", "--callback-urls", receiver_->BaseUrl()});
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("trigger_words"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace hookbroker::testing
