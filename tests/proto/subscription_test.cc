#include "proto/subscription.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "proto/limits.h"

namespace hookbroker {
namespace {

constexpr std::int64_t kNow = 1700000000000;
constexpr std::string_view kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

boost::json::object Minimal() {
  return boost::json::object{{"objectId", "group-1"},
                             {"objectType", "Group"},
                             {"eventTypes", boost::json::array{"TextMessageCreated"}},
                             {"callBackUrl", "https://example.com/hook"}};
}

Result<Subscription> Parse(const boost::json::value& body, bool allow_http = false) {
  return ParseSubscriptionRequest(body, RequestPolicy{allow_http}, kNow);
}

Result<Subscription> ParseWith(std::string_view key, boost::json::value value) {
  boost::json::object body = Minimal();
  body[key] = std::move(value);
  return Parse(body);
}

Result<Subscription> ParseWithout(std::string_view key) {
  boost::json::object body = Minimal();
  body.erase(key);
  return Parse(body);
}

void ExpectError(const Result<Subscription>& sub, std::string_view code, std::string_view field) {
  ASSERT_FALSE(sub.ok()) << field;
  EXPECT_EQ(sub.error().code, code) << sub.error().message;
  EXPECT_EQ(sub.error().field, field) << sub.error().message;
  EXPECT_FALSE(sub.error().message.empty());
}

void ExpectInvalid(const Result<Subscription>& sub, std::string_view field) {
  ExpectError(sub, "invalid_field", field);
}

Subscription FullSubscription() {
  Subscription sub;
  sub.id = SubscriptionId("3f1c8a52-0000-4000-8000-000000000001");
  sub.object_id = "pkg-9";
  sub.object_type = ObjectType::kActionPackage;
  sub.event_types = {"ActionResponse", "SurveyResponse"};
  sub.callback_url = "https://example.com/cb?x=1";
  sub.callback_token = "tok\"en";
  sub.callback_context = "ctx";
  sub.validity_ms = kNow + 1000;
  sub.created_ms = kNow;
  sub.auth.kind = CallbackAuth::Kind::kBasic;
  sub.auth.username = "ann";
  sub.auth.password = "s3cret";
  sub.auth.header = "X-Auth";
  sub.secret = std::string(kSecret);
  sub.deleted = true;
  sub.deleted_ms = kNow + 5;
  return sub;
}

void ExpectSameSubscription(const Subscription& a, const Subscription& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.object_id, b.object_id);
  EXPECT_EQ(a.object_type, b.object_type);
  EXPECT_EQ(a.event_types, b.event_types);
  EXPECT_EQ(a.callback_url, b.callback_url);
  EXPECT_EQ(a.callback_token, b.callback_token);
  EXPECT_EQ(a.callback_context, b.callback_context);
  EXPECT_EQ(a.validity_ms, b.validity_ms);
  EXPECT_EQ(a.created_ms, b.created_ms);
  EXPECT_EQ(a.auth.kind, b.auth.kind);
  EXPECT_EQ(a.auth.username, b.auth.username);
  EXPECT_EQ(a.auth.password, b.auth.password);
  EXPECT_EQ(a.auth.token, b.auth.token);
  EXPECT_EQ(a.auth.header, b.auth.header);
  EXPECT_EQ(a.secret, b.secret);
  EXPECT_EQ(a.deleted, b.deleted);
  EXPECT_EQ(a.deleted_ms, b.deleted_ms);
  EXPECT_EQ(a.format, b.format);
  EXPECT_EQ(a.content_type, b.content_type);
}

TEST(SubscriptionTest, ObjectTypeNamesAreExactCase) {
  EXPECT_EQ(ParseObjectType("Group"), ObjectType::kGroup);
  EXPECT_EQ(ParseObjectType("ActionPackage"), ObjectType::kActionPackage);
  EXPECT_EQ(ParseObjectType("Action"), ObjectType::kAction);
  EXPECT_EQ(ParseObjectType("group"), std::nullopt);
  EXPECT_EQ(ParseObjectType("ACTION"), std::nullopt);
  EXPECT_EQ(ParseObjectType(""), std::nullopt);
  EXPECT_EQ(ToString(ObjectType::kGroup), "Group");
  EXPECT_EQ(ToString(ObjectType::kActionPackage), "ActionPackage");
  EXPECT_EQ(ToString(ObjectType::kAction), "Action");
}

TEST(SubscriptionTest, ParsesMinimalRequestWithDefaults) {
  Result<Subscription> sub = Parse(Minimal());
  ASSERT_TRUE(sub.ok()) << sub.error().message;
  EXPECT_TRUE(sub->id.value().empty());
  EXPECT_EQ(sub->object_id, "group-1");
  EXPECT_EQ(sub->object_type, ObjectType::kGroup);
  EXPECT_EQ(sub->event_types, std::vector<std::string>{"TextMessageCreated"});
  EXPECT_EQ(sub->callback_url, "https://example.com/hook");
  EXPECT_EQ(sub->validity_ms, kNow + kDefaultValidityMs);
  EXPECT_EQ(sub->created_ms, kNow);
  EXPECT_EQ(sub->auth.kind, CallbackAuth::Kind::kNone);
  EXPECT_TRUE(sub->secret.empty());
  EXPECT_TRUE(sub->callback_token.empty());
  EXPECT_TRUE(sub->callback_context.empty());
  EXPECT_FALSE(sub->deleted);
}

TEST(SubscriptionTest, ParsesFullKaizalaRequest) {
  const boost::json::value body = boost::json::parse(R"({
    "objectId": "pkg-1", "objectType": "ActionPackage",
    "eventTypes": ["ActionResponse", "SurveyResponse"],
    "callBackUrl": "https://example.com/cb", "callBackToken": "tok",
    "callBackContext": "my context", "validity": 1800000000000,
    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "somethingElse": 1})");
  Result<Subscription> sub = Parse(body);
  ASSERT_TRUE(sub.ok()) << sub.error().message;
  EXPECT_EQ(sub->object_type, ObjectType::kActionPackage);
  EXPECT_EQ(sub->event_types, (std::vector<std::string>{"ActionResponse", "SurveyResponse"}));
  EXPECT_EQ(sub->callback_token, "tok");
  EXPECT_EQ(sub->callback_context, "my context");
  EXPECT_EQ(sub->validity_ms, 1800000000000);
  EXPECT_EQ(sub->secret, kSecret);
}

TEST(SubscriptionTest, RejectsNonObjectBody) {
  for (const char* text : {"[]", "\"x\"", "null", "3"}) {
    ExpectError(Parse(boost::json::parse(text)), "invalid_json", "");
  }
}

TEST(SubscriptionTest, RequiresEachMandatoryField) {
  for (std::string_view key : {"objectId", "objectType", "eventTypes", "callBackUrl"}) {
    ExpectError(ParseWithout(key), "missing_field", key);
  }
}

TEST(SubscriptionTest, ValidatesObjectId) {
  ExpectInvalid(ParseWith("objectId", ""), "objectId");
  ExpectInvalid(ParseWith("objectId", 12), "objectId");
  ExpectInvalid(ParseWith("objectId", boost::json::string(257, 'o')), "objectId");
  EXPECT_TRUE(ParseWith("objectId", boost::json::string(256, 'o')).ok());
}

TEST(SubscriptionTest, ValidatesObjectTypeAndListsAllowedValues) {
  for (boost::json::value bad :
       {boost::json::value("group"), boost::json::value("Chat"), boost::json::value(1)}) {
    Result<Subscription> sub = ParseWith("objectType", bad);
    ExpectInvalid(sub, "objectType");
    EXPECT_NE(sub.error().message.find("Group, ActionPackage, Action"), std::string::npos);
  }
  EXPECT_EQ(ParseWith("objectType", "Action")->object_type, ObjectType::kAction);
}

TEST(SubscriptionTest, ValidatesEventTypes) {
  ExpectInvalid(ParseWith("eventTypes", boost::json::array{}), "eventTypes");
  ExpectInvalid(ParseWith("eventTypes", "TextMessageCreated"), "eventTypes");
  ExpectInvalid(ParseWith("eventTypes", boost::json::array{"bad type"}), "eventTypes");
  ExpectInvalid(ParseWith("eventTypes", boost::json::array{1}), "eventTypes");
  boost::json::array too_many;
  for (std::size_t i = 0; i <= limits::kMaxEventTypesPerSubscription; ++i) {
    too_many.emplace_back("T" + std::to_string(i));
  }
  ExpectInvalid(ParseWith("eventTypes", too_many), "eventTypes");
  too_many.pop_back();
  EXPECT_TRUE(ParseWith("eventTypes", too_many).ok());
}

TEST(SubscriptionTest, AcceptsWildcardOnlyAlone) {
  Result<Subscription> sub = ParseWith("eventTypes", boost::json::array{"*"});
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(sub->event_types, std::vector<std::string>{"*"});
  ExpectInvalid(ParseWith("eventTypes", boost::json::array{"*", "MemberAdded"}), "eventTypes");
}

TEST(SubscriptionTest, RemovesDuplicateEventTypesKeepingOrder) {
  Result<Subscription> sub =
      ParseWith("eventTypes", boost::json::array{"MemberAdded", "custom.x", "MemberAdded"});
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(sub->event_types, (std::vector<std::string>{"MemberAdded", "custom.x"}));
}

TEST(SubscriptionTest, ValidatesCallbackUrl) {
  ExpectInvalid(ParseWith("callBackUrl", 5), "callBackUrl");
  ExpectInvalid(ParseWith("callBackUrl", "not a url"), "callBackUrl");
  ExpectInvalid(ParseWith("callBackUrl", "https://u:p@example.com/"), "callBackUrl");
  ExpectInvalid(ParseWith("callBackUrl", "ftp://example.com/"), "callBackUrl");
}

TEST(SubscriptionTest, RefusesPlainHttpUnlessAllowed) {
  boost::json::object body = Minimal();
  body["callBackUrl"] = "http://example.com/hook";
  Result<Subscription> refused = Parse(body);
  ExpectInvalid(refused, "callBackUrl");
  EXPECT_EQ(refused.error().message,
            "callBackUrl: plain http callback URLs are refused; use https (or start the broker "
            "with --allow-http-callbacks)");
  Result<Subscription> allowed = Parse(body, true);
  ASSERT_TRUE(allowed.ok());
  EXPECT_EQ(allowed->callback_url, "http://example.com/hook");
}

TEST(SubscriptionTest, ValidatesCallbackToken) {
  ExpectInvalid(ParseWith("callBackToken", 3), "callBackToken");
  ExpectInvalid(ParseWith("callBackToken", "a\r\nX-Injected: 1"), "callBackToken");
  ExpectInvalid(ParseWith("callBackToken", "a\tb"), "callBackToken");
  ExpectInvalid(
      ParseWith("callBackToken", boost::json::string(limits::kMaxCallbackTokenLength + 1, 't')),
      "callBackToken");
  EXPECT_TRUE(
      ParseWith("callBackToken", boost::json::string(limits::kMaxCallbackTokenLength, 't')).ok());
}

TEST(SubscriptionTest, ValidatesCallbackContext) {
  ExpectInvalid(ParseWith("callBackContext", boost::json::object{}), "callBackContext");
  ExpectInvalid(
      ParseWith("callBackContext", boost::json::string(limits::kMaxCallbackContextLength + 1, 'c')),
      "callBackContext");
  EXPECT_EQ(ParseWith("callBackContext", "line1\nline2")->callback_context, "line1\nline2");
}

TEST(SubscriptionTest, ValidityMustBeFutureIntegerMillis) {
  ExpectInvalid(ParseWith("validity", kNow), "validity");
  ExpectInvalid(ParseWith("validity", kNow - 1), "validity");
  ExpectInvalid(ParseWith("validity", "1800000000000"), "validity");
  ExpectInvalid(ParseWith("validity", 1.8e12 + 0.5), "validity");
  EXPECT_EQ(ParseWith("validity", kNow + 1)->validity_ms, kNow + 1);
  EXPECT_EQ(ParseWith("validity", 1.8e12)->validity_ms, 1800000000000);
}

TEST(SubscriptionTest, ParsesBasicAuth) {
  Result<Subscription> sub =
      ParseWith("auth", boost::json::object{{"username", "ann"}, {"password", "pw"}});
  ASSERT_TRUE(sub.ok()) << sub.error().message;
  EXPECT_EQ(sub->auth.kind, CallbackAuth::Kind::kBasic);
  EXPECT_EQ(sub->auth.username, "ann");
  EXPECT_EQ(sub->auth.password, "pw");
  EXPECT_EQ(sub->auth.header, "Authorization");
  EXPECT_EQ(sub->auth.HeaderValue(), "Basic YW5uOnB3");
}

TEST(SubscriptionTest, ParsesTokenAuthWithDefaultAndCustomHeader) {
  Result<Subscription> sub = ParseWith("auth", boost::json::object{{"token", "abcdef"}});
  ASSERT_TRUE(sub.ok());
  EXPECT_EQ(sub->auth.kind, CallbackAuth::Kind::kToken);
  EXPECT_EQ(sub->auth.header, "Authorization");
  EXPECT_EQ(sub->auth.HeaderValue(), "Basic YWJjZGVm");
  Result<Subscription> custom =
      ParseWith("auth", boost::json::object{{"token", "abcdef"}, {"header", "X-Api-Key"}});
  ASSERT_TRUE(custom.ok());
  EXPECT_EQ(custom->auth.header, "X-Api-Key");
}

TEST(SubscriptionTest, NoAuthHasEmptyHeaderValue) { EXPECT_EQ(CallbackAuth{}.HeaderValue(), ""); }

TEST(SubscriptionTest, AuthMustBeExactlyOneForm) {
  ExpectInvalid(ParseWith("auth", boost::json::object{}), "auth");
  ExpectInvalid(ParseWith("auth", boost::json::object{{"header", "X-A"}}), "auth");
  ExpectInvalid(
      ParseWith("auth", boost::json::object{{"username", "a"}, {"password", "b"}, {"token", "t"}}),
      "auth");
  ExpectInvalid(ParseWith("auth", "Basic abc"), "auth");
}

TEST(SubscriptionTest, ValidatesBasicAuthFields) {
  ExpectError(ParseWith("auth", boost::json::object{{"username", "a"}}), "missing_field",
              "auth.password");
  ExpectError(ParseWith("auth", boost::json::object{{"password", "a"}}), "missing_field",
              "auth.username");
  ExpectInvalid(ParseWith("auth", boost::json::object{{"username", ""}, {"password", "p"}}),
                "auth.username");
  ExpectInvalid(ParseWith("auth", boost::json::object{{"username", "a:b"}, {"password", "p"}}),
                "auth.username");
  ExpectInvalid(ParseWith("auth", boost::json::object{{"username", "a\nb"}, {"password", "p"}}),
                "auth.username");
  ExpectInvalid(ParseWith("auth", boost::json::object{{"username", boost::json::string(513, 'u')},
                                                      {"password", "p"}}),
                "auth.username");
  ExpectInvalid(ParseWith("auth", boost::json::object{{"username", "a"}, {"password", 1}}),
                "auth.password");
  ExpectInvalid(ParseWith("auth", boost::json::object{{"username", "a"},
                                                      {"password", boost::json::string(513, 'p')}}),
                "auth.password");
}

TEST(SubscriptionTest, ValidatesTokenAuthFields) {
  ExpectInvalid(ParseWith("auth", boost::json::object{{"token", ""}}), "auth.token");
  ExpectInvalid(ParseWith("auth", boost::json::object{{"token", 5}}), "auth.token");
  ExpectInvalid(ParseWith("auth", boost::json::object{{"token", boost::json::string(513, 't')}}),
                "auth.token");
}

TEST(SubscriptionTest, AcceptsAuthFieldsAtTheirLengthLimitRefusesOneMore) {
  const boost::json::string at(limits::kMaxAuthFieldLength, 'a');
  const boost::json::string over(limits::kMaxAuthFieldLength + 1, 'a');
  EXPECT_TRUE(ParseWith("auth", boost::json::object{{"username", at}, {"password", at}}).ok());
  EXPECT_TRUE(ParseWith("auth", boost::json::object{{"token", at}, {"header", at}}).ok());
  ExpectInvalid(ParseWith("auth", boost::json::object{{"token", "t"}, {"header", over}}),
                "auth.header");
}

TEST(SubscriptionTest, RefusesUnsafeAuthHeaderNames) {
  for (std::string_view header :
       {"", "X Auth", "X:Auth", "X-Auth\r\n", "Content-Type", "content-length", "HOST",
        "Transfer-Encoding", "Connection", "webhook-signature", "Webhook-Id", "kz-callback-token",
        "KZ-Anything"}) {
    ExpectInvalid(ParseWith("auth", boost::json::object{{"token", "t"},
                                                        {"header", boost::json::string(header)}}),
                  "auth.header");
  }
  EXPECT_TRUE(ParseWith("auth", boost::json::object{{"username", "u"},
                                                    {"password", "p"},
                                                    {"header", "Proxy-Authorization"}})
                  .ok());
}

TEST(SubscriptionTest, ValidatesSecret) {
  ExpectError(ParseWith("secret", "not-a-secret"), "invalid_secret", "secret");
  ExpectError(ParseWith("secret", "whsec_c2hvcnQ="), "invalid_secret", "secret");
  ExpectError(ParseWith("secret", 1), "invalid_secret", "secret");
}

TEST(SubscriptionTest, MatchesTypesExactlyOrByWildcard) {
  Subscription sub;
  sub.event_types = {"MemberAdded", "custom.x"};
  EXPECT_TRUE(sub.MatchesType("MemberAdded"));
  EXPECT_TRUE(sub.MatchesType("custom.x"));
  EXPECT_FALSE(sub.MatchesType("memberadded"));
  EXPECT_FALSE(sub.MatchesType("MemberRemoved"));
  sub.event_types = {"*"};
  EXPECT_TRUE(sub.MatchesType("Anything"));
}

TEST(SubscriptionTest, ActiveUntilValidityAndWhileNotDeleted) {
  Subscription sub;
  sub.validity_ms = kNow;
  EXPECT_TRUE(sub.ActiveAt(kNow - 1));
  EXPECT_FALSE(sub.ActiveAt(kNow));
  sub.deleted = true;
  EXPECT_FALSE(sub.ActiveAt(kNow - 1));
}

TEST(SubscriptionTest, ApiJsonUsesKaizalaReplySpellingsWithoutSecrets) {
  Subscription sub = FullSubscription();
  const boost::json::object json = SubscriptionToApiJson(sub);
  EXPECT_EQ(boost::json::value(json), boost::json::parse(R"({
    "id": "3f1c8a52-0000-4000-8000-000000000001", "objectId": "pkg-9",
    "objectType": "ActionPackage", "events": ["ActionResponse", "SurveyResponse"],
    "callbackUrl": "https://example.com/cb?x=1", "callbackToken": "tok\"en",
    "callbackContext": "ctx", "ts": 1700000000000, "validity": 1700000001000, "paused": false,
    "disabled": false, "auth": {"type": "basic", "username": "ann", "header": "X-Auth"},
    "format": "kaizala"})"));
  const std::string text = boost::json::serialize(json);
  EXPECT_EQ(text.find("s3cret"), std::string::npos);
  EXPECT_EQ(text.find("whsec_"), std::string::npos);
}

TEST(SubscriptionTest, ApiJsonOmitsEmptyOptionalFieldsAndTokenValue) {
  Subscription sub = FullSubscription();
  sub.callback_token.clear();
  sub.callback_context.clear();
  sub.auth = CallbackAuth{};
  sub.auth.kind = CallbackAuth::Kind::kToken;
  sub.auth.token = "very-secret-token";
  const boost::json::object json = SubscriptionToApiJson(sub);
  EXPECT_FALSE(json.contains("callbackToken"));
  EXPECT_FALSE(json.contains("callbackContext"));
  EXPECT_EQ(json.at("auth"), boost::json::parse(R"({"type":"token","header":"Authorization"})"));
  EXPECT_EQ(boost::json::serialize(json).find("very-secret-token"), std::string::npos);
  sub.auth = CallbackAuth{};
  EXPECT_FALSE(SubscriptionToApiJson(sub).contains("auth"));
}

TEST(SubscriptionTest, StorageJsonRoundTripsEveryField) {
  const Subscription sub = FullSubscription();
  const std::string stored = boost::json::serialize(SubscriptionToStorageJson(sub));
  EXPECT_NE(stored.find("s3cret"), std::string::npos);
  EXPECT_NE(stored.find(kSecret), std::string::npos);
  Result<Subscription> back = SubscriptionFromStorageJson(boost::json::parse(stored));
  ASSERT_TRUE(back.ok()) << back.error().message;
  ExpectSameSubscription(*back, sub);
}

TEST(SubscriptionTest, StorageJsonRoundTripsTokenAuth) {
  Subscription sub = FullSubscription();
  sub.auth = CallbackAuth{};
  sub.auth.kind = CallbackAuth::Kind::kToken;
  sub.auth.token = "abcdef";
  sub.deleted = false;
  sub.deleted_ms = 0;
  Result<Subscription> back = SubscriptionFromStorageJson(
      boost::json::parse(boost::json::serialize(SubscriptionToStorageJson(sub))));
  ASSERT_TRUE(back.ok()) << back.error().message;
  ExpectSameSubscription(*back, sub);
}

TEST(SubscriptionTest, StorageJsonRejectsMalformedInputWithoutThrowing) {
  EXPECT_FALSE(SubscriptionFromStorageJson(boost::json::parse("[]")).ok());
  EXPECT_FALSE(SubscriptionFromStorageJson(boost::json::parse("null")).ok());
  EXPECT_FALSE(SubscriptionFromStorageJson(boost::json::object{}).ok());
  const boost::json::object good = SubscriptionToStorageJson(FullSubscription());
  for (const auto& entry : good) {
    boost::json::object missing = good;
    missing.erase(entry.key());
    Result<Subscription> result = SubscriptionFromStorageJson(missing);
    // Records from before payload formats have no "fmt" (subscription_format_test.cc).
    if (entry.key() != "fmt") {
      ASSERT_FALSE(result.ok()) << entry.key();
      EXPECT_FALSE(result.error().code.empty());
    }
    boost::json::object wrong_type = good;
    wrong_type[entry.key()] = boost::json::array{boost::json::object{}};
    EXPECT_FALSE(SubscriptionFromStorageJson(wrong_type).ok()) << entry.key();
  }
}

TEST(SubscriptionTest, StorageJsonRejectsUnknownEnumValues) {
  boost::json::object stored = SubscriptionToStorageJson(FullSubscription());
  for (auto& entry : stored) {
    if (entry.value() == "ActionPackage" || entry.value() == "basic") {
      boost::json::object bad = stored;
      bad[entry.key()] = "Unknown";
      EXPECT_FALSE(SubscriptionFromStorageJson(bad).ok()) << entry.key();
    }
  }
  boost::json::object list_with_number = stored;
  for (auto& entry : list_with_number) {
    if (entry.value().is_array()) entry.value() = boost::json::array{"ok", 1};
  }
  EXPECT_FALSE(SubscriptionFromStorageJson(list_with_number).ok());
}

}  // namespace
}  // namespace hookbroker
