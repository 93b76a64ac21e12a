// /v1/channels against the real daemon: create, replace, list, get, delete; unique names; admin
// key for changes, any key for reads; JSON errors as the rest of the API.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tests/integration/broker_fixture.h"

namespace hookbroker::testing {
namespace {

namespace json = boost::json;

class ChannelsApiTest : public BrokerFixture {
 protected:
  void SetUp() override {
    BrokerFixture::SetUp();
    StartBroker();
  }
  std::string ReadOnlyKey() {
    HttpReply r = Api("POST", "/v1/keys", R"({"kind":"read-only"})");
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? std::string(json::parse(r.body).at("key").as_string()) : "";
  }
  static json::object Obj(const HttpReply& r) { return json::parse(r.body).as_object(); }
};

TEST_F(ChannelsApiTest, PutCreatesThenReplacesAndSurvivesRestart) {
  HttpReply created = Api("PUT", "/v1/channels/g-1",
                          R"({"name":"town-square","display_name":"Town Square",
                              "team_id":"t1","team_domain":"acme","type":"O"})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(Obj(created), (json::object{{"id", "g-1"},
                                        {"name", "town-square"},
                                        {"display_name", "Town Square"},
                                        {"team_id", "t1"},
                                        {"team_domain", "acme"},
                                        {"type", "O"}}));
  HttpReply replaced = Api("PUT", "/v1/channels/g-1", R"({"name":"town-square","type":"P"})");
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_EQ(Obj(replaced).at("type"), "P");
  EXPECT_EQ(Obj(replaced).at("display_name"), "town-square");

  ASSERT_EQ(broker_->Stop(SIGTERM), 0) << broker_->Output();
  StartBroker();
  HttpReply got = Api("GET", "/v1/channels/g-1");
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(Obj(got).at("type"), "P");
  EXPECT_EQ(Obj(got).at("name"), "town-square");
}

TEST_F(ChannelsApiTest, ListGetAndDelete) {
  ASSERT_EQ(Api("PUT", "/v1/channels/b", R"({"name":"beta"})").status, 201);
  ASSERT_EQ(Api("PUT", "/v1/channels/a", R"({"name":"alpha"})").status, 201);
  HttpReply list = Api("GET", "/v1/channels");
  ASSERT_EQ(list.status, 200) << list.body;
  const json::array items = Obj(list).at("channels").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("name"), "alpha");
  EXPECT_EQ(items[1].at("name"), "beta");

  HttpReply deleted = Api("DELETE", "/v1/channels/a");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(Obj(deleted), (json::object{{"id", "a"}, {"deleted", true}}));
  HttpReply gone = Api("GET", "/v1/channels/a");
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(Obj(gone).at("error").at("code"), "not_found");
  EXPECT_EQ(Api("DELETE", "/v1/channels/a").status, 404);
  EXPECT_EQ(Obj(Api("GET", "/v1/channels")).at("channels").as_array().size(), 1u);
}

TEST_F(ChannelsApiTest, NamesAreUniqueAndValidated) {
  ASSERT_EQ(Api("PUT", "/v1/channels/g1", R"({"name":"ops"})").status, 201);
  HttpReply taken = Api("PUT", "/v1/channels/g2", R"({"name":"ops"})");
  EXPECT_EQ(taken.status, 409) << taken.body;
  EXPECT_EQ(Obj(taken).at("error").at("code"), "conflict");
  EXPECT_EQ(Obj(taken).at("error").at("field"), "name");
  EXPECT_EQ(Api("GET", "/v1/channels/g2").status, 404);

  HttpReply bad = Api("PUT", "/v1/channels/g3", R"({"name":"Not Valid"})");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(Obj(bad).at("error").at("field"), "name");
  HttpReply missing = Api("PUT", "/v1/channels/g3", R"({"display_name":"x"})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(Obj(missing).at("error").at("code"), "missing_field");
  HttpReply not_json = Api("PUT", "/v1/channels/g3", "{");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(Obj(not_json).at("error").at("code"), "invalid_json");
}

TEST_F(ChannelsApiTest, ReadOnlyKeyReadsButCannotChangeAndNoKeyIsRefused) {
  ASSERT_EQ(Api("PUT", "/v1/channels/g1", R"({"name":"ops"})").status, 201);
  const std::string ro = ReadOnlyKey();
  const std::map<std::string, std::string> ro_headers = {{"accessToken", ro}};
  EXPECT_EQ(HttpCall(broker_->rest_url(), "GET", "/v1/channels", "", ro_headers).status, 200);
  EXPECT_EQ(HttpCall(broker_->rest_url(), "GET", "/v1/channels/g1", "", ro_headers).status, 200);
  EXPECT_EQ(
      HttpCall(broker_->rest_url(), "PUT", "/v1/channels/g2", R"({"name":"x"})", ro_headers).status,
      403);
  EXPECT_EQ(HttpCall(broker_->rest_url(), "DELETE", "/v1/channels/g1", "", ro_headers).status, 403);
  EXPECT_EQ(HttpCall(broker_->rest_url(), "GET", "/v1/channels").status, 401);
  EXPECT_EQ(Api("GET", "/v1/channels/g1").status, 200);
  EXPECT_EQ(Api("GET", "/v1/channels/g2").status, 404);
}

}  // namespace
}  // namespace hookbroker::testing
