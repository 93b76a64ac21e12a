#include "broker/channel_codec.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace hookbroker {
namespace {

namespace json = boost::json;

Result<Channel> Parse(std::string_view id, std::string_view body) {
  return ParseChannelRequest(id, json::parse(body));
}

TEST(ChannelCodecTest, NamesFollowMattermostRules) {
  EXPECT_TRUE(IsValidChannelName("town-square"));
  EXPECT_TRUE(IsValidChannelName("off_topic2"));
  EXPECT_TRUE(IsValidChannelName("a"));
  EXPECT_TRUE(IsValidChannelName(std::string(64, 'x')));
  EXPECT_FALSE(IsValidChannelName(std::string(65, 'x')));
  EXPECT_FALSE(IsValidChannelName(""));
  EXPECT_FALSE(IsValidChannelName("-lead"));
  EXPECT_FALSE(IsValidChannelName("_lead"));
  EXPECT_FALSE(IsValidChannelName("Town-Square"));
  EXPECT_FALSE(IsValidChannelName("town square"));
  EXPECT_FALSE(IsValidChannelName("#town"));
}

TEST(ChannelCodecTest, IdsAreGroupIdShaped) {
  EXPECT_TRUE(IsValidChannelId("9b5f1c9e-5a4e-4f7e-9d2a-0c3b1e6f7a88"));
  EXPECT_TRUE(IsValidChannelId("4xp9fdt77pncbef59f4k1qe83o"));
  EXPECT_FALSE(IsValidChannelId(""));
  EXPECT_FALSE(IsValidChannelId("a/b"));
  EXPECT_FALSE(IsValidChannelId("a b"));
  EXPECT_FALSE(IsValidChannelId(std::string(129, 'a')));
}

TEST(ChannelCodecTest, ParsesAllFieldsAndRoundTripsThroughTheRecord) {
  auto c = Parse("g1", R"({"name":"ops","display_name":"Opérations","team_id":"t1",
                           "team_domain":"acme","type":"P"})");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->id, "g1");
  EXPECT_EQ(c->name, "ops");
  EXPECT_EQ(c->display_name, "Opérations");
  EXPECT_EQ(c->team_id, "t1");
  EXPECT_EQ(c->team_domain, "acme");
  EXPECT_FALSE(c->is_public);

  const json::object j = ChannelToJson(*c);
  EXPECT_EQ(j.at("type"), "P");
  EXPECT_EQ(j.at("display_name"), "Opérations");
  auto back = DecodeChannelRecord(json::serialize(j));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->id, "g1");
  EXPECT_EQ(back->name, "ops");
  EXPECT_EQ(back->team_domain, "acme");
  EXPECT_FALSE(back->is_public);
}

TEST(ChannelCodecTest, DefaultsArePublicAndDisplayNameFromName) {
  auto c = Parse("g1", R"({"name":"town-square","id":"g1"})");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->is_public);
  EXPECT_EQ(c->display_name, "town-square");
  EXPECT_EQ(ChannelToJson(*c).at("type"), "O");
}

TEST(ChannelCodecTest, RefusesBadInputNamingTheField) {
  struct Case {
    std::string id, body, field, code;
  };
  const std::vector<Case> cases = {
      {"g1", R"({})", "name", "missing_field"},
      {"g1", R"({"name":"Bad Name"})", "name", "invalid_field"},
      {"g1", R"({"name":7})", "name", "invalid_field"},
      {"g1", R"({"name":"ok","type":"D"})", "type", "invalid_field"},
      {"g1", R"({"name":"ok","display_name":""})", "display_name", "invalid_field"},
      {"g1", R"({"name":"ok","display_name":")" + std::string(65, 'd') + R"("})", "display_name",
       "invalid_field"},
      {"g1", R"({"name":"ok","id":"g2"})", "id", "invalid_field"},
      {"g1", R"({"name":"ok","purpose":"x"})", "purpose", "invalid_field"},
      {"g1", R"({"name":"ok","team_id":1})", "team_id", "invalid_field"},
      {"bad id", R"({"name":"ok"})", "id", "invalid_field"},
  };
  for (const Case& c : cases) {
    auto r = Parse(c.id, c.body);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.error().field, c.field) << c.body;
    EXPECT_EQ(r.error().code, c.code) << c.body;
  }
  EXPECT_EQ(Parse("g1", "[]").error().code, "invalid_json");
}

TEST(ChannelCodecTest, UnreadableRecordIsStorageCorrupt) {
  EXPECT_EQ(DecodeChannelRecord("{").error().code, "storage_corrupt");
  EXPECT_EQ(DecodeChannelRecord(R"({"id":"g1"})").error().code, "storage_corrupt");
}

}  // namespace
}  // namespace hookbroker
