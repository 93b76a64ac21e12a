// hookctl webhook secret | rotate-secret: a webhook's signing secret over REST (docs/API.md:
// /v1/webhook/{id}/secret). Admin keys only.
#include <boost/json.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "tools/hookctl/command.h"
#include "tools/hookctl/command_support.h"
#include "tools/hookctl/exit_code.h"
#include "tools/hookctl/table.h"
#include "tools/hookctl/time_text.h"
#include "tools/hookctl/url_encode.h"

namespace hookctl {
namespace {

namespace json = boost::json;

constexpr std::string_view kSecretHelp = R"HELP(Usage: hookctl webhook secret WEBHOOK_ID

Shows a webhook's signing secret (GET /v1/webhook/{id}/secret), and, during a rotation's overlap,
until when the previous secret still signs. The broker logs that the secret was read.
Exit codes: 0 shown; 2 bad usage; 3 broker unreachable; 4 API key refused; 5 no such webhook;
6 not an admin key.
)HELP";

constexpr std::string_view kRotateHelp =
    R"HELP(Usage: hookctl webhook rotate-secret WEBHOOK_ID [--overlap DURATION] [--secret whsec_...]

Gives a webhook a new signing secret (POST /v1/webhook/{id}/secret/rotate) and prints it. From now
on every callback is signed with the new secret and, until the overlap ends, with the old one as
well (two entries in webhook-signature); the receiver can switch to the new secret at any time in
between. After the overlap only the new secret signs.

Options:
  --overlap DURATION   how long the old secret keeps signing: 90s, 30m, 24h, 7d (default 24h,
                       at most 30d; 0s drops the old secret at once)
  --secret whsec_...   this new secret instead of a generated one
  and the global options (hookctl --help).

Prints "secret: whsec_..." and when the old secret stops signing (with --json: the broker's reply).
Exit codes: 0 rotated; 1 the broker refused; 2 bad usage; 3 broker unreachable; 4 API key refused;
5 no such webhook; 6 not an admin key.
)HELP";

void PrintSecret(const json::object& o) {
  std::vector<std::pair<std::string, std::string>> fields = {
      {"webhookId", FieldText(o, "webhookId")}, {"secret", FieldText(o, "secret")}};
  const std::string until = FieldTime(o, "previousSecretExpiresAt");
  fields.emplace_back("previous secret signs until", until == "-" ? "(no overlap)" : until);
  PrintFields(stdout, fields);
}

int Secret(const Invocation& inv) {
  auto id = OnePositional(inv, "webhook secret", "WEBHOOK_ID");
  if (!id) return kExitUsage;
  return CallAndPrint(inv, "GET", "/v1/webhook/" + PathSegment(*id) + "/secret", "", PrintSecret);
}

int Rotate(const Invocation& inv) {
  constexpr std::string_view kCmd = "webhook rotate-secret";
  auto id = OnePositional(inv, kCmd, "WEBHOOK_ID");
  if (!id) return kExitUsage;
  json::object body;
  if (auto overlap = inv.args.Value("--overlap")) {
    const auto ms = ParseDurationMs(*overlap);
    if (!ms || *ms > 30LL * 86'400'000) {
      return UsageError(kCmd,
                        "--overlap: expected a duration like 90s, 30m, 24h or 7d (at most "
                        "30d), got '" +
                            *overlap + "'");
    }
    body["overlapSeconds"] = *ms / 1000;
  }
  if (auto secret = inv.args.Value("--secret")) body["secret"] = *secret;
  return CallAndPrint(
      inv, "POST", "/v1/webhook/" + PathSegment(*id) + "/secret/rotate", json::serialize(body),
      [](const json::object& o) {
        PrintSecret(o);
        std::fflush(stdout);
        std::fputs("(give the new secret to the receiver before the overlap ends)\n", stderr);
      });
}

}  // namespace

std::vector<Command> SecretCommands() {
  return {
      {{"webhook", "secret"}, "show a webhook's signing secret", kSecretHelp, {}, Secret},
      {{"webhook", "rotate-secret"},
       "give a webhook a new signing secret, the old one signing for an overlap",
       kRotateHelp,
       {{"--overlap", true}, {"--secret", true}},
       Rotate},
  };
}

}  // namespace hookctl
