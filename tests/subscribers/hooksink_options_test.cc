#include "subscribers/hooksink_options.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/subscribers/signed_request.h"
#include "tests/support/temp_dir.h"

namespace hookbroker::testing {
namespace {

using subscribers::HooksinkOptions;
using subscribers::ParseHooksinkArgs;

TEST(HooksinkOptionsTest, DefaultsNeedOnlyASecret) {
  auto o = ParseHooksinkArgs({"--secret", kSecretA});
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_EQ(o->endpoint.host, "127.0.0.1");
  EXPECT_EQ(o->endpoint.port, 8000);
  EXPECT_EQ(o->data_dir, "hooksink-data");
  EXPECT_EQ(o->forwarder.output, "-");
  EXPECT_EQ(o->verifier.tolerance_s, 300);
  EXPECT_FALSE(o->kill_after_store);
  EXPECT_EQ(o->retention_days, 30);
}

TEST(HooksinkOptionsTest, ParsesEveryFlag) {
  TempDir dir;
  std::ofstream(dir.File("secrets")) << "# rotation\n" << kSecretA << "\n\n" << kSecretB << "\n";
  auto o = ParseHooksinkArgs({"--listen=[::1]:9443",
                              "--tls-cert",
                              "c.pem",
                              "--tls-key",
                              "k.pem",
                              "--path",
                              "/hook",
                              "--data-dir",
                              "d",
                              "--secret-file",
                              dir.File("secrets"),
                              "--token",
                              "t",
                              "--basic-auth",
                              "u:p",
                              "--auth-header",
                              "Authentication",
                              "--tolerance",
                              "60",
                              "--max-body",
                              "4096",
                              "--threads",
                              "2",
                              "--output",
                              "out.jsonl",
                              "--exec",
                              "cat",
                              "--fault-injection",
                              "kill-after-store",
                              "--retention-days",
                              "0"});
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_EQ(o->endpoint.host, "::1");
  EXPECT_EQ(o->endpoint.port, 9443);
  EXPECT_EQ(o->endpoint.cert_file, "c.pem");
  EXPECT_EQ(o->path, "/hook");
  EXPECT_EQ(o->verifier.secrets, (std::vector<std::string>{kSecretA, kSecretB}));
  EXPECT_EQ(o->verifier.callback_token, "t");
  EXPECT_EQ(o->verifier.basic_credentials, "u:p");
  EXPECT_EQ(o->verifier.auth_header, "Authentication");
  EXPECT_EQ(o->verifier.tolerance_s, 60);
  EXPECT_EQ(o->endpoint.max_body, 4096u);
  EXPECT_EQ(o->endpoint.threads, 2);
  EXPECT_EQ(o->forwarder.output, "out.jsonl");
  EXPECT_EQ(o->forwarder.exec, "cat");
  EXPECT_TRUE(o->kill_after_store);
  EXPECT_EQ(o->retention_days, 0);
}

TEST(HooksinkOptionsTest, ErrorsNameTheFlag) {
  auto message = [](std::vector<std::string> args) {
    auto o = ParseHooksinkArgs(args);
    return o.ok() ? std::string("ok") : o.error().message;
  };
  EXPECT_EQ(message({}), "a signing secret is required: --secret whsec_... or --secret-file FILE");
  EXPECT_EQ(message({"--secret", kSecretA, "--listen", "nope"}), "--listen: expected HOST:PORT");
  EXPECT_EQ(message({"--secret", kSecretA, "--tolerance", "0"}),
            "--tolerance: expected a whole number from 1 to 86400, got \"0\"");
  EXPECT_EQ(message({"--secret", kSecretA, "--tls-cert", "c.pem"}),
            "--tls-cert: --tls-cert and --tls-key go together");
  EXPECT_EQ(message({"--secret", kSecretA, "--bogus", "1"}), "unknown flag --bogus (see --help)");
  EXPECT_EQ(message({"--secret"}), "--secret: needs a value");
  EXPECT_EQ(message({"--secret-file", "/nonexistent"}), "--secret-file: cannot read /nonexistent");
  EXPECT_TRUE(ParseHooksinkArgs({"--help"})->help);
}

}  // namespace
}  // namespace hookbroker::testing
