#include "subscribers/build_status_bot.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "subscribers/http_endpoint.h"
#include "tests/support/broker_process.h"
#include "tests/support/http_client.h"
#include "tests/support/temp_dir.h"

namespace hookbroker::testing {
namespace {

namespace json = boost::json;
using namespace subscribers;

constexpr const char* kToken = "zmigewsanbbsdf59xnmduzypjc";

// The seed's example build, as CI would write it.
constexpr const char* kReport = R"({
  "project": "Project X", "when": "December 12, 2015 - 15:32 GMT +0",
  "components": [
    {"name": "Server", "run": 948, "failed": 0},
    {"name": "Web Client", "run": 123, "failed": 2, "details": "http://linktologs"},
    {"name": "iOS Client", "run": 78, "failed": 3, "details": "http://linktologs"}]})";

constexpr const char* kTable =
    "---\n"
    "##### Build Break - Project X - December 12, 2015 - 15:32 GMT +0\n"
    "| Component | Tests Run | Tests Failed |\n"
    "|:----------|:----------|:-------------|\n"
    "| Server | 948 | :white_check_mark: 0 |\n"
    "| Web Client | 123 | :warning: [2 (see details)](http://linktologs) |\n"
    "| iOS Client | 78 | :warning: [3 (see details)](http://linktologs) |\n"
    "---\n";

std::string Form(const std::string& token, const std::string& text_escaped) {
  return "channel_id=hawos4dqtby53pd64o4a4cmeoo&channel_name=town-square&team_domain=someteam&"
         "team_id=kwoknj9nwpypzgzy78wkw516qe&text=" +
         text_escaped + "&timestamp=1445532266&token=" + token +
         "&trigger_word=%23build&user_id=rnina9994bde8mua79zqcg5hmo&user_name=somename";
}

class BuildStatusBotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.File("report.json")) << kReport;
    options_ = {.token = kToken, .report_file = dir_.File("report.json")};
  }
  CallbackResponse Post(const BuildStatusBot& bot, const std::string& body,
                        const std::string& type = "application/x-www-form-urlencoded") {
    return bot.Handle({.method = "POST", .headers = {{"content-type", type}}, .body = body});
  }

  TempDir dir_;
  BuildBotOptions options_;
};

TEST_F(BuildStatusBotTest, RendersTheSeedsTable) {
  EXPECT_EQ(RenderBuildTable(*ParseBuildReport(kReport)), kTable);
  auto ok = ParseBuildReport(R"({"components":[{"name":"A|B","run":1,"failed":0}]})");
  EXPECT_NE(RenderBuildTable(*ok).find("##### Build OK\n"), std::string::npos);
  EXPECT_NE(RenderBuildTable(*ok).find("| A\\|B | 1 |"), std::string::npos);
  EXPECT_EQ(ParseBuildReport(R"({"components":[{"name":"A","run":-1,"failed":0}]})").error().field,
            "components[0].run");
}

TEST_F(BuildStatusBotTest, AnswersTheTriggerWordFromAFormRequest) {
  BuildStatusBot bot(options_);
  CallbackResponse r = Post(bot, Form(kToken, "%23build+Let%27s+see+the+status"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  json::object reply = json::parse(r.body).as_object();
  EXPECT_EQ(reply.at("text").as_string(), kTable);
  EXPECT_EQ(reply.at("username").as_string(), "build-bot");
  EXPECT_EQ(reply.at("response_type").as_string(), "post");
}

TEST_F(BuildStatusBotTest, AnswersAJsonRequestAndPicksNamedComponents) {
  options_.response_type = "comment";
  BuildStatusBot bot(options_);
  CallbackResponse r = Post(bot,
                            json::serialize(json::object{{"token", kToken},
                                                         {"text", "#build ios"},
                                                         {"trigger_word", "#build"},
                                                         {"timestamp", 1445532266123}}),
                            "application/json");
  ASSERT_EQ(r.status, 200) << r.body;
  json::object reply = json::parse(r.body).as_object();
  const std::string text(reply.at("text").as_string());
  EXPECT_NE(text.find("| iOS Client | 78 |"), std::string::npos);
  EXPECT_EQ(text.find("| Server |"), std::string::npos);
  EXPECT_EQ(reply.at("response_type").as_string(), "comment");
}

TEST_F(BuildStatusBotTest, RefusesAWrongTokenAndIgnoresOtherPosts) {
  BuildStatusBot bot(options_);
  CallbackResponse wrong = Post(bot, Form("not-the-token-000000000000", "%23build"));
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.body.find("Server"), std::string::npos);
  CallbackResponse other = Post(bot, Form(kToken, "%23buildx+now"));
  EXPECT_EQ(other.status, 200);
  EXPECT_EQ(other.body, "{}");  // no text: Mattermost posts nothing
  EXPECT_EQ(bot.Handle({.method = "GET"}).status, 405);
  EXPECT_EQ(Post(bot, "{", "application/json").status, 400);
}

TEST_F(BuildStatusBotTest, SaysWhenTheReportCannotBeRead) {
  options_.report_file = dir_.File("missing.json");
  BuildStatusBot bot(options_);
  CallbackResponse r = Post(bot, Form(kToken, "%23build"));
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(json::parse(r.body).at("text").as_string().find("cannot be read"), std::string::npos);
}

TEST_F(BuildStatusBotTest, ServesOverHttpAsMattermostCallsIt) {
  BuildStatusBot bot(options_);
  HttpEndpoint server({}, [&bot](const CallbackRequest& req) { return bot.Handle(req); });
  ASSERT_TRUE(server.Start().ok());
  HttpReply form = HttpCall(server.Url(), "POST", "/bot", Form(kToken, "%23build"),
                            {{"Accept", "application/json"}}, "application/x-www-form-urlencoded");
  EXPECT_EQ(form.status, 200);
  EXPECT_EQ(json::parse(form.body).at("text").as_string(), kTable);
  HttpReply as_json =
      HttpCall(server.Url(), "POST", "/bot",
               json::serialize(json::object{{"token", kToken}, {"text", "#build"}}));
  EXPECT_EQ(as_json.status, 200);
  EXPECT_EQ(json::parse(as_json.body).at("text").as_string(), kTable);
}

TEST_F(BuildStatusBotTest, TheExecutableExplainsItsFlags) {
  CommandResult help = RunCommand({BUILD_STATUS_BOT_BINARY, "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--report FILE"), std::string::npos);
  CommandResult missing = RunCommand({BUILD_STATUS_BOT_BINARY});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("--token and --report are required"), std::string::npos);
}

}  // namespace
}  // namespace hookbroker::testing
