// Security against the real daemon: read-only and admin keys, keys created and revoked while it
// runs (and after a restart), secrets that must never show in replies, logs or metrics, the HTTPS
// listener, and hookctl's commands for all of it.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "proto/base64.h"
#include "tests/integration/broker_fixture.h"
#include "tests/integration/output_text.h"

namespace hookbroker::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

std::string ErrorCode(const HttpReply& r) {
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("error")) return "";
  return std::string(v.at("error").at("code").as_string());
}

class SecurityTest : public BrokerFixture {
 protected:
  HttpReply As(const std::string& key, const std::string& method, const std::string& path,
               const std::string& body = "") {
    return HttpCall(broker_->rest_url(), method, path, body, {{"accessToken", key}});
  }

  // Creates a key with the bootstrap (admin) key; returns {id, key}.
  std::pair<std::string, std::string> CreateKey(const std::string& kind,
                                                const std::string& label = "") {
    HttpReply r =
        Api("POST", "/v1/keys", json::serialize(json::object{{"kind", kind}, {"label", label}}));
    EXPECT_EQ(r.status, 201) << r.body;
    if (r.status != 201) return {};
    const json::object o = json::parse(r.body).as_object();
    EXPECT_EQ(o.at("kind").as_string(), kind);
    return {std::string(o.at("id").as_string()), std::string(o.at("key").as_string())};
  }

  CommandResult Ctl(const std::string& key, std::vector<std::string> args,
                    std::vector<std::string> env = {}) {
    std::vector<std::string> argv = {HOOKCTL_BINARY, "--url", broker_->rest_url(), "--api-key",
                                     key};
    argv.insert(argv.end(), args.begin(), args.end());
    env.push_back("HOOKBROKER_URL=");
    env.push_back("HOOKBROKER_API_KEY=");
    return RunCommand(argv, env, "", 60s);
  }

  void RestartBroker(std::vector<std::string> extra = {}) {
    ASSERT_EQ(broker_->Stop(SIGTERM), 0) << broker_->Output();
    StartBroker(std::move(extra));
  }

  json::object Get(const std::string& path) {
    HttpReply r = Api("GET", path);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return r.status == 200 ? json::parse(r.body).as_object() : json::object{};
  }
};

TEST_F(SecurityTest, ReadOnlyKeyReadsButChangesNothingAndSeesNoSecrets) {
  StartBroker();
  auto [id, secret] = Register("Group", "g-ro", {"*"}, json::object{{"callBackToken", "cb-ro-9"}});
  ASSERT_FALSE(id.empty());
  Publish(json::object{{"eventType", "MemberAdded"}, {"groupId", "g-ro"}, {"eventId", "ev-ro"}});
  ASSERT_TRUE(receiver_->WaitForPosts(1, 10s));
  auto [key_id, ro] = CreateKey("read-only", "dashboards");
  ASSERT_FALSE(ro.empty());

  const std::vector<std::string> reads = {"/v1/webhook",
                                          "/v1/webhook/" + id,
                                          "/v1/webhook/" + id + "/stats",
                                          "/v1/deliveries",
                                          "/v1/deliveries?webhookId=" + id,
                                          "/v1/events/ev-ro",
                                          "/v1/attempts",
                                          "/v1/audit/export",
                                          "/metrics"};
  for (const std::string& path : reads) {
    HttpReply r = As(ro, "GET", path);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    EXPECT_FALSE(Contains(r.body, "cb-ro-9")) << path << " shows the callback token";
    EXPECT_FALSE(Contains(r.body, secret)) << path << " shows the signing secret";
  }
  EXPECT_TRUE(Contains(Api("GET", "/v1/webhook/" + id).body, "cb-ro-9"))
      << "an admin key sees the callback token, as in Kaizala's reply";

  const std::string new_hook =
      json::serialize(json::object{{"objectType", "Group"},
                                   {"objectId", "g-ro-2"},
                                   {"eventTypes", json::array{"*"}},
                                   {"callBackUrl", receiver_->BaseUrl() + "/hook"}});
  struct Call {
    std::string method, path, body;
  };
  const std::vector<Call> refused = {
      {"POST", "/v1/webhook", new_hook},
      {"PATCH", "/v1/webhook/" + id, R"({"paused":true})"},
      {"DELETE", "/v1/webhook/" + id, ""},
      {"POST", "/v1/webhook/" + id + "/replay", R"({"since":0,"status":"all"})"},
      {"POST", "/v1/deliveries/1/redeliver", ""},
      {"POST", "/v1/webhook/" + id + "/secret/rotate", "{}"},
      {"GET", "/v1/webhook/" + id + "/secret", ""},
      {"POST", "/v1/keys", R"({"kind":"admin"})"},
      {"GET", "/v1/keys", ""},
      {"GET", "/v1/keys/" + key_id, ""},
      {"DELETE", "/v1/keys/" + key_id, ""},
  };
  for (const Call& c : refused) {
    HttpReply r = As(ro, c.method, c.path, c.body);
    EXPECT_EQ(r.status, 403) << c.method << " " << c.path << ": " << r.body;
    EXPECT_EQ(ErrorCode(r), "forbidden") << c.method << " " << c.path << ": " << r.body;
    EXPECT_TRUE(Contains(r.body, "read-only")) << r.body;
  }

  // Nothing changed: one webhook, not paused, the same secret, one delivery, one key.
  EXPECT_EQ(Get("/v1/webhook").at("webhooks").as_array().size(), 1u);
  EXPECT_FALSE(Get("/v1/webhook/" + id).at("paused").as_bool());
  EXPECT_EQ(Get("/v1/webhook/" + id + "/secret").at("secret").as_string(), secret);
  EXPECT_EQ(Get("/v1/deliveries").at("deliveries").as_array().size(), 1u);
  EXPECT_EQ(Get("/v1/keys").at("keys").as_array().at(0).at("revokedAt"), nullptr);
  EXPECT_EQ(receiver_->Posts().size(), 1u) << "a refused redeliver or replay sent a callback";
}

TEST_F(SecurityTest, KeysAreAddedAndRevokedWithoutARestartAndSurviveOne) {
  StartBroker();
  auto [admin_id, admin] = CreateKey("admin", "deploy bot");
  auto [ro_id, ro] = CreateKey("read-only", "grafana");
  ASSERT_FALSE(admin.empty());
  ASSERT_FALSE(ro.empty());
  EXPECT_EQ(As(admin, "GET", "/v1/keys").status, 200) << "a created admin key is an admin key";
  EXPECT_EQ(As(ro, "GET", "/v1/webhook").status, 200);

  const json::object listed = Get("/v1/keys");
  const std::string text = json::serialize(listed);
  EXPECT_FALSE(Contains(text, admin)) << "a key is listed";
  EXPECT_FALSE(Contains(text, ro)) << "a key is listed";
  EXPECT_FALSE(Contains(text, "hbk_"));
  ASSERT_EQ(listed.at("keys").as_array().size(), 2u);
  EXPECT_EQ(Get("/v1/keys/" + ro_id).at("label").as_string(), "grafana");

  HttpReply revoked = Api("DELETE", "/v1/keys/" + admin_id);
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_TRUE(json::parse(revoked.body).at("revokedAt").is_int64());
  EXPECT_EQ(As(admin, "GET", "/v1/webhook").status, 401) << "a revoked key still works";
  EXPECT_EQ(Api("DELETE", "/v1/keys/" + admin_id).status, 404) << "revoked twice";
  EXPECT_EQ(Api("DELETE", "/v1/keys/key_unknown").status, 404);

  RestartBroker();
  EXPECT_EQ(As(admin, "GET", "/v1/webhook").status, 401) << "revocation lost on restart";
  EXPECT_EQ(As(ro, "GET", "/v1/webhook").status, 200) << "a created key lost on restart";
  EXPECT_EQ(As(ro, "DELETE", "/v1/keys/" + ro_id).status, 403);
  EXPECT_EQ(Get("/v1/keys/" + admin_id).at("kind").as_string(), "admin");
}

TEST_F(SecurityTest, BootstrapKeyFileIsAPrivateAdminKeyAndAWiderModeIsReported) {
  const std::string data = dir_.File("own");
  BrokerProcess first({"--data-dir", data});
  ASSERT_TRUE(first.Start()) << first.Output();
  struct stat st {};
  ASSERT_EQ(::stat((data + "/api-key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string key;
  std::getline(std::ifstream(data + "/api-key"), key);
  ASSERT_TRUE(key.starts_with("hbk_")) << key;
  EXPECT_EQ(HttpCall(first.rest_url(), "GET", "/v1/keys", "", {{"accessToken", key}}).status, 200)
      << "the bootstrap key is not an admin key";
  EXPECT_FALSE(Contains(first.Output(), "readable by other users")) << first.Output();
  ASSERT_EQ(first.Stop(SIGTERM), 0);
  EXPECT_FALSE(Contains(first.Output(), key)) << first.Output();

  ASSERT_EQ(::chmod((data + "/api-key").c_str(), 0644), 0);
  BrokerProcess second({"--data-dir", data});
  ASSERT_TRUE(second.Start()) << second.Output();
  EXPECT_TRUE(Contains(second.Output(), "readable by other users (mode 0644)")) << second.Output();
  EXPECT_FALSE(Contains(second.Output(), key)) << second.Output();
  ASSERT_EQ(second.Stop(SIGTERM), 0);
}

TEST_F(SecurityTest, KeyRequestsAreValidated) {
  StartBroker();
  struct Case {
    std::string body, field;
  } cases[] = {{R"({})", "kind"},
               {R"({"kind":"root"})", "kind"},
               {R"({"kind":"admin","label":7})", "label"},
               {R"({"kind":"admin","label":"a\nb"})", "label"},
               {R"({"kind":"admin","scope":"all"})", "scope"}};
  for (const Case& c : cases) {
    HttpReply r = Api("POST", "/v1/keys", c.body);
    EXPECT_EQ(r.status, 400) << c.body << ": " << r.body;
    EXPECT_TRUE(Contains(r.body, "\"field\":\"" + c.field + "\"")) << c.body << ": " << r.body;
  }
  EXPECT_EQ(Get("/v1/keys").at("keys").as_array().size(), 0u);
}

// Every secret the broker holds, planted with recognisable values, then looked for in every
// reply, in the log and in /metrics. The receiver's copy proves they were really in use.
TEST_F(SecurityTest, SecretsNeverAppearInRepliesLogsOrMetrics) {
  StartBroker();
  const std::string first_secret = "whsec_" + Base64Encode("first-signing-key-0123456789abcdef");
  const std::string password = "basic-password-7f3e";
  const std::string auth_token = "auth-token-c41d";
  const std::string callback_token = "callback-token-92ab";
  auto [basic_id, s1] =
      Register("Group", "g-leak", {"*"},
               json::object{{"secret", first_secret},
                            {"callBackToken", callback_token},
                            {"auth", json::object{{"username", "ann"}, {"password", password}}}});
  auto [token_id, s2] = Register(
      "Group", "g-leak", {"*"},
      json::object{{"auth", json::object{{"token", auth_token}, {"header", "Authentication"}}}});
  ASSERT_FALSE(basic_id.empty());
  ASSERT_FALSE(token_id.empty());
  HttpReply rotated =
      Api("POST", "/v1/webhook/" + basic_id + "/secret/rotate", R"({"overlapSeconds":3600})");
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const std::string rotated_secret(json::parse(rotated.body).at("secret").as_string());
  auto [ro_id, ro] = CreateKey("read-only");
  auto [admin_id, admin] = CreateKey("admin");

  receiver_->Script(1, subscribers::ScriptedResponse{500, {}, "try again", 0ms});
  Publish(json::object{{"eventType", "TextMessageCreated"},
                       {"groupId", "g-leak"},
                       {"eventId", "ev-leak"},
                       {"data", json::object{{"text", "hi"}}}});
  ASSERT_TRUE(receiver_->WaitForPosts(3, 15s)) << "one failed attempt, its retry, the other hook";

  // The positive control: they were sent.
  bool saw_password = false, saw_token = false, saw_callback_token = false;
  for (const auto& post : receiver_->Posts()) {
    saw_password |= post.headers.count("authorization") != 0 &&
                    post.headers.at("authorization") == "Basic " + Base64Encode("ann:" + password);
    saw_token |= post.headers.count("authentication") != 0 &&
                 post.headers.at("authentication") == "Basic " + Base64Encode(auth_token);
    saw_callback_token |= post.headers.count("kz-callback-token") != 0 &&
                          post.headers.at("kz-callback-token") == callback_token;
  }
  EXPECT_TRUE(saw_password && saw_token && saw_callback_token);

  const std::vector<std::string> never = {first_secret,
                                          s2,
                                          rotated_secret,
                                          first_secret.substr(6),
                                          rotated_secret.substr(6),
                                          password,
                                          Base64Encode("ann:" + password),
                                          auth_token,
                                          Base64Encode(auth_token),
                                          ro,
                                          admin,
                                          kApiKey};

  std::vector<std::string> paths = {"/v1/webhook",
                                    "/v1/webhook/" + basic_id,
                                    "/v1/webhook/" + token_id,
                                    "/v1/webhook/" + basic_id + "/stats",
                                    "/v1/deliveries",
                                    "/v1/events/ev-leak",
                                    "/v1/attempts",
                                    "/v1/audit/export",
                                    "/v1/keys",
                                    "/v1/keys/" + ro_id,
                                    "/metrics"};
  const json::object deliveries = Get("/v1/deliveries");  // kept: the loop refers into it
  for (const json::value& d : deliveries.at("deliveries").as_array()) {
    paths.push_back("/v1/deliveries/" + std::string(d.at("id").as_string()));
  }
  for (const std::string& path : paths) {
    const HttpReply r = Api("GET", path);
    ASSERT_EQ(r.status, 200) << path << ": " << r.body;
    for (const std::string& secret : never) {
      EXPECT_FALSE(Contains(r.body, secret)) << path << " shows " << secret << ": " << r.body;
    }
    // The callback token belongs only in the webhook as Kaizala lists it.
    const bool webhook_reply = path == "/v1/webhook" || path == "/v1/webhook/" + basic_id;
    EXPECT_EQ(Contains(r.body, callback_token), webhook_reply) << path << ": " << r.body;
    if (path.rfind("/v1/keys", 0) == 0) continue;
    const HttpReply as_ro = As(ro, "GET", path);
    EXPECT_FALSE(Contains(as_ro.body, callback_token)) << path << " (read-only): " << as_ro.body;
  }

  ASSERT_EQ(broker_->Stop(SIGTERM), 0);
  const std::string log = broker_->Output();
  EXPECT_TRUE(Contains(log, basic_id)) << "the log is not what the broker wrote: " << log;
  for (const std::string& secret : never) {
    EXPECT_FALSE(Contains(log, secret)) << "the log shows " << secret << ":\n" << log;
  }
  EXPECT_FALSE(Contains(log, callback_token)) << log;
}

TEST_F(SecurityTest, SecretIsShownByItsOwnCallAndRotationReplacesIt) {
  StartBroker();
  auto [id, secret] = Register("Group", "g-secret");
  json::object shown = Get("/v1/webhook/" + id + "/secret");
  EXPECT_EQ(shown.at("secret").as_string(), secret);
  EXPECT_FALSE(shown.contains("previousSecretExpiresAt"));

  const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  HttpReply r = Api("POST", "/v1/webhook/" + id + "/secret/rotate", "");
  ASSERT_EQ(r.status, 200) << r.body;
  const json::object rotated = json::parse(r.body).as_object();
  const std::string fresh(rotated.at("secret").as_string());
  EXPECT_NE(fresh, secret);
  EXPECT_TRUE(fresh.starts_with("whsec_"));
  const std::int64_t until = rotated.at("previousSecretExpiresAt").as_int64();
  EXPECT_GE(until, before + 24 * 3600 * 1000) << "the default overlap is 24 h";
  EXPECT_LT(until, before + 24 * 3600 * 1000 + 60'000);
  shown = Get("/v1/webhook/" + id + "/secret");
  EXPECT_EQ(shown.at("secret").as_string(), fresh);
  EXPECT_EQ(shown.at("previousSecretExpiresAt").as_int64(), until);

  r = Api("POST", "/v1/webhook/" + id + "/secret/rotate", R"({"overlapSeconds":0})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(json::parse(r.body).at("previousSecretExpiresAt").is_null());
  EXPECT_FALSE(Get("/v1/webhook/" + id + "/secret").contains("previousSecretExpiresAt"));

  EXPECT_EQ(Api("POST", "/v1/webhook/" + id + "/secret/rotate", R"({"overlapSeconds":-5})").status,
            400);
  EXPECT_EQ(Api("PATCH", "/v1/webhook/" + id, R"({"secret":")" + fresh + R"("})").status, 400);
  EXPECT_EQ(
      Api("POST", "/v1/webhook/" + id + "/secret/rotate",
          R"({"secret":")" +
              std::string(Get("/v1/webhook/" + id + "/secret").at("secret").as_string()) + R"("})")
          .status,
      400)
      << "rotated to the secret already in use";
  EXPECT_TRUE(
      Contains(broker_->Output(), "signing secret of webhook " + id + " read by key bootstrap"))
      << broker_->Output();
  EXPECT_EQ(Api("POST", "/v1/webhook/nope/secret/rotate", "{}").status, 404);
  EXPECT_EQ(Api("GET", "/v1/webhook/nope/secret").status, 404);
}

TEST_F(SecurityTest, HttpsListenerServesTheApiToClientsTrustingItsCa) {
  StartBroker({"--api-tls-cert", pki_.server_cert, "--api-tls-key", pki_.server_key});
  const std::string url = broker_->rest_url();
  ASSERT_TRUE(url.starts_with("https://127.0.0.1:")) << url;

  HttpReply ok = HttpsCall(pki_.ca_cert, url, "GET", "/v1/webhook", "", {{"accessToken", kApiKey}});
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(HttpsCall(pki_.ca_cert, url, "GET", "/v1/webhook").status, 401);
  EXPECT_EQ(HttpsCall(pki_.ca_cert, url, "GET", "/healthz").status, 200);

  TempDir other;
  const TestPki stranger = MakeTestPki(other.path());
  EXPECT_EQ(HttpsCall(stranger.ca_cert, url, "GET", "/healthz").status, 0)
      << "a client trusting another CA got an answer";
  const std::string plain = "http://" + url.substr(std::string("https://").size());
  EXPECT_NE(HttpCall(plain, "GET", "/healthz").status, 200) << "plain HTTP on the TLS port";

  // hookctl, with the CA as a flag, from the environment, and without it.
  CommandResult flag = Ctl(kApiKey, {"--ca-file", pki_.ca_cert, "webhook", "list"});
  EXPECT_EQ(flag.exit_code, 0) << flag.out << flag.err;
  CommandResult env = Ctl(kApiKey, {"webhook", "list"}, {"HOOKBROKER_CA=" + pki_.ca_cert});
  EXPECT_EQ(env.exit_code, 0) << env.out << env.err;
  CommandResult untrusted = Ctl(kApiKey, {"webhook", "list"}, {"HOOKBROKER_CA="});
  EXPECT_EQ(untrusted.exit_code, 3) << untrusted.out << untrusted.err;
  EXPECT_TRUE(Contains(untrusted.err, "not trusted")) << untrusted.err;
  CommandResult wrong_ca = Ctl(kApiKey, {"--ca-file", stranger.ca_cert, "webhook", "list"});
  EXPECT_EQ(wrong_ca.exit_code, 3) << wrong_ca.out << wrong_ca.err;
}

TEST_F(SecurityTest, HttpsSettingsComeFromTheConfigFileAndAreChecked) {
  const std::string config = dir_.File("config.json");
  std::ofstream(config) << json::serialize(
      json::object{{"api-tls-cert", pki_.server_cert}, {"api-tls-key", pki_.server_key}});
  StartBroker({"--config", config});
  EXPECT_TRUE(broker_->rest_url().starts_with("https://")) << broker_->rest_url();
  EXPECT_EQ(HttpsCall(pki_.ca_cert, broker_->rest_url(), "GET", "/healthz").status, 200);
  ASSERT_EQ(broker_->Stop(SIGTERM), 0);

  const std::string data = dir_.File("data-bad");
  CommandResult half = RunCommand({HOOKBROKER_BINARY, "--data-dir", data, "--api-tls-cert",
                                   pki_.server_cert, "--http-listen", "127.0.0.1:0"});
  EXPECT_EQ(half.exit_code, 2) << half.err;
  EXPECT_TRUE(Contains(half.err, "--api-tls-key")) << half.err;

  // A certificate where the key belongs: refused at start, not at the first connection.
  CommandResult mismatched = RunCommand(
      {HOOKBROKER_BINARY, "--data-dir", data, "--api-tls-cert", pki_.server_cert, "--api-tls-key",
       pki_.ca_cert, "--http-listen", "127.0.0.1:0", "--ingest-listen", "tcp://127.0.0.1:*"},
      {}, "", 20s);
  EXPECT_EQ(mismatched.exit_code, 1) << mismatched.out << mismatched.err;
  EXPECT_TRUE(Contains(mismatched.err, "api-tls")) << mismatched.err;
}

TEST_F(SecurityTest, HookctlManagesKeysAndSecrets) {
  StartBroker();
  auto [id, secret] = Register("Group", "g-ctl");

  CommandResult added = Ctl(kApiKey, {"keys", "add", "--kind", "read-only", "--label", "ops"});
  ASSERT_EQ(added.exit_code, 0) << added.out << added.err;
  const std::string ro = Field(added.out, "key");
  const std::string ro_id = Field(added.out, "id");
  ASSERT_TRUE(ro.starts_with("hbk_")) << added.out;
  EXPECT_TRUE(Contains(added.err, "only once")) << added.err;

  CommandResult listed = Ctl(kApiKey, {"keys", "list"});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_TRUE(Contains(listed.out, ro_id) && Contains(listed.out, "read-only") &&
              Contains(listed.out, "ops"))
      << listed.out;
  EXPECT_FALSE(Contains(listed.out, ro)) << listed.out;

  CommandResult refused = Ctl(ro, {"webhook", "rm", id});
  EXPECT_EQ(refused.exit_code, 6) << refused.out << refused.err;
  EXPECT_TRUE(Contains(refused.err, "read-only")) << refused.err;
  EXPECT_EQ(Ctl(ro, {"webhook", "secret", id}).exit_code, 6);
  EXPECT_EQ(Ctl(ro, {"webhook", "list"}).exit_code, 0);

  CommandResult shown = Ctl(kApiKey, {"webhook", "secret", id});
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(Field(shown.out, "secret"), secret) << shown.out;

  CommandResult rotated = Ctl(kApiKey, {"webhook", "rotate-secret", id, "--overlap", "2h"});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.out << rotated.err;
  const std::string fresh = Field(rotated.out, "secret");
  EXPECT_TRUE(fresh.starts_with("whsec_") && fresh != secret) << rotated.out;
  EXPECT_NE(Field(rotated.out, "previous secret signs until"), "(no overlap)") << rotated.out;
  EXPECT_EQ(Get("/v1/webhook/" + id + "/secret").at("secret").as_string(), fresh);
  EXPECT_EQ(Ctl(kApiKey, {"webhook", "rotate-secret", id, "--overlap", "31d"}).exit_code, 2);

  CommandResult revoked = Ctl(kApiKey, {"keys", "revoke", ro_id});
  EXPECT_EQ(revoked.exit_code, 0) << revoked.out << revoked.err;
  EXPECT_EQ(Ctl(ro, {"webhook", "list"}).exit_code, 4) << "a revoked key still works";
  EXPECT_EQ(Ctl(kApiKey, {"keys", "revoke", ro_id}).exit_code, 5);
}

}  // namespace
}  // namespace hookbroker::testing
