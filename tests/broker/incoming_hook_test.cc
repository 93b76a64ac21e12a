#include "broker/incoming_hook.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace hookbroker {
namespace {

namespace json = boost::json;

TEST(IncomingHookTest, ParsesMattermostsFields) {
  auto h = ParseIncomingHookRequest(json::parse(R"({"channel_id":"g1","display_name":"CI",
      "description":"builds","username":"ci-bot","icon_url":"https://x.example/i.png",
      "channel_locked":true,"team_id":"ignored"})"));
  ASSERT_TRUE(h.ok()) << h.error().message;
  EXPECT_EQ(h->channel_id, "g1");
  EXPECT_EQ(h->display_name, "CI");
  EXPECT_EQ(h->description, "builds");
  EXPECT_EQ(h->username, "ci-bot");
  EXPECT_EQ(h->icon_url, "https://x.example/i.png");
  EXPECT_TRUE(h->channel_locked);
  EXPECT_EQ(h->team_id, "");
}

TEST(IncomingHookTest, RefusesBadRequestsNamingTheField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({})", "channel_id"},
      {R"({"channel_id":7})", "channel_id"},
      {R"({"channel_id":"g","display_name":")" + std::string(65, 'd') + R"("})", "display_name"},
      {R"({"channel_id":"g","description":")" + std::string(501, 'd') + R"("})", "description"},
      {R"({"channel_id":"g","channel_locked":"yes"})", "channel_locked"},
      {R"({"channel_id":"g","secret":"x"})", "secret"},
  };
  for (const auto& [body, field] : cases) {
    auto r = ParseIncomingHookRequest(json::parse(body));
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().field, field) << body;
  }
}

TEST(IncomingHookTest, RecordRoundTripsAndShowsTheUrl) {
  IncomingHook h;
  h.id = "abcdefghijklmnopqrstuvwxyz";
  h.channel_id = "g1";
  h.team_id = "t1";
  h.user_id = "key_1";
  h.display_name = "CI";
  h.description = "d";
  h.username = "u";
  h.icon_url = "https://i.example";
  h.channel_locked = true;
  h.create_at_ms = 1713198308869;
  const json::object j = IncomingHookToJson(h);
  EXPECT_EQ(j.at("url"), "/hooks/abcdefghijklmnopqrstuvwxyz");
  EXPECT_EQ(j.at("delete_at"), 0);
  auto back = DecodeIncomingHookRecord(json::serialize(j));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(IncomingHookToJson(*back), j);
  EXPECT_EQ(DecodeIncomingHookRecord("{}").error().code, "storage_corrupt");
  EXPECT_EQ(DecodeIncomingHookRecord("[").error().code, "storage_corrupt");
}

}  // namespace
}  // namespace hookbroker
