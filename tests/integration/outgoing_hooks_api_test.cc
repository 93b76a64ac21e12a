// /v1/hooks/outgoing against the real daemon: create with Mattermost's fields, list, get,
// regenerate the token, delete; the callback URLs held to the SSRF guard and https; admin keys
// only; JSON errors as the rest of the API.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>

#include "tests/integration/broker_fixture.h"

namespace hookbroker::testing {
namespace {

namespace json = boost::json;

class OutgoingHooksApiTest : public BrokerFixture {
 protected:
  void SetUp() override {
    BrokerFixture::SetUp();
    StartBroker();
    ASSERT_EQ(Api("PUT", "/v1/channels/town", R"({"name":"town-square"})").status, 201);
    ASSERT_EQ(Api("PUT", "/v1/channels/hidden", R"({"name":"hidden","type":"P"})").status, 201);
  }
  static json::object Obj(const HttpReply& r) { return json::parse(r.body).as_object(); }
  void ExpectError(const HttpReply& r, int status, std::string_view code, std::string_view field) {
    EXPECT_EQ(r.status, status) << r.body;
    json::object e = Obj(r).at("error").as_object();
    EXPECT_EQ(e.at("code").as_string(), code) << r.body;
    if (field.empty()) {
      EXPECT_FALSE(e.contains("field")) << r.body;
    } else {
      EXPECT_EQ(e.at("field").as_string(), field) << r.body;
    }
  }
  // Mattermost's id shape: 26 characters of [a-z0-9].
  static bool IdShaped(std::string_view id) {
    return id.size() == 26 && std::all_of(id.begin(), id.end(), [](char c) {
             return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
           });
  }
  std::string Bot() const { return receiver_->BaseUrl() + "/bot"; }
};

TEST_F(OutgoingHooksApiTest, CreateListGetRegenerateDeleteAndSurviveRestart) {
  HttpReply created = Api("POST", "/v1/hooks/outgoing",
                          R"({"channel_id":"town","trigger_words":["#build"],"trigger_when":1,
                              "callback_urls":[")" +
                              Bot() + R"("],"display_name":"Build bot","username":"builder"})");
  ASSERT_EQ(created.status, 201) << created.body;
  json::object hook = Obj(created);
  const std::string id(hook.at("id").as_string());
  const std::string token(hook.at("token").as_string());
  EXPECT_TRUE(IdShaped(id));
  EXPECT_TRUE(IdShaped(token));
  EXPECT_EQ(hook.at("trigger_when").as_int64(), 1);
  EXPECT_EQ(hook.at("content_type").as_string(), "application/x-www-form-urlencoded");
  EXPECT_EQ(hook.at("display_name").as_string(), "Build bot");
  EXPECT_GT(hook.at("create_at").as_int64(), 0);

  HttpReply list = Api("GET", "/v1/hooks/outgoing");
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(Obj(list).at("hooks").as_array().size(), 1u);
  EXPECT_EQ(Obj(list).at("hooks").at(0).at("token").as_string(), token);
  EXPECT_EQ(Obj(Api("GET", "/v1/hooks/outgoing?channel_id=other")).at("hooks").as_array().size(),
            0u);

  HttpReply regen = Api("POST", "/v1/hooks/outgoing/" + id + "/regen_token");
  ASSERT_EQ(regen.status, 200) << regen.body;
  const std::string new_token(Obj(regen).at("token").as_string());
  EXPECT_NE(new_token, token);

  ASSERT_EQ(broker_->Stop(SIGTERM), 0) << broker_->Output();
  StartBroker();
  HttpReply got = Api("GET", "/v1/hooks/outgoing/" + id);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(Obj(got).at("token").as_string(), new_token);
  EXPECT_EQ(Obj(got).at("trigger_words"), (json::array{"#build"}));

  HttpReply deleted = Api("DELETE", "/v1/hooks/outgoing/" + id);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(Obj(deleted), (json::object{{"id", id}, {"deleted", true}}));
  ExpectError(Api("GET", "/v1/hooks/outgoing/" + id), 404, "not_found", "hookId");
  ExpectError(Api("DELETE", "/v1/hooks/outgoing/" + id), 404, "not_found", "hookId");
  ExpectError(Api("POST", "/v1/hooks/outgoing/" + id + "/regen_token"), 404, "not_found", "hookId");
}

// A hook's token proves the broker's requests to the bot: /v1/hooks is for admin keys only,
// reads included (api_access.h).
TEST_F(OutgoingHooksApiTest, ReadOnlyKeysCanNeitherReadNorChangeHooks) {
  HttpReply created = Api("POST", "/v1/hooks/outgoing",
                          R"({"trigger_words":["!x"],"callback_urls":[")" + Bot() + R"("]})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id(Obj(created).at("id").as_string());
  HttpReply key = Api("POST", "/v1/keys", R"({"kind":"read-only"})");
  ASSERT_EQ(key.status, 201) << key.body;
  const std::map<std::string, std::string> reader{
      {"accessToken", std::string(Obj(key).at("key").as_string())}};
  EXPECT_EQ(Api("GET", "/v1/hooks/outgoing", "", reader).status, 403);
  EXPECT_EQ(Api("GET", "/v1/hooks/outgoing/" + id, "", reader).status, 403);
  EXPECT_EQ(Api("POST", "/v1/hooks/outgoing/" + id + "/regen_token", "", reader).status, 403);
  EXPECT_EQ(Api("DELETE", "/v1/hooks/outgoing/" + id, "", reader).status, 403);
  EXPECT_EQ(Api("POST", "/v1/hooks/outgoing",
                R"({"trigger_words":["!y"],"callback_urls":[")" + Bot() + R"("]})", reader)
                .status,
            403);
  EXPECT_EQ(Api("GET", "/v1/hooks/outgoing/" + id).status, 200);  // the admin key still can
}

TEST_F(OutgoingHooksApiTest, RefusesBadHooksWithNamedFields) {
  const std::string urls = R"("callback_urls":[")" + Bot() + R"("])";
  ExpectError(Api("POST", "/v1/hooks/outgoing", "{" + urls + "}"), 400, "invalid_field",
              "trigger_words");
  ExpectError(Api("POST", "/v1/hooks/outgoing", R"({"channel_id":"town"})"), 400, "invalid_field",
              "callback_urls");
  ExpectError(Api("POST", "/v1/hooks/outgoing", R"({"channel_id":"nowhere",)" + urls + "}"), 400,
              "invalid_field", "channel_id");
  ExpectError(Api("POST", "/v1/hooks/outgoing", R"({"channel_id":"hidden",)" + urls + "}"), 403,
              "forbidden", "channel_id");
  // The SSRF guard: a private address outside --callback-allow, and plain http.
  ExpectError(Api("POST", "/v1/hooks/outgoing",
                  R"({"channel_id":"town","callback_urls":["https://10.1.2.3/bot"]})"),
              400, "callback_forbidden", "callback_urls");
  ExpectError(Api("POST", "/v1/hooks/outgoing",
                  R"({"channel_id":"town","callback_urls":["http://127.0.0.1:9/bot"]})"),
              400, "invalid_field", "callback_urls");
  ExpectError(Api("POST", "/v1/hooks/outgoing", "not json"), 400, "invalid_json", "");
  EXPECT_EQ(Obj(Api("GET", "/v1/hooks/outgoing")).at("hooks").as_array().size(), 0u);
}

// The flags: listed by --help; a bad value stops the broker with exit 2 naming the flag.
TEST(OutgoingWebhookFlagsTest, HelpListsThemAndBadValuesExitTwoNamingTheFlag) {
  CommandResult help = RunCommand({HOOKBROKER_BINARY, "--help"}, {}, "", std::chrono::seconds(20));
  EXPECT_EQ(help.exit_code, 0) << help.err;
  for (const char* flag :
       {"--outgoing-webhook-timeout", "--outgoing-webhook-queue", "--outgoing-webhook-workers"}) {
    EXPECT_NE(help.out.find(flag), std::string::npos) << flag;
  }
  for (const auto& [flag, value] :
       {std::pair{"--outgoing-webhook-timeout", "0"},
        std::pair{"--outgoing-webhook-timeout", "soon"}, std::pair{"--outgoing-webhook-queue", "0"},
        std::pair{"--outgoing-webhook-workers", "257"}}) {
    CommandResult r =
        RunCommand({HOOKBROKER_BINARY, flag, value}, {}, "", std::chrono::seconds(20));
    EXPECT_EQ(r.exit_code, 2) << flag << " " << value << ": " << r.out << r.err;
    EXPECT_NE(r.err.find(flag), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace hookbroker::testing
