// hookctl stats: a webhook's lifetime counts and latency (docs/API.md: /v1/webhook/{id}/stats).
#include <boost/json.hpp>
#include <cstdio>
#include <string>

#include "tools/hookctl/command.h"
#include "tools/hookctl/command_support.h"
#include "tools/hookctl/exit_code.h"
#include "tools/hookctl/table.h"
#include "tools/hookctl/url_encode.h"

namespace hookctl {
namespace {

namespace json = boost::json;

constexpr std::string_view kHelp = R"HELP(Usage: hookctl stats WEBHOOK_ID

Shows a webhook's delivery statistics (GET /v1/webhook/{id}/stats), counted over its lifetime:
paused or not, pending / delivered / failed deliveries, success rate (delivered / (delivered +
failed); "-" before any final outcome), attempts, the last success and failure, and the p50 and
p99 latency of the attempts that got an HTTP answer (upper bounds of histogram buckets).
With --json: the broker's reply as is.
Exit codes: 0 shown; 2 bad usage; 3 broker unreachable; 4 API key refused; 5 no such webhook.
)HELP";

std::string Percent(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_number()) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", v->to_number<double>() * 100.0);
  return buf;
}

std::string Millis(const json::object& o, std::string_view key) {
  const std::string text = FieldText(o, key);
  return text == "-" ? text : text + " ms";
}

std::string TimeOrNever(const json::object& o, std::string_view key) {
  const std::string t = FieldTime(o, key);
  return t == "-" ? "never" : t;
}

int Stats(const Invocation& inv) {
  auto id = OnePositional(inv, "stats", "WEBHOOK_ID");
  if (!id) return kExitUsage;
  return CallAndPrint(inv, "GET", "/v1/webhook/" + PathSegment(*id) + "/stats", "",
                      [&](const json::object& reply) {
                        const json::object& s = reply;
                        const json::object& latency = FieldObject(s, "latencyMs");
                        PrintFields(stdout, {
                                                {"Webhook", FieldText(s, "webhookId")},
                                                {"Paused", FieldText(s, "paused")},
                                                {"Pending", FieldText(s, "pending")},
                                                {"Delivered", FieldText(s, "delivered")},
                                                {"Failed", FieldText(s, "failed")},
                                                {"Success rate", Percent(s, "successRate")},
                                                {"Attempts", FieldText(s, "attempts")},
                                                {"Last success", TimeOrNever(s, "lastSuccessAt")},
                                                {"Last failure", TimeOrNever(s, "lastFailureAt")},
                                                {"Latency p50", Millis(latency, "p50")},
                                                {"Latency p99", Millis(latency, "p99")},
                                            });
                      });
}

}  // namespace

std::vector<Command> StatsCommands() {
  return {{{"stats"}, "show a webhook's delivery statistics", kHelp, {}, Stats}};
}

}  // namespace hookctl
