// Incoming webhooks against the real daemon (tests/support/BrokerProcess): the kChat
// documentation's own curl examples (../shared/seeds/000_8254cc96f6494344.txt) run as written with
// only the URL changed, form and multipart bodies, the Mattermost errors, the hook management
// API, and a post reaching both a subscriber (TextMessageCreated callback) and a ZeroMQ SUB
// socket on --posts-listen.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <zmq.hpp>

#include "tests/integration/broker_fixture.h"

namespace hookbroker::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// The second example of the kChat page, the -d argument exactly as printed there.
constexpr const char* kSeedStatusReport = R"seed({
"username": "System Monitor",
  "icon_url": "https://cdn-icons-png.flaticon.com/512/5971/5971593.png",
  "text": "### System Status Report\nEnvironment: PRODUCTION\nStatus: SUCCESSFUL\n\n---\n\n| Component | Version | Build ID | Status |\n|:----------|:-------:|:---------|:-------|\n| API-Core  | 2.4.1   | #88421   | OK     |\n| Web-UI    | 1.9.0   | #88425   | OK     |\n| Database  | 14.5    | N/A      | OK     |\n\n---\n\n**Commit Reference:**\n`git-ref: a7f8e9c21b` \n\n**Summary:**\nAll automated integration tests passed successfully. No manual intervention is required. Please contact the DevOps team for further details regarding this release."
})seed";

struct CurlReply {
  int status = 0;
  std::string headers;  // lowercased
  std::string body;
};

class IncomingWebhooksE2eTest : public BrokerFixture {
 protected:
  void SetUp() override {
    BrokerFixture::SetUp();
    StartBroker();
    ASSERT_EQ(Api("PUT", "/v1/channels/g-chat",
                  R"({"name":"town-square","display_name":"Town Square","team_id":"t1"})")
                  .status,
              201);
    ASSERT_EQ(Api("PUT", "/v1/channels/g-ops", R"({"name":"ops","team_id":"t1"})").status, 201);
    hook_ = CreateHook(R"({"channel_id":"g-chat","display_name":"test"})");
  }

  json::object CreateHook(const std::string& body) {
    HttpReply r = Api("POST", "/v1/hooks/incoming", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? json::parse(r.body).as_object() : json::object{};
  }
  std::string HookUrl(const json::object& hook) {
    return broker_->rest_url() + std::string(hook.at("url").as_string());
  }

  // Runs curl with `args` then the URL, as a user would in a terminal.
  CurlReply Curl(std::vector<std::string> args, const std::string& url) {
    std::vector<std::string> argv = {"curl", "-sS", "--max-time", "20"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back(url);
    CommandResult r = RunCommand(argv, {}, "", 30s);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    CurlReply out;
    const std::size_t split = r.out.find("\r\n\r\n");
    if (split == std::string::npos) return out;
    out.headers = r.out.substr(0, split);
    for (char& c : out.headers) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.body = r.out.substr(split + 4);
    std::sscanf(out.headers.c_str(), "http/%*s %d", &out.status);
    return out;
  }

  json::object hook_;
};

TEST_F(IncomingWebhooksE2eTest, FirstCurlExampleOfTheKChatPageAsWritten) {
  // curl -i -X POST -H 'Content-Type: application/json' -d '{"text": "Hello, text1\nText2."}' URL
  CurlReply r = Curl({"-i", "-X", "POST", "-H", "Content-Type: application/json", "-d",
                      R"({"text": "Hello, text1\nText2."})"},
                     HookUrl(hook_));
  ASSERT_EQ(r.status, 200) << r.headers << r.body;
  EXPECT_NE(r.headers.find("content-type: application/json"), std::string::npos) << r.headers;
  const json::object post = json::parse(r.body).as_object();
  EXPECT_EQ(post.at("id").as_string().size(), 26u);
  EXPECT_GT(post.at("create_at").as_int64(), 0);
  EXPECT_EQ(post.at("update_at"), post.at("create_at"));
  EXPECT_EQ(post.at("delete_at"), 0);
  EXPECT_EQ(post.at("channel_id"), "g-chat");
  EXPECT_EQ(post.at("root_id"), "");
  EXPECT_EQ(post.at("original_id"), "");
  EXPECT_EQ(post.at("message"), "Hello, text1\nText2.");
  EXPECT_EQ(post.at("type"), "");
  EXPECT_EQ(post.at("user_id"), hook_.at("user_id"));
  const json::object& props = post.at("props").as_object();
  EXPECT_EQ(props.at("override_username"), "webhook");
  EXPECT_TRUE(props.at("override_icon_url").is_null());
  EXPECT_TRUE(props.at("override_icon_emoji").is_null());
  EXPECT_EQ(props.at("webhook_display_name"), "test");
  EXPECT_EQ(props.at("attachments"), json::array());
  EXPECT_EQ(props.at("from_webhook"), "true");

  // The post is an event like a producer's.
  HttpReply event = Api("GET", "/v1/events/" + std::string(post.at("id").as_string()));
  ASSERT_EQ(event.status, 200) << event.body;
  EXPECT_NE(event.body.find("TextMessageCreated"), std::string::npos) << event.body;
}

TEST_F(IncomingWebhooksE2eTest, SecondCurlExampleWithUsernameIconAndMarkdownTable) {
  CurlReply r =
      Curl({"-i", "-X", "POST", "-H", "Content-Type: application/json", "-d", kSeedStatusReport},
           HookUrl(hook_));
  ASSERT_EQ(r.status, 200) << r.headers << r.body;
  const json::object post = json::parse(r.body).as_object();
  const json::object sent = json::parse(kSeedStatusReport).as_object();
  EXPECT_EQ(post.at("message"), sent.at("text"));
  EXPECT_EQ(post.at("props").at("override_username"), "System Monitor");
  EXPECT_EQ(post.at("props").at("override_icon_url"), sent.at("icon_url"));
}

TEST_F(IncomingWebhooksE2eTest, PayloadFormWithoutAndWithTheFormContentType) {
  // "If no Content-Type header is defined, the request body must be preceded by payload="
  CurlReply bare = Curl({"-i", "-X", "POST", "-H", "Content-Type:", "--data-binary",
                         R"(payload={"text": "Hello, text1\nText2."})"},
                        HookUrl(hook_));
  ASSERT_EQ(bare.status, 200) << bare.headers << bare.body;
  EXPECT_EQ(json::parse(bare.body).at("message"), "Hello, text1\nText2.");
  // curl -d without -H sends application/x-www-form-urlencoded, as Slack's examples do.
  CurlReply form =
      Curl({"-i", "-X", "POST", "-d", R"(payload={"text": "as a form"})"}, HookUrl(hook_));
  ASSERT_EQ(form.status, 200) << form.headers << form.body;
  EXPECT_EQ(json::parse(form.body).at("message"), "as a form");
}

TEST_F(IncomingWebhooksE2eTest, SlackReturnFormatAnswersOkAsPlainText) {
  CurlReply r = Curl({"-i", "-X", "POST", "-H", "Content-Type: application/json", "-d",
                      R"({"text": "Hello, text1\nText2."})"},
                     HookUrl(hook_) + "?slack_return_format=true");
  ASSERT_EQ(r.status, 200) << r.headers << r.body;
  EXPECT_NE(r.headers.find("content-type: text/plain"), std::string::npos) << r.headers;
  EXPECT_EQ(r.body, "ok");
}

TEST_F(IncomingWebhooksE2eTest, MultipartFormFieldsAndRawNewlinesInJson) {
  CurlReply r = Curl({"-i", "-F", "text=from a <https://x.example|form>", "-F", "channel=#ops",
                      "-F", "username=former"},
                     HookUrl(hook_));
  ASSERT_EQ(r.status, 200) << r.headers << r.body;
  const json::value post = json::parse(r.body);
  EXPECT_EQ(post.at("message"), "from a [form](https://x.example)");
  EXPECT_EQ(post.at("channel_id"), "g-ops");
  EXPECT_EQ(post.at("props").at("override_username"), "former");

  HttpReply raw = HttpCall(broker_->rest_url(), "POST", std::string(hook_.at("url").as_string()),
                           "{\"text\": \"line 1\nline 2\tend\"}", {});
  ASSERT_EQ(raw.status, 200) << raw.body;
  EXPECT_EQ(json::parse(raw.body).at("message"), "line 1\nline 2\tend");
}

TEST_F(IncomingWebhooksE2eTest, MattermostErrorsWithTheirStatusCodes) {
  const std::string url = std::string(hook_.at("url").as_string());
  auto expect_error = [&](const HttpReply& r, int status, const std::string& id) {
    EXPECT_EQ(r.status, status) << r.body;
    const json::object b = json::parse(r.body).as_object();
    EXPECT_EQ(b.at("id").as_string(), id) << r.body;
    EXPECT_EQ(b.at("status_code"), status) << r.body;
    EXPECT_EQ(b.at("request_id").as_string().size(), 26u);
    EXPECT_TRUE(b.contains("message") && b.contains("detailed_error"));
  };
  expect_error(HttpCall(broker_->rest_url(), "POST", "/hooks/abcdefghijklmnopqrstuvwxyz",
                        R"({"text":"x"})", {}),
               400, "web.incoming_webhook.invalid.app_error");
  expect_error(HttpCall(broker_->rest_url(), "POST", url, "{oops", {}), 400,
               "web.incoming_webhook.parse.app_error");
  expect_error(HttpCall(broker_->rest_url(), "POST", url, R"({"username":"x"})", {}), 400,
               "web.incoming_webhook.text.app_error");
  expect_error(HttpCall(broker_->rest_url(), "POST", url, R"({"text":"x","channel":"nope"})", {}),
               404, "web.incoming_webhook.channel.app_error");
  const json::object locked = CreateHook(R"({"channel_id":"g-chat","channel_locked":true})");
  expect_error(HttpCall(broker_->rest_url(), "POST", std::string(locked.at("url").as_string()),
                        R"({"text":"x","channel":"ops"})", {}),
               403, "web.incoming_webhook.channel_locked.app_error");
  const std::string huge = R"({"text":")" + std::string(70 * 1024, 'x') + R"("})";
  expect_error(HttpCall(broker_->rest_url(), "POST", url, huge, {}), 413,
               "web.incoming_webhook.request_body_too_large.app_error");
}

TEST_F(IncomingWebhooksE2eTest, LongTextIsSplitIntoSeveralPosts) {
  std::string text;
  while (text.size() < 20000) text += "a line of the build log\n";
  HttpReply r = HttpCall(broker_->rest_url(), "POST", std::string(hook_.at("url").as_string()),
                         json::serialize(json::object{{"text", text}}), {});
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string first = std::string(json::parse(r.body).at("message").as_string());
  EXPECT_LE(first.size(), 16383u);
  EXPECT_TRUE(text.starts_with(first));
  EXPECT_LT(first.size(), text.size());
}

TEST_F(IncomingWebhooksE2eTest, ManagementNeedsAnAdminKeyAndDeleteDisablesTheUrl) {
  const std::string id = std::string(hook_.at("id").as_string());
  EXPECT_EQ(hook_.at("url").as_string(), "/hooks/" + id);
  EXPECT_EQ(hook_.at("channel_id"), "g-chat");
  EXPECT_EQ(hook_.at("team_id"), "t1");
  HttpReply list = Api("GET", "/v1/hooks/incoming");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(json::parse(list.body).at("hooks").as_array().size(), 1u);
  EXPECT_EQ(Api("GET", "/v1/hooks/incoming/" + id).status, 200);
  EXPECT_EQ(Api("POST", "/v1/hooks/incoming", R"({"channel_id":"none"})").status, 400);

  HttpReply ro = Api("POST", "/v1/keys", R"({"kind":"read-only"})");
  ASSERT_EQ(ro.status, 201);
  const std::map<std::string, std::string> ro_headers = {
      {"accessToken", std::string(json::parse(ro.body).at("key").as_string())}};
  EXPECT_EQ(HttpCall(broker_->rest_url(), "GET", "/v1/hooks/incoming", "", ro_headers).status, 403);
  EXPECT_EQ(HttpCall(broker_->rest_url(), "GET", "/v1/hooks/incoming").status, 401);

  ASSERT_EQ(Api("DELETE", "/v1/hooks/incoming/" + id).status, 200);
  EXPECT_EQ(Api("GET", "/v1/hooks/incoming/" + id).status, 404);
  HttpReply gone = HttpCall(broker_->rest_url(), "POST", "/hooks/" + id, R"({"text":"x"})", {});
  EXPECT_EQ(gone.status, 400) << gone.body;
}

TEST_F(IncomingWebhooksE2eTest, SubscriberHearsThePostAndTheSubSocketReceivesIt) {
  Register("Group", "g-chat", {"TextMessageCreated"});

  zmq::context_t context(1);
  zmq::socket_t sub(context, zmq::socket_type::sub);
  sub.set(zmq::sockopt::subscribe, "g-chat");
  sub.set(zmq::sockopt::subscribe, "g-ops");
  sub.connect(broker_->posts_endpoint());
  // PUB drops what it publishes before the subscription has reached it: post to another
  // channel until one arrives there.
  const std::string url = std::string(hook_.at("url").as_string());
  bool joined = false;
  for (int i = 0; i < 100 && !joined; ++i) {
    ASSERT_EQ(
        HttpCall(broker_->rest_url(), "POST", url, R"({"text":"warm-up","channel":"ops"})", {})
            .status,
        200);
    zmq::pollitem_t item{sub.handle(), 0, ZMQ_POLLIN, 0};
    joined = zmq::poll(&item, 1, 100ms) > 0;
  }
  ASSERT_TRUE(joined) << "the SUB socket never received a post";

  HttpReply r = HttpCall(broker_->rest_url(), "POST", url,
                         R"({"text":"deploy <!here>","username":"ci"})", {});
  ASSERT_EQ(r.status, 200) << r.body;
  const json::object post = json::parse(r.body).as_object();

  sub.set(zmq::sockopt::rcvtimeo, 10000);
  for (;;) {  // skip the warm-up posts
    zmq::message_t topic, body;
    ASSERT_TRUE(sub.recv(topic).has_value());
    ASSERT_TRUE(topic.more());
    ASSERT_TRUE(sub.recv(body).has_value());
    if (topic.to_string() == "g-ops") continue;
    EXPECT_EQ(topic.to_string(), "g-chat");
    EXPECT_EQ(json::parse(body.to_string()), json::value(post));
    break;
  }

  ASSERT_TRUE(receiver_->WaitForPosts(1, 10s));
  const json::object callback = json::parse(receiver_->Posts().at(0).body).as_object();
  EXPECT_EQ(callback.at("eventType"), "TextMessageCreated");
  EXPECT_EQ(callback.at("eventId"), post.at("id"));
  EXPECT_EQ(callback.at("objectId"), "g-chat");
  EXPECT_EQ(callback.at("fromUserName"), "ci");
  EXPECT_EQ(callback.at("data").at("text"), "deploy @here");
  EXPECT_EQ(callback.at("data").at("postId"), post.at("id"));
  EXPECT_EQ(callback.at("data").at("props").at("from_webhook"), "true");
  EXPECT_EQ(receiver_->Posts().size(), 1u) << "the warm-up posts went to another channel";
}

TEST_F(IncomingWebhooksE2eTest, AttachmentsOnlyPostIsAnAttachmentCreatedWithMedia) {
  Register("Group", "g-chat", {"AttachmentCreated"});
  HttpReply r = HttpCall(broker_->rest_url(), "POST", std::string(hook_.at("url").as_string()),
                         R"({"attachments":[{"fallback":"Build log","title":"build.log",
                             "title_link":"https://ci.example/build.log","color":"danger",
                             "pretext":"<!channel> build failed"}]})",
                         {});
  ASSERT_EQ(r.status, 200) << r.body;
  const json::object post = json::parse(r.body).as_object();
  EXPECT_EQ(post.at("message"), "");
  EXPECT_EQ(post.at("props").at("attachments").at(0).at("pretext"), "@channel build failed");

  ASSERT_TRUE(receiver_->WaitForPosts(1, 10s));
  const json::object callback = json::parse(receiver_->Posts().at(0).body).as_object();
  EXPECT_EQ(callback.at("eventType"), "AttachmentCreated");
  EXPECT_EQ(callback.at("eventId"), post.at("id"));
  EXPECT_EQ(callback.at("data").at("media"),
            json::parse(R"([{"mediaUrl":"https://ci.example/build.log",
                             "mediaFileName":"build.log"}])"));
}

}  // namespace
}  // namespace hookbroker::testing
