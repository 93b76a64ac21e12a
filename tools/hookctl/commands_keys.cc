// hookctl keys add | list | revoke: the broker's API keys over REST (docs/API.md: /v1/keys).
// Admin keys only.
#include <boost/json.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "tools/hookctl/command.h"
#include "tools/hookctl/command_support.h"
#include "tools/hookctl/exit_code.h"
#include "tools/hookctl/printable.h"
#include "tools/hookctl/table.h"
#include "tools/hookctl/url_encode.h"

namespace hookctl {
namespace {

namespace json = boost::json;

constexpr std::string_view kAddHelp =
    R"HELP(Usage: hookctl keys add --kind admin|read-only [--label TEXT]

Creates an API key (POST /v1/keys) and prints its id and the key. The broker keeps only the key's
hash and shows the key this once: hand it over now. It is accepted at once, without a restart.

A read-only key may list and inspect everything (webhooks without their callback tokens,
deliveries, attempts, the audit export, stats, /metrics) and change nothing; it cannot read
signing secrets or API keys. An admin key may do everything.

Options:
  --kind KIND      admin or read-only (required)
  --label TEXT     who or what will use it (at most 200 characters)
  and the global options (hookctl --help).

Prints "id: key_..." and "key: hbk_..." (with --json: the broker's reply).
Exit codes: 0 created; 1 the broker refused; 2 bad usage; 3 broker unreachable; 4 API key
refused; 6 the API key used is not an admin key.
)HELP";

constexpr std::string_view kListHelp = R"HELP(Usage: hookctl keys list

Lists the API keys created over REST (GET /v1/keys) as a table: ID, KIND, LABEL, CREATED,
REVOKED. Keys themselves are never shown. The bootstrap keys (the broker's --api-key flags or its
data folder's api-key file) are not stored and not listed.
With --json: the broker's reply as is.
Exit codes: 0 listed; 2 bad usage; 3 broker unreachable; 4 API key refused; 6 not an admin key.
)HELP";

constexpr std::string_view kRevokeHelp = R"HELP(Usage: hookctl keys revoke KEY_ID

Revokes an API key (DELETE /v1/keys/{id}): the broker refuses it from the next request on. The
key stays listed, with the time it was revoked.
Exit codes: 0 revoked; 2 bad usage; 3 broker unreachable; 4 API key refused; 5 no such key (or
already revoked); 6 not an admin key.
)HELP";

int Add(const Invocation& inv) {
  constexpr std::string_view kCmd = "keys add";
  if (!inv.args.positionals().empty()) {
    return UsageError(kCmd, "unexpected argument '" + inv.args.positionals()[0] + "'");
  }
  const auto kind = inv.args.Value("--kind");
  if (!kind) return UsageError(kCmd, "--kind is required (admin or read-only)");
  if (*kind != "admin" && *kind != "read-only") {
    return UsageError(kCmd, "--kind: expected admin or read-only, got '" + *kind + "'");
  }
  json::object body{{"kind", *kind}};
  if (auto label = inv.args.Value("--label")) body["label"] = *label;
  return CallAndPrint(inv, "POST", "/v1/keys", json::serialize(body), [](const json::object& o) {
    PrintFields(
        stdout,
        {{"id", FieldText(o, "id")}, {"kind", FieldText(o, "kind")}, {"key", FieldText(o, "key")}});
    std::fflush(stdout);
    std::fputs("(keep the key: the broker shows it only once)\n", stderr);
  });
}

int List(const Invocation& inv) {
  constexpr std::string_view kCmd = "keys list";
  if (!inv.args.positionals().empty()) {
    return UsageError(kCmd, "unexpected argument '" + inv.args.positionals()[0] + "'");
  }
  return CallAndPrint(inv, "GET", "/v1/keys", "", [](const json::object& o) {
    Table table({"ID", "KIND", "LABEL", "CREATED", "REVOKED"});
    for (const json::value& item : FieldArray(o, "keys")) {
      if (!item.is_object()) continue;
      const json::object& k = item.as_object();
      table.AddRow({FieldText(k, "id"), FieldText(k, "kind"), FieldText(k, "label"),
                    FieldTime(k, "createdAt"), FieldTime(k, "revokedAt")});
    }
    if (table.empty()) {
      std::printf("no API keys created over REST (the bootstrap keys are not listed)\n");
      return;
    }
    table.Print(stdout);
  });
}

int Revoke(const Invocation& inv) {
  auto id = OnePositional(inv, "keys revoke", "KEY_ID");
  if (!id) return kExitUsage;
  return CallAndPrint(inv, "DELETE", "/v1/keys/" + PathSegment(*id), "", [](const json::object& o) {
    std::printf("revoked API key %s\n", Printable(FieldText(o, "id")).c_str());
  });
}

}  // namespace

std::vector<Command> KeyCommands() {
  return {
      {{"keys", "add"},
       "create an API key (admin or read-only)",
       kAddHelp,
       {{"--kind", true}, {"--label", true}},
       Add},
      {{"keys", "list"}, "list the API keys created over REST", kListHelp, {}, List},
      {{"keys", "revoke"}, "revoke an API key", kRevokeHelp, {}, Revoke},
  };
}

}  // namespace hookctl
