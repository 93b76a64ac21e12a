// The REST contract (docs/API.md) against the real daemon: API keys, registration with its
// validation handshake, listing and deletion in Kaizala's spellings, input validation with
// nothing stored on error, the SSRF policy on callback addresses, and query validation.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "proto/base64.h"
#include "proto/limits.h"
#include "tests/integration/broker_fixture.h"
#include "tests/support/raw_http.h"

namespace hookbroker::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

json::object ParseObject(const std::string& text) { return json::parse(text).as_object(); }

std::uint32_t Crc32(const std::string& data) {
  std::uint32_t crc = 0xffffffffu;
  for (unsigned char byte : data) {
    crc ^= byte;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// `data` (under 64 KiB) as a gzip stream with one stored (uncompressed) deflate block.
std::string Gzip(const std::string& data) {
  auto le = [](std::string& out, std::uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  std::string out("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
  out.push_back('\x01');  // final block, stored
  le(out, static_cast<std::uint32_t>(data.size()), 2);
  le(out, static_cast<std::uint32_t>(~data.size()) & 0xffff, 2);
  out += data;
  le(out, Crc32(data), 4);
  le(out, static_cast<std::uint32_t>(data.size()), 4);
  return out;
}

class RestApiTest : public BrokerFixture {
 protected:
  // A broker with the fixture's flags minus --callback-allow: loopback and private callback
  // addresses are refused.
  void StartBrokerWithoutCallbackAllow(std::vector<std::string> extra = {}) {
    std::vector<std::string> args;
    const std::vector<std::string> base = BaseArgs();
    for (std::size_t i = 0; i < base.size(); i += 2) {
      if (base[i] == "--callback-allow") continue;
      args.push_back(base[i]);
      args.push_back(base[i + 1]);
    }
    args.insert(args.end(), extra.begin(), extra.end());
    broker_ = std::make_unique<BrokerProcess>(args);
    ASSERT_TRUE(broker_->Start()) << broker_->Output();
  }

  json::object ValidBody(const std::string& object_id = "g-1") {
    return json::object{{"objectId", object_id},
                        {"objectType", "Group"},
                        {"eventTypes", json::array{"*"}},
                        {"callBackUrl", receiver_->BaseUrl() + "/hook"}};
  }

  HttpReply Post(const json::object& body) {
    return Api("POST", "/v1/webhook", json::serialize(body));
  }

  // Every webhook the broker lists, unfiltered.
  json::array ListAll() {
    HttpReply r = Api("GET", "/v1/webhook");
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return {};
    return ParseObject(r.body).at("webhooks").as_array();
  }

  // Asserts a JSON error reply {"error":{"code","message","field"}} with the given parts; an
  // empty `field` means the reply must not name one.
  void ExpectError(const HttpReply& r, int status, const std::string& code,
                   const std::string& field) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.headers.count("content-type") ? r.headers.at("content-type") : "",
              "application/json");
    json::value v;
    ASSERT_NO_THROW(v = json::parse(r.body)) << r.body;
    ASSERT_TRUE(v.is_object() && v.as_object().contains("error")) << r.body;
    const json::object& e = v.at("error").as_object();
    EXPECT_EQ(e.at("code").as_string(), code) << r.body;
    ASSERT_TRUE(e.contains("message")) << r.body;
    EXPECT_FALSE(e.at("message").as_string().empty());
    if (field.empty()) {
      EXPECT_FALSE(e.contains("field")) << r.body;
    } else {
      ASSERT_TRUE(e.contains("field")) << r.body;
      EXPECT_EQ(e.at("field").as_string(), field) << r.body;
    }
  }

  // Posts `body`, expects a 400 with `code` and `field`, and checks that nothing was stored.
  void ExpectRejected(const json::object& body, const std::string& code, const std::string& field) {
    SCOPED_TRACE(json::serialize(body));
    ExpectError(Post(body), 400, code, field);
    EXPECT_TRUE(ListAll().empty());
  }
};

// --- Authentication ------------------------------------------------------------------------

TEST_F(RestApiTest, HealthzAnswersWithoutKey) {
  StartBroker();
  HttpReply r = Api("GET", "/healthz", "", {});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(ParseObject(r.body).at("status").as_string(), "ok");
}

TEST_F(RestApiTest, V1CallsWithoutOrWithWrongKeyAre401WithJsonError) {
  StartBroker();
  ExpectError(Api("GET", "/v1/webhook", "", {}), 401, "unauthorized", "");
  ExpectError(Api("GET", "/v1/webhook", "", {{"accessToken", "wrong-key-0123456789"}}), 401,
              "unauthorized", "");
  ExpectError(Api("GET", "/v1/webhook", "", {{"Authorization", "Bearer wrong-key-0123456789"}}),
              401, "unauthorized", "");
  // The right key under another scheme is not a bearer token.
  ExpectError(Api("GET", "/v1/webhook", "", {{"Authorization", std::string("Basic ") + kApiKey}}),
              401, "unauthorized", "");
  ExpectError(Api("GET", "/v1/deliveries", "", {}), 401, "unauthorized", "");
  ExpectError(Api("GET", "/v1/webhook/some-id", "", {}), 401, "unauthorized", "");
  ExpectError(Api("DELETE", "/v1/webhook/some-id", "", {}), 401, "unauthorized", "");
  // Unknown routes under /v1 do not tell an unauthenticated caller what exists.
  ExpectError(Api("GET", "/v1/nothing-here", "", {}), 401, "unauthorized", "");
}

TEST_F(RestApiTest, RegistrationWithoutKeyIs401AndStoresNothing) {
  StartBroker();
  ExpectError(Api("POST", "/v1/webhook", json::serialize(ValidBody()), {}), 401, "unauthorized",
              "");
  EXPECT_TRUE(receiver_->Handshakes().empty());
  EXPECT_TRUE(ListAll().empty());
}

TEST_F(RestApiTest, BearerAndAccessTokenHeadersBothAccepted) {
  StartBroker();
  HttpReply bearer =
      Api("GET", "/v1/webhook", "", {{"Authorization", std::string("Bearer ") + kApiKey}});
  EXPECT_EQ(bearer.status, 200) << bearer.body;
  EXPECT_TRUE(ParseObject(bearer.body).at("webhooks").as_array().empty());
  HttpReply token = Api("GET", "/v1/webhook", "", {{"accessToken", kApiKey}});
  EXPECT_EQ(token.status, 200) << token.body;
}

TEST_F(RestApiTest, UnknownRouteWithKeyIs404Json) {
  StartBroker();
  ExpectError(Api("GET", "/v1/nothing-here"), 404, "not_found", "");
}

// --- Registration, listing, deletion ---------------------------------------------------------

TEST_F(RestApiTest, RegisterAnswersIdAndWhsecSecretAfterValidationHandshake) {
  StartBroker();
  HttpReply r = Post(ValidBody());
  ASSERT_EQ(r.status, 200) << r.body;
  const json::object reply = ParseObject(r.body);
  const std::string id(reply.at("webhookId").as_string());
  const std::string secret(reply.at("secret").as_string());
  EXPECT_FALSE(id.empty());
  EXPECT_EQ(secret.rfind("whsec_", 0), 0u) << secret;
  auto handshakes = receiver_->Handshakes();
  ASSERT_EQ(handshakes.size(), 1u);
  EXPECT_EQ(handshakes[0].method, "GET");
  EXPECT_EQ(handshakes[0].path, "/hook");
  EXPECT_FALSE(handshakes[0].query["validationToken"].empty());
  // Two registrations get distinct ids and secrets.
  HttpReply again = Post(ValidBody());
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_NE(ParseObject(again.body).at("webhookId").as_string(), id);
  EXPECT_NE(ParseObject(again.body).at("secret").as_string(), secret);
}

TEST_F(RestApiTest, ListAndGetUseKaizalaReplySpellingsWithoutSecrets) {
  StartBroker();
  const std::int64_t validity = 4102444800000;  // 2100-01-01
  json::object body = ValidBody("grp-list");
  body["eventTypes"] = json::array{"TextMessageCreated", "SurveyResponse"};
  body["callBackToken"] = "kz-token-1";
  body["callBackContext"] = "ctx-1";
  body["validity"] = validity;
  body["auth"] = json::object{{"username", "svc"}, {"password", "pw-never-shown"}};
  HttpReply created = Post(body);
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string id(ParseObject(created.body).at("webhookId").as_string());
  const std::string secret(ParseObject(created.body).at("secret").as_string());

  HttpReply list = Api("GET", "/v1/webhook?objectId=grp-list&objectType=Group");
  ASSERT_EQ(list.status, 200) << list.body;
  const json::array hooks = ParseObject(list.body).at("webhooks").as_array();
  ASSERT_EQ(hooks.size(), 1u);
  const json::object& h = hooks[0].as_object();
  EXPECT_EQ(h.at("id").as_string(), id);
  EXPECT_EQ(h.at("objectId").as_string(), "grp-list");
  EXPECT_EQ(h.at("objectType").as_string(), "Group");
  EXPECT_EQ(h.at("events"), (json::array{"TextMessageCreated", "SurveyResponse"}));
  EXPECT_EQ(h.at("callbackUrl").as_string(), receiver_->BaseUrl() + "/hook");
  EXPECT_EQ(h.at("callbackToken").as_string(), "kz-token-1");
  EXPECT_EQ(h.at("callbackContext").as_string(), "ctx-1");
  EXPECT_EQ(h.at("validity").to_number<std::int64_t>(), validity);
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  EXPECT_NEAR(static_cast<double>(h.at("ts").to_number<std::int64_t>()),
              static_cast<double>(now_ms), 60000.0);
  EXPECT_EQ(h.at("auth").at("type").as_string(), "basic");
  EXPECT_EQ(h.at("auth").at("username").as_string(), "svc");
  EXPECT_FALSE(h.at("auth").as_object().contains("password"));
  // Request spellings are not echoed; secrets never are.
  EXPECT_FALSE(h.contains("callBackUrl"));
  EXPECT_FALSE(h.contains("eventTypes"));
  EXPECT_FALSE(h.contains("secret"));
  EXPECT_EQ(list.body.find("pw-never-shown"), std::string::npos) << list.body;
  EXPECT_EQ(list.body.find(secret), std::string::npos) << list.body;
  EXPECT_EQ(list.body.find(secret.substr(6)), std::string::npos) << list.body;

  HttpReply one = Api("GET", "/v1/webhook/" + id);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(json::parse(one.body), hooks[0]);
  EXPECT_EQ(one.body.find("pw-never-shown"), std::string::npos);
  EXPECT_EQ(one.body.find(secret.substr(6)), std::string::npos);
}

TEST_F(RestApiTest, TokenAuthIsNeverShownInReplies) {
  StartBroker();
  json::object body = ValidBody("grp-tok");
  body["auth"] = json::object{{"token", "token-never-shown"}, {"header", "Authentication"}};
  HttpReply created = Post(body);
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string id(ParseObject(created.body).at("webhookId").as_string());
  HttpReply one = Api("GET", "/v1/webhook/" + id);
  ASSERT_EQ(one.status, 200) << one.body;
  const json::object h = ParseObject(one.body);
  EXPECT_EQ(h.at("auth").at("type").as_string(), "token");
  EXPECT_EQ(h.at("auth").at("header").as_string(), "Authentication");
  EXPECT_EQ(one.body.find("token-never-shown"), std::string::npos) << one.body;
  EXPECT_EQ(one.body.find(Base64Encode("token-never-shown")), std::string::npos) << one.body;
  HttpReply list = Api("GET", "/v1/webhook");
  EXPECT_EQ(list.body.find("token-never-shown"), std::string::npos) << list.body;
}

TEST_F(RestApiTest, GivenSecretIsKept) {
  StartBroker();
  json::object body = ValidBody();
  const std::string secret = "whsec_" + Base64Encode(std::string(32, 'k'));
  body["secret"] = secret;
  HttpReply r = Post(body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(ParseObject(r.body).at("secret").as_string(), secret);
}

TEST_F(RestApiTest, ListFiltersByObjectIdAndObjectType) {
  StartBroker();
  json::object a = ValidBody("shared-id");
  json::object b = ValidBody("shared-id");
  b["objectType"] = "Action";
  json::object c = ValidBody("other-id");
  c["objectType"] = "ActionPackage";
  const std::string id_a(ParseObject(Post(a).body).at("webhookId").as_string());
  const std::string id_b(ParseObject(Post(b).body).at("webhookId").as_string());
  const std::string id_c(ParseObject(Post(c).body).at("webhookId").as_string());

  auto ids = [&](const std::string& query) {
    HttpReply r = Api("GET", "/v1/webhook" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    std::set<std::string> out;
    const json::object reply = ParseObject(r.body);
    for (const auto& h : reply.at("webhooks").as_array()) {
      out.insert(std::string(h.at("id").as_string()));
    }
    return out;
  };
  EXPECT_EQ(ids("?objectId=shared-id&objectType=Group"), std::set<std::string>{id_a});
  EXPECT_EQ(ids("?objectId=shared-id&objectType=Action"), std::set<std::string>{id_b});
  EXPECT_EQ(ids("?objectId=shared-id"), (std::set<std::string>{id_a, id_b}));
  EXPECT_EQ(ids("?objectType=ActionPackage"), std::set<std::string>{id_c});
  EXPECT_EQ(ids("?objectId=nobody&objectType=Group"), std::set<std::string>{});
  EXPECT_EQ(ids(""), (std::set<std::string>{id_a, id_b, id_c}));
}

TEST_F(RestApiTest, ListWithBadQueryIs400NamingTheParameter) {
  StartBroker();
  ExpectError(Api("GET", "/v1/webhook?objectType=Channel"), 400, "invalid_field", "objectType");
  ExpectError(Api("GET", "/v1/webhook?objectId="), 400, "invalid_field", "objectId");
  ExpectError(Api("GET", "/v1/webhook?limit=0"), 400, "invalid_field", "limit");
}

TEST_F(RestApiTest, DeleteRemovesWebhookAndSecondDeleteIs404) {
  StartBroker();
  auto [id, secret] = Register("Group", "g-del");
  ASSERT_FALSE(id.empty());
  auto [keep, keep_secret] = Register("Group", "g-keep");
  ASSERT_FALSE(keep.empty());

  HttpReply del = Api("DELETE", "/v1/webhook/" + id);
  ASSERT_EQ(del.status, 200) << del.body;
  const json::object reply = ParseObject(del.body);
  EXPECT_EQ(reply.at("webhookId").as_string(), id);
  EXPECT_EQ(reply.at("deleted"), json::value(true));

  ExpectError(Api("GET", "/v1/webhook/" + id), 404, "not_found", "webhookId");
  ExpectError(Api("DELETE", "/v1/webhook/" + id), 404, "not_found", "webhookId");
  const json::array left = ListAll();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].at("id").as_string(), keep);
  // A deleted webhook no longer matches events.
  json::value published = Publish(json::object{{"eventType", "MemberAdded"}, {"groupId", "g-del"}});
  EXPECT_EQ(published.at("results").at(0).at("deliveries").as_int64(), 0);
}

TEST_F(RestApiTest, UnknownWebhookIdIs404) {
  StartBroker();
  ExpectError(Api("GET", "/v1/webhook/no-such-webhook"), 404, "not_found", "webhookId");
  ExpectError(Api("DELETE", "/v1/webhook/no-such-webhook"), 404, "not_found", "webhookId");
}

// --- Bad input: 4xx, named field, nothing stored -----------------------------------------------

TEST_F(RestApiTest, MalformedJsonIs400InvalidJsonAndStoresNothing) {
  StartBroker();
  for (const std::string body : {"{not json", "", "{\"objectId\":\"g\",", "[1,2]", "\"text\""}) {
    SCOPED_TRACE(body);
    ExpectError(Api("POST", "/v1/webhook", body), 400, "invalid_json", "");
  }
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "{\"a\":";
  deep += "1";
  for (int i = 0; i < 100; ++i) deep += "}";
  ExpectError(Api("POST", "/v1/webhook", deep), 400, "invalid_json", "");
  EXPECT_TRUE(receiver_->Handshakes().empty());
  EXPECT_TRUE(ListAll().empty());
}

TEST_F(RestApiTest, UnknownObjectTypeIs400NamingObjectType) {
  StartBroker();
  json::object body = ValidBody();
  body["objectType"] = "Channel";
  ExpectRejected(body, "invalid_field", "objectType");
  body["objectType"] = "group";  // case matters
  ExpectRejected(body, "invalid_field", "objectType");
  body["objectType"] = 1;
  ExpectRejected(body, "invalid_field", "objectType");
  body.erase("objectType");
  ExpectRejected(body, "missing_field", "objectType");
}

TEST_F(RestApiTest, EmptyOrBadEventTypesIs400NamingEventTypes) {
  StartBroker();
  json::object body = ValidBody();
  body["eventTypes"] = json::array{};
  ExpectRejected(body, "invalid_field", "eventTypes");
  body["eventTypes"] = "*";
  ExpectRejected(body, "invalid_field", "eventTypes");
  body["eventTypes"] = json::array{"9starts-with-digit"};
  ExpectRejected(body, "invalid_field", "eventTypes");
  body["eventTypes"] = json::array{"*", "MemberAdded"};
  ExpectRejected(body, "invalid_field", "eventTypes");
  body.erase("eventTypes");
  ExpectRejected(body, "missing_field", "eventTypes");
}

TEST_F(RestApiTest, MissingOrBadObjectIdIs400NamingObjectId) {
  StartBroker();
  json::object body = ValidBody();
  body["objectId"] = "";
  ExpectRejected(body, "invalid_field", "objectId");
  body["objectId"] = std::string(257, 'x');
  ExpectRejected(body, "invalid_field", "objectId");
  body.erase("objectId");
  ExpectRejected(body, "missing_field", "objectId");
}

TEST_F(RestApiTest, ObjectIdWithControlCharacterIs400AndCannotCaptureOtherObjectsEvents) {
  StartBroker();
  json::object body = ValidBody();
  body["objectId"] = std::string("g-1\0other", 10);
  ExpectRejected(body, "invalid_field", "objectId");
  body["objectId"] = "g-1\nother";
  ExpectRejected(body, "invalid_field", "objectId");
  // Had it been stored, this event of object "g-1" would have matched it.
  json::value published = Publish(json::object{{"eventType", "MemberAdded"}, {"groupId", "g-1"}});
  EXPECT_EQ(published.at("results").at(0).at("deliveries").as_int64(), 0);
}

TEST_F(RestApiTest, BadCallbackUrlIs400NamingCallBackUrl) {
  StartBroker();
  const std::string port = std::to_string(receiver_->port());
  for (const std::string& url : std::vector<std::string>{
           "not a url", "ftp://127.0.0.1/hook", "https://", "/relative/path",
           "https://user:pw@127.0.0.1:" + port + "/hook", "https://127.1:" + port + "/hook",
           "https://127.0.0.1:99999/hook", "https://[::1/hook"}) {
    json::object body = ValidBody();
    body["callBackUrl"] = url;
    ExpectRejected(body, "invalid_field", "callBackUrl");
  }
  json::object body = ValidBody();
  body["callBackUrl"] = 42;
  ExpectRejected(body, "invalid_field", "callBackUrl");
  body.erase("callBackUrl");
  ExpectRejected(body, "missing_field", "callBackUrl");
  EXPECT_TRUE(receiver_->Handshakes().empty());
}

TEST_F(RestApiTest, HttpCallbackRefusedWithoutFlag) {
  StartBroker();
  subscribers::ReferenceReceiver plain;  // plain http on loopback
  ASSERT_TRUE(plain.Start().ok());
  json::object body = ValidBody();
  body["callBackUrl"] = plain.BaseUrl() + "/hook";
  ASSERT_EQ(plain.BaseUrl().rfind("http://", 0), 0u);
  ExpectRejected(body, "invalid_field", "callBackUrl");
  EXPECT_TRUE(plain.Handshakes().empty());
}

TEST_F(RestApiTest, HttpCallbackAcceptedWithAllowHttpCallbacks) {
  StartBroker({"--allow-http-callbacks"});
  subscribers::ReferenceReceiver plain;
  ASSERT_TRUE(plain.Start().ok());
  json::object body = ValidBody();
  body["callBackUrl"] = plain.BaseUrl() + "/hook";
  HttpReply r = Post(body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(plain.Handshakes().size(), 1u);
  ASSERT_EQ(ListAll().size(), 1u);
}

TEST_F(RestApiTest, OversizedBodyIs413AndStoresNothing) {
  StartBroker();
  json::object body = ValidBody();
  body["callBackContext"] = "c";
  body["padding"] = std::string(64 * 1024, 'p');  // unknown fields are ignored, but count
  const std::string text = json::serialize(body);
  ASSERT_GT(text.size(), 64u * 1024);
  HttpReply r = Api("POST", "/v1/webhook", text);
  ExpectError(r, 413, "payload_too_large", "");
  EXPECT_TRUE(receiver_->Handshakes().empty());
  EXPECT_TRUE(ListAll().empty());
}

TEST_F(RestApiTest, ChunkedBodyIs411AndStoresNothing) {
  StartBroker({"--no-validation-handshake"});
  json::object body = ValidBody();
  body["padding"] = std::string(100 * 1024, 'p');
  const std::string text = json::serialize(body);
  std::string request =
      "POST /v1/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\naccessToken: " + std::string(kApiKey) +
      "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (std::size_t i = 0; i < text.size(); i += 8192) {
    const std::string chunk = text.substr(i, 8192);
    std::ostringstream size;
    size << std::hex << chunk.size();
    request += size.str() + "\r\n" + chunk + "\r\n";
  }
  request += "0\r\n\r\n";
  ExpectError(RawHttp(broker_->rest_url(), request), 411, "length_required", "");
  EXPECT_TRUE(ListAll().empty());
  // On any path, before the key is checked: the body is never read.
  ExpectError(RawHttp(broker_->rest_url(),
                      "POST /anything HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: "
                      "chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
              411, "length_required", "");
}

TEST_F(RestApiTest, BodyWithoutContentLengthIs411AndStoresNothing) {
  StartBroker({"--no-validation-handshake"});
  const std::string request =
      "POST /v1/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\naccessToken: " + std::string(kApiKey) +
      "\r\nContent-Type: application/json\r\n\r\n" + json::serialize(ValidBody());
  // Answered at once, without waiting for a body end that never comes.
  ExpectError(RawHttp(broker_->rest_url(), request), 411, "length_required", "");
  // A body ended by closing the sending side is not read either (the server sees the client gone
  // and may not answer at all).
  RawHttp(broker_->rest_url(), request, /*half_close=*/true);
  EXPECT_TRUE(ListAll().empty());
}

TEST_F(RestApiTest, CompressedBodyIs415AndStoresNothing) {
  // The server would inflate it past the 64 KiB limit, which applies before decoding.
  StartBroker();
  const std::string gz = Gzip(json::serialize(ValidBody()));
  ExpectError(
      Api("POST", "/v1/webhook", gz, {{"accessToken", kApiKey}, {"Content-Encoding", "gzip"}}), 415,
      "unsupported_encoding", "");
  EXPECT_TRUE(receiver_->Handshakes().empty());
  EXPECT_TRUE(ListAll().empty());
}

TEST_F(RestApiTest, BodyJustUnderTheLimitIsAccepted) {
  StartBroker();
  json::object body = ValidBody();
  body["padding"] = "";
  const std::size_t base = json::serialize(body).size();
  body["padding"] = std::string(64 * 1024 - base, 'p');
  ASSERT_EQ(json::serialize(body).size(), 64u * 1024);
  HttpReply r = Post(body);
  EXPECT_EQ(r.status, 200) << r.body;
}

// `depth` levels of JSON: the body object, then arrays inside its "nested" field.
json::object NestedTo(json::object body, std::size_t depth) {
  json::value nested = json::array{};
  for (std::size_t level = 3; level <= depth; ++level) nested = json::array{std::move(nested)};
  body["nested"] = std::move(nested);
  return body;
}

TEST_F(RestApiTest, BodyNestedDeeperThanTheLimitIs400AtTheLimitAccepted) {
  StartBroker({"--no-validation-handshake"});
  ExpectRejected(NestedTo(ValidBody(), limits::kMaxJsonDepth + 1), "invalid_json", "");
  HttpReply r = Post(NestedTo(ValidBody(), limits::kMaxJsonDepth));
  EXPECT_EQ(r.status, 200) << r.body;
  // A PATCH body is parsed the same way.
  const std::string id(ParseObject(r.body).at("webhookId").as_string());
  ExpectError(Api("PATCH", "/v1/webhook/" + id,
                  json::serialize(NestedTo({{"paused", true}}, limits::kMaxJsonDepth + 1))),
              400, "invalid_json", "");
  // Unknown fields make a PATCH fail, so the deepest accepted body is an array of the same depth.
  ExpectError(Api("PATCH", "/v1/webhook/" + id,
                  json::serialize(NestedTo({{"paused", true}}, limits::kMaxJsonDepth))),
              400, "invalid_field", "nested");
}

// A GET of /healthz whose request line, or one header line, is `size` bytes with its CRLF.
std::string RequestWithLine(bool header, std::size_t size) {
  if (!header) {
    const std::string head = "GET /healthz?pad=";
    const std::string tail = " HTTP/1.1\r\n";
    return head + std::string(size - head.size() - tail.size(), 'p') + tail +
           "Host: 127.0.0.1\r\n\r\n";
  }
  const std::string name = "X-Pad: ";
  return "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" + name +
         std::string(size - name.size() - 2, 'p') + "\r\n\r\n";
}

TEST_F(RestApiTest, RequestLineOverTheLimitIs414AtTheLimitServed) {
  StartBroker();
  EXPECT_EQ(RawHttp(broker_->rest_url(), RequestWithLine(false, limits::kMaxHttpLineBytes)).status,
            200);
  ExpectError(RawHttp(broker_->rest_url(), RequestWithLine(false, limits::kMaxHttpLineBytes + 1)),
              414, "uri_too_long", "");
}

TEST_F(RestApiTest, HeaderLineOverTheLimitIs400AtTheLimitServed) {
  StartBroker();
  EXPECT_EQ(RawHttp(broker_->rest_url(), RequestWithLine(true, limits::kMaxHttpLineBytes)).status,
            200);
  ExpectError(RawHttp(broker_->rest_url(), RequestWithLine(true, limits::kMaxHttpLineBytes + 1)),
              400, "bad_request", "");
  EXPECT_EQ(Api("GET", "/healthz").status, 200);
}

TEST_F(RestApiTest, OtherBadFieldsAre400NamingTheField) {
  StartBroker();
  json::object body = ValidBody();
  body["validity"] = 1000;  // long past
  ExpectRejected(body, "invalid_field", "validity");
  body["validity"] = "tomorrow";
  ExpectRejected(body, "invalid_field", "validity");

  body = ValidBody();
  body["callBackToken"] = 7;
  ExpectRejected(body, "invalid_field", "callBackToken");
  body = ValidBody();
  body["callBackContext"] = json::object{};
  ExpectRejected(body, "invalid_field", "callBackContext");

  body = ValidBody();
  body["auth"] = json::object{{"username", "u"}, {"password", "p"}, {"token", "t"}};
  ExpectRejected(body, "invalid_field", "auth");
  body["auth"] = json::object{{"password", "p"}};
  ExpectRejected(body, "missing_field", "auth.username");
  body["auth"] = json::object{{"token", "t"}, {"header", "Content-Type"}};
  ExpectRejected(body, "invalid_field", "auth.header");

  body = ValidBody();
  body["secret"] = "not-a-secret";
  ExpectRejected(body, "invalid_secret", "secret");
  body["secret"] = "whsec_" + Base64Encode("too short");
  ExpectRejected(body, "invalid_secret", "secret");
  EXPECT_TRUE(receiver_->Handshakes().empty());
}

// --- Validation handshake ----------------------------------------------------------------------

TEST_F(RestApiTest, HandshakeWithWrongBodyIs400AndStoresNothing) {
  StartBroker();
  receiver_->SetHandshakeMode(subscribers::HandshakeMode::kWrongBody);
  ExpectRejected(ValidBody(), "validation_failed", "callBackUrl");
  EXPECT_EQ(receiver_->Handshakes().size(), 1u);
}

TEST_F(RestApiTest, HandshakeWithErrorStatusIs400AndStoresNothing) {
  StartBroker();
  receiver_->SetHandshakeMode(subscribers::HandshakeMode::kError);
  ExpectRejected(ValidBody(), "validation_failed", "callBackUrl");
}

TEST_F(RestApiTest, HandshakeToUnreachableCallbackIs400) {
  StartBroker();
  const int port = receiver_->port();
  receiver_->Stop();
  json::object body = ValidBody();
  body["callBackUrl"] = "https://127.0.0.1:" + std::to_string(port) + "/hook";
  ExpectRejected(body, "validation_failed", "callBackUrl");
}

TEST_F(RestApiTest, HandshakeSlowerThanFiveSecondsIs400) {
  StartBroker();
  receiver_->SetHandshakeMode(subscribers::HandshakeMode::kSlow);
  const auto start = std::chrono::steady_clock::now();
  HttpReply r = Post(ValidBody());
  const auto took = std::chrono::steady_clock::now() - start;
  ExpectError(r, 400, "validation_failed", "callBackUrl");
  EXPECT_GE(took, 4500ms);
  EXPECT_LT(took, 6900ms);  // the receiver would have echoed correctly at 7 s
  EXPECT_TRUE(ListAll().empty());
}

TEST_F(RestApiTest, NoValidationHandshakeFlagSkipsHandshake) {
  StartBroker({"--no-validation-handshake"});
  receiver_->SetHandshakeMode(subscribers::HandshakeMode::kError);
  HttpReply r = Post(ValidBody());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(receiver_->Handshakes().empty());
  EXPECT_EQ(ListAll().size(), 1u);
}

// --- SSRF -------------------------------------------------------------------------------------

TEST_F(RestApiTest, LoopbackCallbackRefusedWithoutCallbackAllow) {
  StartBrokerWithoutCallbackAllow();
  ExpectRejected(ValidBody(), "callback_forbidden", "callBackUrl");
  EXPECT_TRUE(receiver_->Handshakes().empty());
}

TEST_F(RestApiTest, LocalhostHostnameRefusedByResolvedAddress) {
  StartBrokerWithoutCallbackAllow();
  json::object body = ValidBody();
  body["callBackUrl"] = "https://localhost:" + std::to_string(receiver_->port()) + "/hook";
  ExpectRejected(body, "callback_forbidden", "callBackUrl");
  EXPECT_TRUE(receiver_->Handshakes().empty());
}

TEST_F(RestApiTest, PrivateLinkLocalAndMetadataAddressesRefused) {
  StartBrokerWithoutCallbackAllow();
  for (const std::string host :
       {"127.0.0.1", "127.9.9.9", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.1.1",
        "169.254.169.254", "100.100.100.200", "100.64.0.1", "0.0.0.0", "[::1]", "[fe80::1]",
        "[fd00::1]", "[fd00:ec2::254]", "[::ffff:127.0.0.1]", "[::ffff:169.254.169.254]", "[::]"}) {
    json::object body = ValidBody();
    body["callBackUrl"] = "https://" + host + "/hook";
    ExpectRejected(body, "callback_forbidden", "callBackUrl");
  }
}

TEST_F(RestApiTest, CallbackAllowAdmitsOnlyItsRange) {
  // The fixture's --callback-allow 127.0.0.0/8 admits loopback IPv4 and localhost...
  StartBroker();
  json::object body = ValidBody("via-localhost");
  body["callBackUrl"] = "https://localhost:" + std::to_string(receiver_->port()) + "/hook";
  HttpReply r = Post(body);
  EXPECT_EQ(r.status, 200) << r.body;
  // ...but not other refused ranges.
  for (const std::string host : {"10.0.0.1", "169.254.169.254", "[fe80::1]", "192.168.0.1"}) {
    json::object other = ValidBody("other");
    other["callBackUrl"] = "https://" + host + "/hook";
    SCOPED_TRACE(host);
    ExpectError(Post(other), 400, "callback_forbidden", "callBackUrl");
  }
  EXPECT_EQ(ListAll().size(), 1u);
}

// --- Delivery queries ----------------------------------------------------------------------

TEST_F(RestApiTest, DeliveriesWithBadQueryIs400NamingTheParameter) {
  StartBroker();
  ExpectError(Api("GET", "/v1/deliveries?status=done"), 400, "invalid_field", "status");
  ExpectError(Api("GET", "/v1/deliveries?status="), 400, "invalid_field", "status");
  for (const std::string limit : {"0", "1001", "abc", "5x", "-1", ""}) {
    SCOPED_TRACE(limit);
    ExpectError(Api("GET", "/v1/deliveries?limit=" + limit), 400, "invalid_field", "limit");
  }
  for (const std::string cursor : {"abc", "0", "-5", "12x", ""}) {
    SCOPED_TRACE(cursor);
    ExpectError(Api("GET", "/v1/deliveries?cursor=" + cursor), 400, "invalid_field", "cursor");
  }
  // Good values pass.
  for (const std::string query : {"?status=pending", "?status=delivered", "?status=failed",
                                  "?limit=1", "?limit=1000", "?cursor=123"}) {
    SCOPED_TRACE(query);
    HttpReply r = Api("GET", "/v1/deliveries" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_TRUE(ParseObject(r.body).at("deliveries").is_array());
  }
}

TEST_F(RestApiTest, UnknownDeliveryIdIs404) {
  StartBroker();
  ExpectError(Api("GET", "/v1/deliveries/999999"), 404, "not_found", "deliveryId");
}

}  // namespace
}  // namespace hookbroker::testing
