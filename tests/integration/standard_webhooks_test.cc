// The broker's signatures, checked by an implementation that shares no code with it: the
// Standard Webhooks reference library for JavaScript (npm "standardwebhooks", installed into
// tests/node by tools/test.sh).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

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

}  // namespace
}  // namespace hookbroker::testing
