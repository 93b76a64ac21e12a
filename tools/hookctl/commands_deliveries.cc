// hookctl deliveries list | show: what happened to the callbacks (docs/API.md: /v1/deliveries).
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

constexpr std::string_view kListHelp =
    R"HELP(Usage: hookctl deliveries list [--webhook ID] [--event ID] [--type TYPE]
                               [--status pending|delivered|failed] [--since TIME] [--until TIME]
                               [--limit N] [--all] [--cursor CURSOR]

Lists deliveries (one event to one webhook), newest first (GET /v1/deliveries), as a table: ID,
WEBHOOK, EVENT, TYPE, STATUS, ATTEMPTS, LAST HTTP, CREATED (UTC).

Options:
  --webhook ID      only this webhook's deliveries
  --event ID        only this event's deliveries
  --type TYPE       only events of this type
  --status S        only pending, delivered or failed ones
  --since TIME      only those created at or after TIME
  --until TIME      only those created at or before TIME
  --limit N         deliveries per page, 1-1000 (default 100)
  --all             follow nextCursor and list every page
  --cursor CURSOR   start at this page (the nextCursor of an earlier --json reply)
  and the global options (hookctl --help).

TIME is epoch milliseconds, RFC 3339 UTC (2026-11-24T02:00:00Z), or an age meaning that long ago
(30m, 2h, 1d).
Without --all, when more deliveries exist, a note on stderr tells how to get them.
With --json: the broker's reply as is; with --all --json, one object {"deliveries":[...]}.
Exit codes: 0 listed; 1 the broker refused the request (e.g. a malformed filter); 2 bad usage;
3 broker unreachable; 4 API key refused.
)HELP";

constexpr std::string_view kShowHelp = R"HELP(Usage: hookctl deliveries show DELIVERY_ID

Shows one delivery (GET /v1/deliveries/{id}): its webhook, event, status and times, then every
attempt: when, how long, outcome, HTTP status, error, the URL and the request headers that were
sent (secrets masked by the broker), and the start of the response body.
With --json: the broker's reply as is.
Exit codes: 0 shown; 2 bad usage; 3 broker unreachable; 4 API key refused; 5 no such delivery.
)HELP";

void AddDeliveryRow(Table& table, const json::object& d) {
  table.AddRow({FieldText(d, "id"), FieldText(d, "webhookId"), FieldText(d, "eventId"),
                FieldText(d, "eventType"), FieldText(d, "status"), FieldText(d, "attemptCount"),
                FieldText(d, "lastHttpStatus"), FieldTime(d, "createdAt")});
}

int List(const Invocation& inv) {
  constexpr std::string_view kCmd = "deliveries list";
  if (!inv.args.positionals().empty()) {
    return UsageError(kCmd, "unexpected argument '" + inv.args.positionals()[0] + "'");
  }
  std::vector<std::pair<std::string, std::string>> params;
  if (auto v = inv.args.Value("--webhook")) params.emplace_back("webhookId", *v);
  if (auto v = inv.args.Value("--event")) params.emplace_back("eventId", *v);
  if (auto v = inv.args.Value("--type")) params.emplace_back("eventType", *v);
  if (auto v = inv.args.Value("--status")) {
    if (*v != "pending" && *v != "delivered" && *v != "failed") {
      return UsageError(kCmd, "--status: expected pending, delivered or failed, got '" + *v + "'");
    }
    params.emplace_back("status", *v);
  }
  bool failed = false;
  const auto since = TimeOption(inv, kCmd, "--since", failed);
  const auto until = failed ? std::nullopt : TimeOption(inv, kCmd, "--until", failed);
  const auto limit = failed ? std::nullopt : IntOption(inv, kCmd, "--limit", 1, 1000, failed);
  if (failed) return kExitUsage;
  if (since) params.emplace_back("since", std::to_string(*since));
  if (until) params.emplace_back("until", std::to_string(*until));
  if (limit) params.emplace_back("limit", std::to_string(*limit));
  const bool all = inv.args.Has("--all");
  std::string cursor = inv.args.Value("--cursor").value_or("");

  int rc = kExitOk;
  auto api = Connect(inv, rc);
  if (!api) return rc;
  Table table({"ID", "WEBHOOK", "EVENT", "TYPE", "STATUS", "ATTEMPTS", "LAST HTTP", "CREATED"});
  return ListPages(inv, *api, "/v1/deliveries", params, cursor, all, "deliveries", table,
                   AddDeliveryRow);
}

std::string AsText(const json::value& v) {
  return v.is_string() ? std::string(v.as_string()) : json::serialize(v);
}

// docs/API.md does not pin down the shape of requestHeaders; an object {"name":"value"}, an
// array of [name, value] pairs and an array of {"name","value"} objects are all shown as
// "name: value" lines.
void PrintRequestHeaders(const json::object& attempt) {
  const json::value* headers = attempt.if_contains("requestHeaders");
  if (headers == nullptr || headers->is_null()) return;
  std::vector<std::pair<std::string, std::string>> lines;
  if (headers->is_object()) {
    for (const auto& [name, value] : headers->as_object()) {
      lines.emplace_back(std::string(name), AsText(value));
    }
  } else if (headers->is_array()) {
    for (const json::value& h : headers->as_array()) {
      if (h.is_array() && h.as_array().size() == 2) {
        lines.emplace_back(AsText(h.as_array()[0]), AsText(h.as_array()[1]));
      } else if (h.is_object() && h.as_object().contains("name")) {
        lines.emplace_back(FieldText(h.as_object(), "name"), FieldText(h.as_object(), "value"));
      } else {
        lines.emplace_back(AsText(h), "");
      }
    }
  }
  if (lines.empty()) return;
  std::printf("  Request headers:\n");
  for (const auto& [name, value] : lines) {
    std::printf("    %s: %s\n", Printable(name).c_str(), Printable(value).c_str());
  }
}

// The response excerpt, indented, one line per line of the body.
void PrintIndented(const std::string& text, const std::string& indent) {
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::printf("%s%s\n", indent.c_str(), Printable(text.substr(start, end - start)).c_str());
    start = end + 1;
  }
}

int Show(const Invocation& inv) {
  auto id = OnePositional(inv, "deliveries show", "DELIVERY_ID");
  if (!id) return kExitUsage;
  return CallAndPrint(
      inv, "GET", "/v1/deliveries/" + PathSegment(*id), "", [&](const json::object& reply) {
        const json::object& d = reply;
        std::vector<std::pair<std::string, std::string>> fields = {
            {"Delivery", FieldText(d, "id")},
            {"Webhook", FieldText(d, "webhookId")},
            {"Event", FieldText(d, "eventId")},
            {"Type", FieldText(d, "eventType")},
            {"Status", FieldText(d, "status")},
            {"Attempts", FieldText(d, "attemptCount")},
            {"Last HTTP", FieldText(d, "lastHttpStatus")},
            {"Created", FieldTime(d, "createdAt", true)},
            {"Updated", FieldTime(d, "updatedAt", true)},
        };
        if (d.contains("nextAttemptAt"))
          fields.emplace_back("Next attempt", FieldTime(d, "nextAttemptAt", true));
        if (d.contains("lastError")) fields.emplace_back("Last error", FieldText(d, "lastError"));
        PrintFields(stdout, fields);

        for (const json::value& item : FieldArray(d, "attempts")) {
          if (!item.is_object()) continue;
          const json::object& a = item.as_object();
          std::printf("\nAttempt %s\n", Printable(FieldText(a, "attempt")).c_str());
          std::vector<std::pair<std::string, std::string>> af = {
              {"Started", FieldTime(a, "startedAt", true)},
              {"Duration", FieldText(a, "durationMs") + " ms"},
              {"Outcome", FieldText(a, "outcome")},
              {"HTTP status", FieldText(a, "httpStatus")},
          };
          if (a.contains("error")) af.emplace_back("Error", FieldText(a, "error"));
          if (a.contains("url")) af.emplace_back("URL", FieldText(a, "url"));
          PrintFields(stdout, af, "  ");
          PrintRequestHeaders(a);
          const std::string response = a.contains("response") ? FieldText(a, "response") : "";
          if (!response.empty() && response != "-") {
            std::printf("  Response (first 1 KiB):\n");
            PrintIndented(response, "    ");
          }
        }
      });
}

}  // namespace

std::vector<Command> DeliveryCommands() {
  return {
      {{"deliveries", "list"},
       "list deliveries, newest first",
       kListHelp,
       {{"--webhook", true},
        {"--event", true},
        {"--type", true},
        {"--status", true},
        {"--since", true},
        {"--until", true},
        {"--limit", true},
        {"--all", false},
        {"--cursor", true}},
       List},
      {{"deliveries", "show"}, "show a delivery with its attempts", kShowHelp, {}, Show},
  };
}

}  // namespace hookctl
