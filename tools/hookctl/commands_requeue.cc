// hookctl redeliver | replay: send deliveries again (docs/API.md: /v1/deliveries/{id}/redeliver,
// /v1/webhook/{id}/replay).
#include <boost/json.hpp>
#include <cstdio>
#include <string>

#include "tools/hookctl/command.h"
#include "tools/hookctl/command_support.h"
#include "tools/hookctl/exit_code.h"
#include "tools/hookctl/printable.h"
#include "tools/hookctl/url_encode.h"

namespace hookctl {
namespace {

namespace json = boost::json;

constexpr std::string_view kRedeliverHelp = R"HELP(Usage: hookctl redeliver DELIVERY_ID

Queues a delivered or failed delivery again, due now (POST /v1/deliveries/{id}/redeliver): a new
round of attempts with the usual retries. Follow it with hookctl deliveries show DELIVERY_ID or
hookctl tail --follow.
With --json: the broker's reply (the delivery) as is.
Exit codes: 0 queued; 1 the broker refused (409: the delivery is still pending); 2 bad usage;
3 broker unreachable; 4 API key refused; 5 no such delivery.
)HELP";

constexpr std::string_view kReplayHelp =
    R"HELP(Usage: hookctl replay WEBHOOK_ID --since TIME [--until TIME] [--status failed|all]

Queues again every delivery of the webhook created between --since and --until
(POST /v1/webhook/{id}/replay): a new round of attempts each, with the usual retries. Pending
deliveries are left as they are. Prints how many were queued.

Options:
  --since TIME     the start of the window (required)
  --until TIME     the end of the window (default: now)
  --status S       failed (default): only failed deliveries; all: delivered and failed ones
  and the global options (hookctl --help).

TIME is epoch milliseconds, RFC 3339 UTC (2026-11-24T02:00:00Z), or an age meaning that long ago
(30m, 2h, 1d).
With --json: the broker's reply as is ({"replayed":N}).
Exit codes: 0 done (also when nothing matched); 1 the broker refused; 2 bad usage; 3 broker
unreachable; 4 API key refused; 5 no such webhook.
)HELP";

int Redeliver(const Invocation& inv) {
  auto id = OnePositional(inv, "redeliver", "DELIVERY_ID");
  if (!id) return kExitUsage;
  return CallAndPrint(inv, "POST", "/v1/deliveries/" + PathSegment(*id) + "/redeliver", "{}",
                      [&](const json::object& reply) {
                        std::printf("delivery %s queued again (status %s)\n",
                                    Printable(*id).c_str(),
                                    Printable(FieldText(reply, "status")).c_str());
                      });
}

int Replay(const Invocation& inv) {
  constexpr std::string_view kCmd = "replay";
  auto id = OnePositional(inv, kCmd, "WEBHOOK_ID");
  if (!id) return kExitUsage;
  bool failed = false;
  const auto since = TimeOption(inv, kCmd, "--since", failed);
  const auto until = failed ? std::nullopt : TimeOption(inv, kCmd, "--until", failed);
  if (failed) return kExitUsage;
  if (!since) return UsageError(kCmd, "--since is required");
  if (until && *until < *since) return UsageError(kCmd, "--until is before --since");
  const std::string status = inv.args.Value("--status").value_or("failed");
  if (status != "failed" && status != "all") {
    return UsageError(kCmd, "--status: expected failed or all, got '" + status + "'");
  }
  json::object body{{"since", *since}, {"status", status}};
  if (until) body["until"] = *until;

  return CallAndPrint(inv, "POST", "/v1/webhook/" + PathSegment(*id) + "/replay",
                      json::serialize(body), [&](const json::object& reply) {
                        const std::string n = FieldText(reply, "replayed");
                        std::printf("%s %s queued again for webhook %s\n", Printable(n).c_str(),
                                    n == "1" ? "delivery" : "deliveries", Printable(*id).c_str());
                      });
}

}  // namespace

std::vector<Command> RequeueCommands() {
  return {
      {{"redeliver"}, "send one delivery again", kRedeliverHelp, {}, Redeliver},
      {{"replay"},
       "send a webhook's deliveries in a time window again",
       kReplayHelp,
       {{"--since", true}, {"--until", true}, {"--status", true}},
       Replay},
  };
}

}  // namespace hookctl
