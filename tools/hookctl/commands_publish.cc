// hookctl publish: events to the broker's ZeroMQ ingest socket (docs/INGEST.md), and what the
// broker made of each.
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "proto/limits.h"
#include "tools/hookctl/command.h"
#include "tools/hookctl/command_support.h"
#include "tools/hookctl/event_input.h"
#include "tools/hookctl/exit_code.h"
#include "tools/hookctl/ingest_client.h"
#include "tools/hookctl/report.h"
#include "tools/hookctl/table.h"

namespace hookctl {
namespace {

namespace json = boost::json;

constexpr std::string_view kCmd = "publish";

constexpr std::string_view kHelp =
    R"HELP(Usage: hookctl publish --type TYPE --group GROUP [--package P] [--action A] [--id ID]
                       [--from-user U] [--data JSON] [--endpoint ENDPOINT]
       hookctl publish [--endpoint ENDPOINT] FILE|-

Publishes events over ZeroMQ (a REQ socket) and prints what the broker made of each, once it has
stored them durably. Events come from the options (one event), or from FILE or standard input
("-"): one JSON event object, a JSON array of events, or JSON lines (one event per line). Inputs
of more than 1000 events (or 4 MiB) are sent as several requests, one after the other. The whole
input is read and checked as JSON before anything is sent.

Options:
  --type TYPE          eventType, e.g. TextMessageCreated or a custom name (with --group)
  --group GROUP        groupId
  --package P          actionPackageId
  --action A           actionId
  --id ID              eventId (the broker assigns one when absent; a repeated id is a duplicate,
                       so re-publishing after a lost answer is safe)
  --from-user U        fromUser
  --data JSON          data, a JSON object
  --endpoint ENDPOINT  the broker's ingest socket (default $HOOKBROKER_INGEST, else
                       tcp://127.0.0.1:5555)
  and the global options (hookctl --help); --timeout bounds the wait for each answer.

Prints a table: # (the event's line in JSON lines, else its position), EVENT ID, STATUS
(accepted, duplicate or rejected), DELIVERIES (callbacks decided), ERROR (why it was rejected);
then a count of each status. With --json: each request's reply as the broker sent it, one per
line.
Exit codes: 0 every event accepted or a duplicate; 1 an event was rejected, or the broker refused
a request (later requests are then not sent); 2 bad usage or input (nothing sent); 3 no answer
within the timeout (requests before it were answered and are printed).
)HELP";

std::optional<std::string> ReadInput(const std::string& file, int& rc) {
  std::stringstream text;
  if (file == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      rc = Fail(kExitUsage, "cannot read " + file);
      return std::nullopt;
    }
    text << in.rdbuf();
  }
  return text.str();
}

// The single event the options describe, or a usage error.
std::optional<json::object> EventFromOptions(const Invocation& inv) {
  const auto type = inv.args.Value("--type");
  const auto group = inv.args.Value("--group");
  if (!type || !group) {
    UsageError(kCmd, std::string(type ? "--group" : "--type") +
                         " is required for an event given by options");
    return std::nullopt;
  }
  json::object e{{"eventType", *type}, {"groupId", *group}};
  if (auto v = inv.args.Value("--package")) e["actionPackageId"] = *v;
  if (auto v = inv.args.Value("--action")) e["actionId"] = *v;
  if (auto v = inv.args.Value("--id")) e["eventId"] = *v;
  if (auto v = inv.args.Value("--from-user")) e["fromUser"] = *v;
  if (auto v = inv.args.Value("--data")) {
    boost::system::error_code ec;
    json::value data = json::parse(*v, ec);
    if (ec || !data.is_object()) {
      UsageError(kCmd, "--data: expected a JSON object like {\"text\":\"hello\"}");
      return std::nullopt;
    }
    e["data"] = std::move(data);
  }
  return e;
}

struct Tally {
  std::size_t accepted = 0, duplicate = 0, rejected = 0;
};

// Adds one request's per-event results to the table. False when the reply does not have one
// result per event, which would make the rows lie about which event got which verdict.
bool AddResults(const json::object& reply, const std::vector<InputEvent>& events,
                const Batch& batch, Table& table, Tally& tally) {
  const json::array& results = FieldArray(reply, "results");
  if (results.size() != batch.count) return false;
  for (std::size_t k = 0; k < batch.count; ++k) {
    if (!results[k].is_object()) return false;
    const json::object& r = results[k].as_object();
    const std::string status = FieldText(r, "status");
    if (status == "accepted") ++tally.accepted;
    if (status == "duplicate") ++tally.duplicate;
    if (status == "rejected") ++tally.rejected;
    table.AddRow({std::to_string(events[batch.first + k].position), FieldText(r, "eventId"), status,
                  r.contains("deliveries") ? FieldText(r, "deliveries") : "-",
                  r.contains("error") ? FieldText(r, "error") : ""});
  }
  return true;
}

int Publish(const Invocation& inv) {
  const bool from_options = inv.args.Has("--type") || inv.args.Has("--group") ||
                            inv.args.Has("--package") || inv.args.Has("--action") ||
                            inv.args.Has("--id") || inv.args.Has("--from-user") ||
                            inv.args.Has("--data");
  const auto& positionals = inv.args.positionals();
  if (positionals.size() > 1) return UsageError(kCmd, "give one FILE (or - for standard input)");
  if (from_options && !positionals.empty()) {
    return UsageError(kCmd, "give the event either by options or in FILE, not both");
  }

  std::vector<InputEvent> events;
  if (from_options) {
    auto e = EventFromOptions(inv);
    if (!e) return kExitUsage;
    events.push_back({std::move(*e), 1});
  } else {
    const std::string file = positionals.empty() ? "-" : positionals[0];
    // Waiting for a terminal to type JSON is never what was meant without an explicit "-".
    if (positionals.empty() && isatty(STDIN_FILENO)) {
      return UsageError(kCmd, "give --type and --group, a FILE, or - to read standard input");
    }
    int rc = kExitOk;
    auto text = ReadInput(file, rc);
    if (!text) return rc;
    auto parsed = ParseEventInput(*text);
    if (!parsed) return Fail(kExitUsage, parsed.error().message);
    events = std::move(*parsed);
  }

  std::string endpoint = kDefaultIngestEndpoint;
  if (auto e = inv.args.Value("--endpoint")) {
    endpoint = *e;
  } else if (const char* env = std::getenv("HOOKBROKER_INGEST"); env != nullptr && *env) {
    endpoint = env;
  }
  IngestClient ingest;
  if (auto error = ingest.Connect(endpoint)) return Fail(kExitUsage, *error);

  const std::vector<Batch> batches = MakeBatches(events, hookbroker::limits::kMaxBatchEvents,
                                                 hookbroker::limits::kMaxIngestFrameBytes);
  Table table({"#", "EVENT ID", "STATUS", "DELIVERIES", "ERROR"});
  Tally tally;
  int rc = kExitOk;
  std::string failure;
  for (const Batch& batch : batches) {
    auto reply_text = ingest.Request(batch.frame, inv.settings.timeout);
    const std::string which = batch.count == events.size()
                                  ? std::string("the events")
                                  : "events " + std::to_string(batch.first + 1) + "-" +
                                        std::to_string(batch.first + batch.count);
    if (!reply_text) {
      rc = kExitUnreachable;
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%g",
                    static_cast<double>(inv.settings.timeout.count()) / 1000.0);
      failure = "no answer from " + endpoint + " within " + seconds + " s after sending " + which +
                " (is the broker running?)";
      if (batch.first > 0) failure += "; the events before were answered";
      break;
    }
    if (inv.settings.json) {
      PrintRaw(*reply_text);
      std::fflush(stdout);  // a script reading the pipe sees each answer as it comes
    }
    boost::system::error_code ec;
    json::value reply = json::parse(*reply_text, ec);
    if (ec || !reply.is_object()) {
      rc = kExitFailed;
      failure = "the broker's answer for " + which + " is not JSON: " + reply_text->substr(0, 200);
      break;
    }
    if (const json::value* error = reply.as_object().if_contains("error")) {
      rc = kExitFailed;
      failure = "the broker refused " + which + ": " +
                (error->is_string() ? std::string(error->as_string()) : json::serialize(*error));
      if (batch.first + batch.count < events.size()) failure += "; the events after were not sent";
      break;
    }
    if (!AddResults(reply.as_object(), events, batch, table, tally)) {
      rc = kExitFailed;
      failure = "the broker's answer for " + which + " does not have one result per event";
      break;
    }
  }

  if (!inv.settings.json && !table.empty()) {
    table.Print(stdout);
    std::printf("%zu accepted, %zu duplicate, %zu rejected\n", tally.accepted, tally.duplicate,
                tally.rejected);
  }
  if (!failure.empty()) return Fail(rc, failure);
  if (tally.rejected > 0) {
    return Fail(kExitFailed, std::to_string(tally.rejected) +
                                 (tally.rejected == 1 ? " event was" : " events were") +
                                 " rejected (see " + (inv.settings.json ? "the replies" : "ERROR") +
                                 ")");
  }
  return kExitOk;
}

}  // namespace

std::vector<Command> PublishCommands() {
  return {{{"publish"},
           "send events over ZeroMQ and print the broker's verdicts",
           kHelp,
           {{"--type", true},
            {"--group", true},
            {"--package", true},
            {"--action", true},
            {"--id", true},
            {"--from-user", true},
            {"--data", true},
            {"--endpoint", true}},
           Publish}};
}

}  // namespace hookctl
