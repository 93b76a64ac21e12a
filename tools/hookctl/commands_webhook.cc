// hookctl webhook add | list | show | rm | pause | resume | edit: subscriptions over REST
// (docs/API.md: /v1/webhook).
#include <boost/json.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "tools/hookctl/command.h"
#include "tools/hookctl/command_support.h"
#include "tools/hookctl/exit_code.h"
#include "tools/hookctl/printable.h"
#include "tools/hookctl/report.h"
#include "tools/hookctl/table.h"
#include "tools/hookctl/time_text.h"
#include "tools/hookctl/url_encode.h"

namespace hookctl {
namespace {

namespace json = boost::json;

constexpr std::string_view kAddHelp =
    R"HELP(Usage: hookctl webhook add --object-type TYPE --object-id ID --events TYPES --url CALLBACK_URL
                           [--token T] [--context C] [--basic-auth USER:PASS]
                           [--auth-token TOKEN [--auth-header NAME]] [--secret whsec_...]
                           [--validity TIME] [--format F [--content-type T]]

Registers a webhook (POST /v1/webhook) and prints its id and its signing secret. The broker
shows the secret only this once: keep it, it verifies the callbacks' signatures.

Before storing the webhook the broker checks the callback URL: GET CALLBACK_URL?validationToken=X
must answer 200 with X as its body within 5 s (unless the broker runs --no-validation-handshake).
The kommunicate, slack and mattermost formats skip this check (their receivers do not know it).

Options:
  --object-type TYPE       Group, ActionPackage or Action (required)
  --object-id ID           the group, action package or action id (required)
  --events TYPES           comma-separated event types, or * for every type (required)
  --url CALLBACK_URL       where the callbacks go (required); https:// unless the broker runs
                           --allow-http-callbacks. After this command --url means the callback
                           URL: give the broker's URL before the command
                           (hookctl --url BROKER webhook add ...) or in HOOKBROKER_URL.
  --token T                sent back on every callback as the kz-callback-token header
  --context C              echoed in every callback as "context"
  --basic-auth USER:PASS   callbacks carry Authorization: Basic base64(USER:PASS)
  --auth-token TOKEN       callbacks carry "NAME: Basic base64(TOKEN)" (Kommunicate's form)
  --auth-header NAME       the header for --auth-token (default Authorization)
  --secret whsec_...       this Standard Webhooks signing secret instead of a generated one
  --validity TIME          when the webhook expires: epoch milliseconds or RFC 3339
                           (default: two years from now)
  --format F               the callbacks' payload format: kaizala (default), kommunicate,
                           slack, mattermost or raw (docs/CHAT.md "Payload formats")
  --content-type T         mattermost only: application/x-www-form-urlencoded (default) or
                           application/json
  and the global options (hookctl --help).

Prints "webhookId: ID" and "secret: whsec_..." (with --json: the broker's reply).
Exit codes: 0 registered; 1 the broker refused it (its message and the field are shown);
2 bad usage; 3 broker unreachable; 4 API key refused.
)HELP";

constexpr std::string_view kListHelp =
    R"HELP(Usage: hookctl webhook list [--object-type TYPE] [--object-id ID] [--limit N] [--all]
                            [--cursor CURSOR]

Lists webhooks (GET /v1/webhook) as a table: ID, OBJECT TYPE, OBJECT ID, EVENTS, CALLBACK URL,
PAUSED. Deleted webhooks are not listed.

Options:
  --object-type TYPE   only Group, ActionPackage or Action webhooks
  --object-id ID       only webhooks for this object id
  --limit N            webhooks per page, 1-1000 (default 100)
  --all                follow nextCursor and list every page
  --cursor CURSOR      start at this page (the nextCursor of an earlier --json reply)
  and the global options (hookctl --help).

Without --all, when more webhooks exist, a note on stderr tells how to get them.
With --json: the broker's reply as is; with --all --json, one object {"webhooks":[...]} holding
every page.
Exit codes: 0 listed; 1 the broker refused the request; 2 bad usage; 3 broker unreachable;
4 API key refused.
)HELP";

constexpr std::string_view kShowHelp = R"HELP(Usage: hookctl webhook show WEBHOOK_ID

Shows one webhook (GET /v1/webhook/{id}): object, events, callback URL and token, context,
authentication (never the password or token), payload format, paused, created and expiry times.
With --json: the broker's reply as is.
Exit codes: 0 shown; 2 bad usage; 3 broker unreachable; 4 API key refused; 5 no such webhook.
)HELP";

constexpr std::string_view kRmHelp = R"HELP(Usage: hookctl webhook rm WEBHOOK_ID

Deletes a webhook (DELETE /v1/webhook/{id}). It stops matching at once; its pending deliveries
end as failed ("subscription deleted") without a request; its history stays.
Exit codes: 0 deleted; 2 bad usage; 3 broker unreachable; 4 API key refused; 5 no such webhook
(or already deleted).
)HELP";

constexpr std::string_view kPauseHelp = R"HELP(Usage: hookctl webhook pause WEBHOOK_ID

Pauses a webhook (PATCH /v1/webhook/{id} {"paused":true}). It still gets deliveries for new
events, but they wait (status pending, no attempts) until it is resumed.
Exit codes: 0 paused; 1 the broker refused; 2 bad usage; 3 broker unreachable; 4 API key refused;
5 no such webhook.
)HELP";

constexpr std::string_view kResumeHelp = R"HELP(Usage: hookctl webhook resume WEBHOOK_ID

Resumes a paused webhook (PATCH /v1/webhook/{id} {"paused":false}); the deliveries that waited
are then sent.
Exit codes: 0 resumed; 1 the broker refused; 2 bad usage; 3 broker unreachable; 4 API key
refused; 5 no such webhook.
)HELP";

constexpr std::string_view kEditHelp =
    R"HELP(Usage: hookctl webhook edit WEBHOOK_ID [--url CALLBACK_URL] [--events TYPES] [--token T]
                            [--context C] [--basic-auth USER:PASS]
                            [--auth-token TOKEN [--auth-header NAME]] [--no-auth]
                            [--validity TIME] [--format F] [--content-type T]

Changes a webhook (PATCH /v1/webhook/{id}) and shows it as changed. Only the options given are
changed. The object, object type and signing secret cannot be changed. A new callback URL must
pass the validation handshake first (see hookctl webhook add --help).

Options:
  --url CALLBACK_URL       a new callback URL (after the command --url is the callback URL;
                           give the broker's URL before the command or in HOOKBROKER_URL)
  --events TYPES           comma-separated event types, or * for every type
  --token T                a new kz-callback-token
  --context C              a new callback context
  --basic-auth USER:PASS   authenticate callbacks with Basic USER:PASS
  --auth-token TOKEN       authenticate callbacks with "NAME: Basic base64(TOKEN)"
  --auth-header NAME       the header for --auth-token (default Authorization)
  --no-auth                callbacks carry no authentication header any more
  --validity TIME          a new expiry: epoch milliseconds or RFC 3339
  --format F               a new payload format (kaizala, kommunicate, slack, mattermost, raw)
  --content-type T         mattermost only: the encoding (form or application/json)
  and the global options (hookctl --help).

With --json: the broker's reply as is.
Exit codes: 0 changed; 1 the broker refused the change (message and field shown); 2 bad usage;
3 broker unreachable; 4 API key refused; 5 no such webhook.
)HELP";

bool ValidObjectType(const std::string& t) {
  return t == "Group" || t == "ActionPackage" || t == "Action";
}

// The callback authentication options as the API's `auth` object. Returns false (after a usage
// error) on a contradiction; leaves `out` null when no auth option was given.
bool AuthFromOptions(const Invocation& inv, std::string_view command, json::value& out) {
  const auto basic = inv.args.Value("--basic-auth");
  const auto token = inv.args.Value("--auth-token");
  const auto header = inv.args.Value("--auth-header");
  if (basic && token) {
    UsageError(command, "--basic-auth and --auth-token are two kinds of auth: choose one");
    return false;
  }
  if (header && !token) {
    UsageError(command, "--auth-header names the header for --auth-token, which is missing");
    return false;
  }
  if (basic) {
    const auto colon = basic->find(':');
    if (colon == std::string::npos || colon == 0) {
      UsageError(command, "--basic-auth: expected USER:PASS");
      return false;
    }
    out =
        json::object{{"username", basic->substr(0, colon)}, {"password", basic->substr(colon + 1)}};
  } else if (token) {
    json::object o{{"token", *token}};
    if (header) o["header"] = *header;
    out = std::move(o);
  }
  return true;
}

bool ValidityFromOptions(const Invocation& inv, std::string_view command, json::object& body) {
  auto text = inv.args.Value("--validity");
  if (!text) return true;
  auto ms = ParseAbsoluteTime(*text);
  if (!ms) {
    UsageError(command, "--validity: " + ms.error().message);
    return false;
  }
  body["validity"] = *ms;
  return true;
}

// The payload format options, as the API spells them; the broker validates them.
void FormatFromOptions(const Invocation& inv, json::object& body) {
  if (auto v = inv.args.Value("--format")) body["format"] = *v;
  if (auto v = inv.args.Value("--content-type")) body["contentType"] = *v;
}

std::string DescribeFormat(const json::object& hook) {
  // A broker from before payload formats sends none: its callbacks are Kaizala's.
  std::string out = hook.contains("format") ? FieldText(hook, "format") : "kaizala";
  if (hook.contains("contentType")) out += ", " + FieldText(hook, "contentType");
  return out;
}

std::string DescribeAuth(const json::object& hook) {
  const json::value* auth = hook.if_contains("auth");
  if (auth == nullptr || !auth->is_object()) return "none";
  const json::object& a = auth->as_object();
  std::string out = FieldText(a, "type");
  if (a.contains("username")) out += ", user " + FieldText(a, "username");
  if (a.contains("header")) out += ", header " + FieldText(a, "header");
  return out;
}

void PrintWebhook(const json::object& hook) {
  PrintFields(stdout, {
                          {"ID", FieldText(hook, "id")},
                          {"Object type", FieldText(hook, "objectType")},
                          {"Object id", FieldText(hook, "objectId")},
                          {"Events", FieldList(hook, "events")},
                          {"Callback URL", FieldText(hook, "callbackUrl")},
                          {"Callback token", FieldText(hook, "callbackToken")},
                          {"Context", FieldText(hook, "callbackContext")},
                          {"Auth", DescribeAuth(hook)},
                          {"Format", DescribeFormat(hook)},
                          {"Paused", hook.contains("paused") ? FieldText(hook, "paused") : "no"},
                          {"Created", FieldTime(hook, "ts")},
                          {"Valid until", FieldTime(hook, "validity")},
                      });
}

int Add(const Invocation& inv) {
  constexpr std::string_view kCmd = "webhook add";
  if (!inv.args.positionals().empty()) {
    return UsageError(kCmd, "unexpected argument '" + inv.args.positionals()[0] + "'");
  }
  for (const char* required : {"--object-type", "--object-id", "--events", "--url"}) {
    if (!inv.args.Value(required)) return UsageError(kCmd, std::string(required) + " is required");
  }
  const std::string type = *inv.args.Value("--object-type");
  if (!ValidObjectType(type)) {
    return UsageError(kCmd,
                      "--object-type: expected Group, ActionPackage or Action, got '" + type + "'");
  }
  const std::vector<std::string> events = SplitList(*inv.args.Value("--events"));
  if (events.empty()) return UsageError(kCmd, "--events: give at least one event type, or *");

  json::object body{{"objectType", type},
                    {"objectId", *inv.args.Value("--object-id")},
                    {"eventTypes", json::array(events.begin(), events.end())},
                    {"callBackUrl", *inv.args.Value("--url")}};
  if (auto v = inv.args.Value("--token")) body["callBackToken"] = *v;
  if (auto v = inv.args.Value("--context")) body["callBackContext"] = *v;
  if (auto v = inv.args.Value("--secret")) body["secret"] = *v;
  json::value auth;
  if (!AuthFromOptions(inv, kCmd, auth)) return kExitUsage;
  if (!auth.is_null()) body["auth"] = std::move(auth);
  if (!ValidityFromOptions(inv, kCmd, body)) return kExitUsage;
  FormatFromOptions(inv, body);

  return CallAndPrint(
      inv, "POST", "/v1/webhook", json::serialize(body), [&](const json::object& reply) {
        const json::object& o = reply;
        PrintFields(stdout,
                    {{"webhookId", FieldText(o, "webhookId")}, {"secret", FieldText(o, "secret")}});
        std::fflush(stdout);
        std::fputs("(keep the secret: the broker shows it only once; it verifies the signatures)\n",
                   stderr);
      });
}

int List(const Invocation& inv) {
  constexpr std::string_view kCmd = "webhook list";
  if (!inv.args.positionals().empty()) {
    return UsageError(kCmd, "unexpected argument '" + inv.args.positionals()[0] + "'");
  }
  std::vector<std::pair<std::string, std::string>> params;
  if (auto type = inv.args.Value("--object-type")) {
    if (!ValidObjectType(*type)) {
      return UsageError(
          kCmd, "--object-type: expected Group, ActionPackage or Action, got '" + *type + "'");
    }
    params.emplace_back("objectType", *type);
  }
  if (auto id = inv.args.Value("--object-id")) params.emplace_back("objectId", *id);
  bool failed = false;
  if (auto limit = IntOption(inv, kCmd, "--limit", 1, 1000, failed)) {
    params.emplace_back("limit", std::to_string(*limit));
  }
  if (failed) return kExitUsage;
  const bool all = inv.args.Has("--all");
  std::string cursor = inv.args.Value("--cursor").value_or("");

  int rc = kExitOk;
  auto api = Connect(inv, rc);
  if (!api) return rc;
  Table table({"ID", "OBJECT TYPE", "OBJECT ID", "EVENTS", "CALLBACK URL", "PAUSED"});
  return ListPages(
      inv, *api, "/v1/webhook", params, cursor, all, "webhooks", table,
      [](Table& t, const json::object& hook) {
        t.AddRow({FieldText(hook, "id"), FieldText(hook, "objectType"), FieldText(hook, "objectId"),
                  FieldList(hook, "events"), FieldText(hook, "callbackUrl"),
                  hook.contains("paused") ? FieldText(hook, "paused") : "no"});
      });
}

int Show(const Invocation& inv) {
  auto id = OnePositional(inv, "webhook show", "WEBHOOK_ID");
  if (!id) return kExitUsage;
  return CallAndPrint(inv, "GET", "/v1/webhook/" + PathSegment(*id), "",
                      [&](const json::object& reply) { PrintWebhook(reply); });
}

int Remove(const Invocation& inv) {
  auto id = OnePositional(inv, "webhook rm", "WEBHOOK_ID");
  if (!id) return kExitUsage;
  return CallAndPrint(
      inv, "DELETE", "/v1/webhook/" + PathSegment(*id), "",
      [&](const json::object&) { std::printf("deleted webhook %s\n", Printable(*id).c_str()); });
}

// PATCH with `body`, then the webhook as changed (or `done_message` when given).
int Patch(const Invocation& inv, const std::string& id, const json::object& body,
          const std::string& done_message) {
  return CallAndPrint(inv, "PATCH", "/v1/webhook/" + PathSegment(id), json::serialize(body),
                      [&](const json::object& reply) {
                        if (done_message.empty()) {
                          PrintWebhook(reply);
                        } else {
                          std::printf("%s\n", done_message.c_str());
                        }
                      });
}

int Pause(const Invocation& inv) {
  auto id = OnePositional(inv, "webhook pause", "WEBHOOK_ID");
  if (!id) return kExitUsage;
  return Patch(inv, *id, json::object{{"paused", true}},
               "paused webhook " + Printable(*id) +
                   " (new deliveries wait until: hookctl webhook resume " + Printable(*id) + ")");
}

int Resume(const Invocation& inv) {
  auto id = OnePositional(inv, "webhook resume", "WEBHOOK_ID");
  if (!id) return kExitUsage;
  return Patch(inv, *id, json::object{{"paused", false}}, "resumed webhook " + Printable(*id));
}

int Edit(const Invocation& inv) {
  constexpr std::string_view kCmd = "webhook edit";
  auto id = OnePositional(inv, kCmd, "WEBHOOK_ID");
  if (!id) return kExitUsage;
  json::object body;
  if (auto v = inv.args.Value("--url")) body["callBackUrl"] = *v;
  if (auto v = inv.args.Value("--events")) {
    const std::vector<std::string> events = SplitList(*v);
    if (events.empty()) return UsageError(kCmd, "--events: give at least one event type, or *");
    body["eventTypes"] = json::array(events.begin(), events.end());
  }
  if (auto v = inv.args.Value("--token")) body["callBackToken"] = *v;
  if (auto v = inv.args.Value("--context")) body["callBackContext"] = *v;
  json::value auth;
  if (!AuthFromOptions(inv, kCmd, auth)) return kExitUsage;
  if (inv.args.Has("--no-auth")) {
    if (!auth.is_null()) {
      return UsageError(kCmd, "--no-auth contradicts --basic-auth and --auth-token");
    }
    body["auth"] = nullptr;  // the API's way to remove it
  } else if (!auth.is_null()) {
    body["auth"] = std::move(auth);
  }
  if (!ValidityFromOptions(inv, kCmd, body)) return kExitUsage;
  FormatFromOptions(inv, body);
  if (body.empty()) return UsageError(kCmd, "nothing to change: give at least one option");
  return Patch(inv, *id, body, "");
}

}  // namespace

std::vector<Command> WebhookCommands() {
  const std::vector<OptionSpec> auth = {{"--basic-auth", true},
                                        {"--auth-token", true},
                                        {"--auth-header", true},
                                        {"--format", true},
                                        {"--content-type", true}};
  std::vector<OptionSpec> add_options = {
      {"--object-type", true}, {"--object-id", true}, {"--events", true}, {"--url", true},
      {"--token", true},       {"--context", true},   {"--secret", true}, {"--validity", true}};
  add_options.insert(add_options.end(), auth.begin(), auth.end());
  std::vector<OptionSpec> edit_options = {{"--url", true},      {"--events", true},
                                          {"--token", true},    {"--context", true},
                                          {"--no-auth", false}, {"--validity", true}};
  edit_options.insert(edit_options.end(), auth.begin(), auth.end());
  return {
      {{"webhook", "add"},
       "register a webhook; prints its id and secret",
       kAddHelp,
       add_options,
       Add},
      {{"webhook", "list"},
       "list webhooks",
       kListHelp,
       {{"--object-type", true},
        {"--object-id", true},
        {"--limit", true},
        {"--all", false},
        {"--cursor", true}},
       List},
      {{"webhook", "show"}, "show one webhook", kShowHelp, {}, Show},
      {{"webhook", "rm"}, "delete a webhook", kRmHelp, {}, Remove},
      {{"webhook", "pause"}, "hold a webhook's deliveries", kPauseHelp, {}, Pause},
      {{"webhook", "resume"}, "send a paused webhook's deliveries again", kResumeHelp, {}, Resume},
      {{"webhook", "edit"}, "change a webhook", kEditHelp, edit_options, Edit},
  };
}

}  // namespace hookctl
