#include "broker/mattermost_error.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "broker/chat_id.h"

namespace hookbroker {
namespace {

namespace json = boost::json;

TEST(MattermostErrorTest, BodyHasMattermostsFiveFieldsAndAFreshRequestId) {
  const MattermostError e{404, "web.incoming_webhook.channel.app_error",
                          "Couldn't find the channel.", "no channel named x"};
  const json::object a = json::parse(MattermostErrorBody(e)).as_object();
  const json::object b = json::parse(MattermostErrorBody(e)).as_object();
  EXPECT_EQ(a.size(), 5u);
  EXPECT_EQ(a.at("id"), "web.incoming_webhook.channel.app_error");
  EXPECT_EQ(a.at("message"), "Couldn't find the channel.");
  EXPECT_EQ(a.at("detailed_error"), "no channel named x");
  EXPECT_EQ(a.at("status_code"), 404);
  EXPECT_TRUE(IsChatIdShaped(a.at("request_id").as_string()));
  EXPECT_NE(a.at("request_id"), b.at("request_id"));
}

TEST(MattermostErrorTest, BodyTooLargeIs413NamingTheLimit) {
  const MattermostError e = BodyTooLarge(65536);
  EXPECT_EQ(e.status, 413);
  EXPECT_EQ(e.id, "web.incoming_webhook.request_body_too_large.app_error");
  EXPECT_NE(e.detailed.find("65536"), std::string::npos);
}

}  // namespace
}  // namespace hookbroker
