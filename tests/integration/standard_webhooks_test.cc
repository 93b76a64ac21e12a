// The broker's signatures, checked by an implementation that shares no code with it: the
// Standard Webhooks reference library for JavaScript (npm "standardwebhooks", installed into
// tests/node by tools/test.sh).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/integration/broker_fixture.h"

namespace hookbroker::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

const std::string kNodeDir = std::string(HOOKBROKER_SOURCE_DIR) + "/tests/node";

class StandardWebhooksTest : public BrokerFixture {
 protected:
  // Runs the reference verifier on one callback; returns its exit code and output.
  CommandResult VerifyWithReferenceLibrary(const std::string& secret,
                                           const subscribers::ReceivedRequest& post) {
    json::object headers;
    for (const char* name : {"webhook-id", "webhook-timestamp", "webhook-signature"}) {
      headers[name] = post.headers.at(name);
    }
    const std::string file = dir_.File("callback.json");
    std::ofstream(file) << json::serialize(
        json::object{{"secret", secret}, {"headers", headers}, {"body", post.body}});
    return RunCommand({"node", kNodeDir + "/verify.mjs", file});
  }
};

TEST_F(StandardWebhooksTest, ReferenceLibraryAcceptsTheBrokersSignature) {
  ASSERT_TRUE(std::filesystem::exists(kNodeDir + "/node_modules/standardwebhooks"))
      << "the reference library is missing: run tools/test.sh (it runs npm ci in tests/node)";
  StartBroker();
  auto [id, secret] = Register("Group", "g-sw");
  ASSERT_FALSE(id.empty());
  Publish(json::object{{"eventType", "TextMessageCreated"},
                       {"groupId", "g-sw"},
                       {"data", json::object{{"text", "signed \u00e9 \"quoted\""}}}});
  ASSERT_TRUE(receiver_->WaitForPosts(1, 10s));
  const auto post = receiver_->Posts().at(0);

  CommandResult ok = VerifyWithReferenceLibrary(secret, post);
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_EQ(ok.out, "verified\n");

  // The same callback under another secret must be rejected: the check can fail.
  auto [other_id, other_secret] = Register("Group", "g-other");
  CommandResult bad = VerifyWithReferenceLibrary(other_secret, post);
  EXPECT_EQ(bad.exit_code, 1) << bad.out << bad.err;
}

TEST_F(StandardWebhooksTest, ReferenceLibraryAcceptsACallerSuppliedSecret) {
  ASSERT_TRUE(std::filesystem::exists(kNodeDir + "/node_modules/standardwebhooks"))
      << "the reference library is missing: run tools/test.sh (it runs npm ci in tests/node)";
  StartBroker();
  const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  auto [id, returned] = Register("Group", "g-own", {"*"}, json::object{{"secret", secret}});
  ASSERT_EQ(returned, secret);
  Publish(json::object{{"eventType", "MemberAdded"}, {"groupId", "g-own"}});
  ASSERT_TRUE(receiver_->WaitForPosts(1, 10s));
  CommandResult ok = VerifyWithReferenceLibrary(secret, receiver_->Posts().at(0));
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
}

// A rotation with a short overlap, end to end: the receiver's library accepts a callback made
// during the overlap with the old secret and with the new one; after the overlap, only the new.
TEST_F(StandardWebhooksTest, ReferenceLibraryAcceptsEitherSecretDuringARotationThenOnlyTheNew) {
  ASSERT_TRUE(std::filesystem::exists(kNodeDir + "/node_modules/standardwebhooks"))
      << "the reference library is missing: run tools/test.sh (it runs npm ci in tests/node)";
  StartBroker();
  auto [id, old_secret] = Register("Group", "g-rot");
  ASSERT_FALSE(id.empty());
  HttpReply r = Api("POST", "/v1/webhook/" + id + "/secret/rotate", R"({"overlapSeconds":5})");
  ASSERT_EQ(r.status, 200) << r.body;
  const json::object rotated = json::parse(r.body).as_object();
  const std::string new_secret(rotated.at("secret").as_string());
  const std::int64_t overlap_ends = rotated.at("previousSecretExpiresAt").as_int64();

  Publish(json::object{{"eventType", "MemberAdded"}, {"groupId", "g-rot"}});
  ASSERT_TRUE(receiver_->WaitForPosts(1, 10s));
  const auto during = receiver_->Posts().at(0);
  ASSERT_LT(during.received_ms, overlap_ends) << "too slow to test the overlap";
  EXPECT_NE(during.headers.at("webhook-signature").find(' '), std::string::npos)
      << "one signature during the overlap: " << during.headers.at("webhook-signature");
  for (const std::string& secret : {old_secret, new_secret}) {
    CommandResult ok = VerifyWithReferenceLibrary(secret, during);
    EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  }

  // Waiting for the overlap to end on the broker's (wall) clock, not for the broker to act.
  const auto now_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  while (now_ms() <= overlap_ends) std::this_thread::sleep_for(50ms);
  Publish(json::object{{"eventType", "MemberAdded"}, {"groupId", "g-rot"}});
  ASSERT_TRUE(receiver_->WaitForPosts(2, 10s));
  const auto after = receiver_->Posts().at(1);
  EXPECT_EQ(after.headers.at("webhook-signature").find(' '), std::string::npos)
      << after.headers.at("webhook-signature");
  CommandResult ok = VerifyWithReferenceLibrary(new_secret, after);
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  CommandResult stale = VerifyWithReferenceLibrary(old_secret, after);
  EXPECT_EQ(stale.exit_code, 1) << "the old secret still verifies after the overlap";
}

}  // namespace
}  // namespace hookbroker::testing
