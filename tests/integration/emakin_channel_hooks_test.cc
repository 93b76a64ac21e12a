// emakin channel hooks against the real daemon: the seed's examples (../shared/seeds/001_*.txt)
// sent with curl exactly as printed there, only the host changed, to an incoming webhook's key;
// cases, the repeated id, references threading, long texts split, and the errors. A raw-format
// subscriber of the channel's group shows what each post became.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "broker/message_split.h"
#include "tests/integration/broker_fixture.h"

namespace hookbroker::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kChannel = "f923d83a-3350-42d0-b9cb-620032730294";

// The seed's bodies, as printed (tabs included).
constexpr const char* kBasic = "{\n\t\"text\" : \"my message\"\n}";
constexpr const char* kAttachments = R"({
	"text" : "my message",
    "attachments" : [
    {
        "@type": "file",
        "displayName": "my file",
        "ext": "txt",
        "url": "http://myserver/myfile"
    },
    {
        "@type": "link",
        "url": "http://www.google.com",
        "displayName": "http://www.google.com"
    }]
})";
constexpr const char* kNewCase = R"({
    "id" : "event1",
	"text" : "my message",
    "attachments" : [
    {
        "@type": "file",
        "displayName": "my file",
        "ext": "txt",
        "url": "http://myserver/myfile"
    },
    {
        "@type": "link",
        "url": "http://www.google.com",
        "displayName": "http://www.google.com"
    }]
})";
constexpr const char* kUpdate = R"({
    "id" : "event2",
    "references" : [ "event1" ],
	"text" : "my message",
    "attachments" : [
    {
        "@type": "file",
        "displayName": "my file",
        "ext": "txt",
        "url": "http://myserver/myfile"
    },
    {
        "@type": "link",
        "url": "http://www.google.com",
        "displayName": "http://www.google.com"
    }]
})";

struct Reply {
  int status = 0;
  std::string content_type;
  std::string body;
};

class EmakinChannelHooksTest : public BrokerFixture {
 protected:
  void SetUp() override {
    BrokerFixture::SetUp();
    StartBroker();
    ASSERT_EQ(Api("PUT", std::string("/v1/channels/") + kChannel, R"({"name":"alerts"})").status,
              201);
    ASSERT_EQ(Api("PUT", "/v1/channels/other", R"({"name":"other"})").status, 201);
    key_ = CreateHook(kChannel);
    other_key_ = CreateHook("other");
  }

  std::string CreateHook(const std::string& channel) {
    HttpReply r =
        Api("POST", "/v1/hooks/incoming",
            json::serialize(json::object{
                {"channel_id", channel}, {"display_name", "emakin"}, {"username", "Monitoring"}}));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? std::string(json::parse(r.body).at("id").as_string()) : "";
  }

  // POST /hooks/channels/{channel}/{key} with curl, as the seed's requests are sent.
  Reply Post(const std::string& channel, const std::string& key, const std::string& body) {
    const std::string url = broker_->rest_url() + "/hooks/channels/" + channel + "/" + key;
    CommandResult r = RunCommand(
        {"curl", "-sS", "--max-time", "20", "-X", "POST", "-H", "Content-Type: application/json",
         "-d", body, "-w", "\n%{http_code} %{content_type}", url},
        {}, "", 30s);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    Reply out;
    const std::size_t nl = r.out.rfind('\n');
    if (nl == std::string::npos) return out;
    out.body = r.out.substr(0, nl);
    const std::string tail = r.out.substr(nl + 1);
    out.status = std::atoi(tail.c_str());
    out.content_type = tail.substr(tail.find(' ') + 1);
    return out;
  }

  static json::object PostOf(const Reply& r) {
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.content_type.rfind("application/json", 0), 0u) << r.content_type;
    return r.status == 200 ? json::parse(r.body).as_object() : json::object{};
  }

  static void ExpectMattermostError(const Reply& r, int status) {
    EXPECT_EQ(r.status, status) << r.body;
    const json::object e = json::parse(r.body).as_object();
    EXPECT_EQ(e.at("status_code"), status);
    EXPECT_FALSE(e.at("id").as_string().empty());
    EXPECT_FALSE(e.at("message").as_string().empty());
  }

  std::string key_;
  std::string other_key_;
};

TEST_F(EmakinChannelHooksTest, SeedExamplesPostCasesOnceAndThreadTheUpdate) {
  auto [sub, secret] = Register("Group", kChannel, {"*"}, json::object{{"format", "raw"}});
  ASSERT_FALSE(sub.empty());

  const json::object basic = PostOf(Post(kChannel, key_, kBasic));
  EXPECT_EQ(basic.at("message"), "my message");
  EXPECT_EQ(basic.at("channel_id"), kChannel);
  EXPECT_EQ(basic.at("props").at("from_webhook"), "true");

  const json::object with_files = PostOf(Post(kChannel, key_, kAttachments));
  EXPECT_EQ(with_files.at("props").at("attachments").at(0).at("title"), "my file.txt");
  EXPECT_EQ(with_files.at("props").at("attachments").at(1).at("title_link"),
            "http://www.google.com");

  const json::object opened = PostOf(Post(kChannel, key_, kNewCase));
  EXPECT_EQ(opened.at("root_id"), "");
  const Reply repeat = Post(kChannel, key_, kNewCase);
  EXPECT_EQ(repeat.status, 200);
  EXPECT_EQ(repeat.body, "already reported");
  EXPECT_EQ(repeat.content_type.rfind("text/plain", 0), 0u) << repeat.content_type;

  const json::object update = PostOf(Post(kChannel, key_, kUpdate));
  EXPECT_EQ(update.at("root_id"), opened.at("id")) << "the update is a reply in the case's thread";
  EXPECT_EQ(Post(kChannel, key_, kUpdate).body, "already reported");

  // Four posts, four events: the repeats posted nothing.
  ASSERT_TRUE(receiver_->WaitForPosts(4, 15s));
  std::map<std::string, json::object> events;
  for (const auto& callback : receiver_->Posts()) {
    json::object e = json::parse(callback.body).as_object();
    events[std::string(e.at("eventId").as_string())] = e;
  }
  EXPECT_EQ(events.size(), 4u);
  const json::object& update_event = events.at(std::string(update.at("id").as_string()));
  EXPECT_EQ(update_event.at("eventType"), "TextMessageCreated");
  EXPECT_EQ(update_event.at("groupId"), kChannel);
  EXPECT_EQ(update_event.at("data").at("rootId"), opened.at("id"));
  EXPECT_EQ(update_event.at("data").at("props").at("emakin_case_id"), "event2");
}

TEST_F(EmakinChannelHooksTest, AttachmentOnlyMessageIsAnAttachmentCreatedWithMedia) {
  Register("Group", kChannel, {"AttachmentCreated"}, json::object{{"format", "raw"}});
  PostOf(Post(kChannel, key_,
              R"({"attachment":[{"@type":"file","displayName":"report","ext":"pdf",
                  "url":"https://files.example/r.pdf"}]})"));
  ASSERT_TRUE(receiver_->WaitForPosts(1, 10s));
  const json::object e = json::parse(receiver_->Posts().at(0).body).as_object();
  EXPECT_EQ(
      e.at("data").at("media"),
      json::parse(R"([{"mediaUrl":"https://files.example/r.pdf","mediaFileName":"report.pdf"}])"));
}

TEST_F(EmakinChannelHooksTest, ErrorsAreMattermostStyleWithTheirStatusCodes) {
  ExpectMattermostError(Post(kChannel, "no-such-key", kBasic), 400);
  ExpectMattermostError(Post(kChannel, other_key_, kBasic), 400);  // another channel's hook
  ExpectMattermostError(Post(kChannel, key_, "{\"text\": "), 400);
  ExpectMattermostError(Post(kChannel, key_, R"({"text":"x","references":["never"]})"), 404);
  // The same case id in another channel is another case.
  PostOf(Post(kChannel, key_, kNewCase));
  PostOf(Post("other", other_key_, kNewCase));
}

TEST_F(EmakinChannelHooksTest, LongCaseMessageIsTranslatedAndSplitIntoPostsInOrder) {
  Register("Group", kChannel, {"*"}, json::object{{"format", "raw"}});
  const std::string head = "see <https://x.test/r|the report> ";
  const std::string text = head + std::string(20000, 'a');
  const std::string markdown = "see [the report](https://x.test/r) " + std::string(20000, 'a');
  json::object body{{"id", "long"},
                    {"text", text},
                    {"attachments", json::parse(R"([{"@type":"link","url":"http://l.test",
                                                     "displayName":"page"}])")}};
  const json::object first = PostOf(Post(kChannel, key_, json::serialize(body)));
  EXPECT_EQ(first.at("root_id"), "");

  ASSERT_TRUE(receiver_->WaitForPosts(2, 15s));
  std::vector<json::object> events;
  for (const auto& callback : receiver_->Posts()) {
    events.push_back(json::parse(callback.body).as_object());
  }
  ASSERT_EQ(events.size(), 2u);
  // In the order posted: the first piece is the one answered, and it ends at the split.
  if (events[0].at("eventId") != first.at("id")) std::swap(events[0], events[1]);
  EXPECT_EQ(events[0].at("eventId"), first.at("id"));
  const std::string piece0(events[0].at("data").at("text").as_string());
  const std::string piece1(events[1].at("data").at("text").as_string());
  EXPECT_EQ(piece0 + piece1, markdown);
  EXPECT_EQ(piece0, markdown.substr(0, kMaxPostCodePoints)) << "no space in its second half";
  EXPECT_FALSE(events[0].at("data").at("props").as_object().contains("attachments"));
  EXPECT_EQ(events[1].at("data").at("props").at("attachments").at(0).at("title"), "page");
  EXPECT_EQ(Post(kChannel, key_, json::serialize(body)).body, "already reported");
}

}  // namespace
}  // namespace hookbroker::testing
