// hookctl outgoing add | list | show | delete | regen-token: the broker's outgoing (trigger word)
// webhooks over REST (docs/CHAT.md "Outgoing webhooks": /v1/hooks/outgoing). Admin keys only.
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
    R"HELP(Usage: hookctl outgoing add --callback-urls URLS [--channel ID] [--trigger-words WORDS]
                            [--trigger-when equals|starts-with] [--json-payload]
                            [--display-name TEXT] [--description TEXT] [--username NAME]
                            [--icon-url URL] [--team-id ID]

Creates an outgoing webhook (POST /v1/hooks/outgoing): when a message in a public channel matches,
the broker POSTs Mattermost's payload to every callback URL, and a bot's JSON answer is posted in
the channel. Prints the hook's id and its token: give the token to the bot, which checks it in
every request.

Options:
  --callback-urls URLS     comma-separated URLs the broker POSTs to (required); https unless the
                           broker runs with --allow-http-callbacks
  --channel ID             the channel (/v1/channels) whose messages fire the hook; without it,
                           --trigger-words is required and every public channel counts
  --trigger-words WORDS    comma-separated words; the message's first word must match one
  --trigger-when WHEN      equals (default): the first word is a trigger word; starts-with: it
                           starts with one
  --json-payload           send JSON (timestamp in ms) instead of a form (timestamp in seconds)
  --display-name TEXT, --description TEXT
  --username NAME, --icon-url URL   the replies' name and icon when a bot's answer gives none
  --team-id ID             sent as team_id instead of the channel's
  and the global options (hookctl --help).

Prints "id: ..." and "token: ..." (with --json: the broker's reply).
Exit codes: 0 created; 1 the broker refused (message and field shown); 2 bad usage; 3 broker
unreachable; 4 API key refused; 6 not an admin key.
)HELP";

constexpr std::string_view kListHelp = R"HELP(Usage: hookctl outgoing list [--channel ID]

Lists the outgoing webhooks (GET /v1/hooks/outgoing) as a table: ID, CHANNEL, TRIGGER WORDS,
WHEN, CONTENT, CALLBACK URLS. Tokens are not shown (hookctl outgoing show ID shows one).
With --json: the broker's reply as is, tokens included.
Exit codes: 0 listed; 2 bad usage; 3 broker unreachable; 4 API key refused; 6 not an admin key.
)HELP";

constexpr std::string_view kShowHelp = R"HELP(Usage: hookctl outgoing show HOOK_ID

Shows one outgoing webhook (GET /v1/hooks/outgoing/{id}), its token included.
Exit codes: 0 shown; 2 bad usage; 3 broker unreachable; 4 API key refused; 5 no such hook; 6 not
an admin key.
)HELP";

constexpr std::string_view kDeleteHelp = R"HELP(Usage: hookctl outgoing delete HOOK_ID

Deletes an outgoing webhook (DELETE /v1/hooks/outgoing/{id}); it fires no more.
Exit codes: 0 deleted; 2 bad usage; 3 broker unreachable; 4 API key refused; 5 no such hook; 6
not an admin key.
)HELP";

constexpr std::string_view kRegenHelp = R"HELP(Usage: hookctl outgoing regen-token HOOK_ID

Gives the hook a new token (POST /v1/hooks/outgoing/{id}/regen_token) and prints it; the old one
is never sent again, so the bot must be given the new one.
Exit codes: 0 regenerated; 2 bad usage; 3 broker unreachable; 4 API key refused; 5 no such hook;
6 not an admin key.
)HELP";

std::string When(const json::object& o) {
  const json::value* v = o.if_contains("trigger_when");
  return v != nullptr && v->is_int64() && v->get_int64() == 1 ? "starts-with" : "equals";
}

std::string Content(const json::object& o) {
  return FieldText(o, "content_type") == "application/json" ? "json" : "form";
}

void PrintHook(const json::object& o) {
  PrintFields(stdout, {{"id", FieldText(o, "id")},
                       {"token", FieldText(o, "token")},
                       {"channel", FieldText(o, "channel_id")},
                       {"trigger words", FieldList(o, "trigger_words")},
                       {"trigger when", When(o)},
                       {"content", Content(o)},
                       {"callback urls", FieldList(o, "callback_urls")},
                       {"display name", FieldText(o, "display_name")},
                       {"username", FieldText(o, "username")},
                       {"created", FieldTime(o, "create_at")},
                       {"updated", FieldTime(o, "update_at")}});
}

int Add(const Invocation& inv) {
  constexpr std::string_view kCmd = "outgoing add";
  if (!inv.args.positionals().empty()) {
    return UsageError(kCmd, "unexpected argument '" + inv.args.positionals()[0] + "'");
  }
  const auto urls = inv.args.Value("--callback-urls");
  if (!urls) return UsageError(kCmd, "--callback-urls is required");
  json::object body;
  json::array url_list;
  for (const std::string& u : SplitList(*urls)) url_list.emplace_back(u);
  body["callback_urls"] = std::move(url_list);
  if (auto words = inv.args.Value("--trigger-words")) {
    json::array list;
    for (const std::string& w : SplitList(*words)) list.emplace_back(w);
    body["trigger_words"] = std::move(list);
  }
  if (auto when = inv.args.Value("--trigger-when")) {
    if (*when != "equals" && *when != "starts-with") {
      return UsageError(kCmd,
                        "--trigger-when: expected equals or starts-with, got '" + *when + "'");
    }
    body["trigger_when"] = *when == "starts-with" ? 1 : 0;
  }
  if (inv.args.Has("--json-payload")) body["content_type"] = "application/json";
  for (const auto& [option, field] :
       {std::pair{"--channel", "channel_id"}, std::pair{"--display-name", "display_name"},
        std::pair{"--description", "description"}, std::pair{"--username", "username"},
        std::pair{"--icon-url", "icon_url"}, std::pair{"--team-id", "team_id"}}) {
    if (auto v = inv.args.Value(option)) body[field] = *v;
  }
  return CallAndPrint(
      inv, "POST", "/v1/hooks/outgoing", json::serialize(body), [](const json::object& o) {
        PrintFields(stdout, {{"id", FieldText(o, "id")}, {"token", FieldText(o, "token")}});
        std::fflush(stdout);
        std::fputs("(give the token to the bot: it is in every request)\n", stderr);
      });
}

int List(const Invocation& inv) {
  constexpr std::string_view kCmd = "outgoing list";
  if (!inv.args.positionals().empty()) {
    return UsageError(kCmd, "unexpected argument '" + inv.args.positionals()[0] + "'");
  }
  std::string path = "/v1/hooks/outgoing";
  if (auto channel = inv.args.Value("--channel")) path += QueryString({{"channel_id", *channel}});
  return CallAndPrint(inv, "GET", path, "", [](const json::object& o) {
    Table table({"ID", "CHANNEL", "TRIGGER WORDS", "WHEN", "CONTENT", "CALLBACK URLS"});
    for (const json::value& item : FieldArray(o, "hooks")) {
      if (!item.is_object()) continue;
      const json::object& h = item.as_object();
      table.AddRow({FieldText(h, "id"), FieldText(h, "channel_id"), FieldList(h, "trigger_words"),
                    When(h), Content(h), FieldList(h, "callback_urls")});
    }
    if (table.empty()) {
      std::printf("no outgoing webhooks\n");
      return;
    }
    table.Print(stdout);
  });
}

int Show(const Invocation& inv) {
  auto id = OnePositional(inv, "outgoing show", "HOOK_ID");
  if (!id) return kExitUsage;
  return CallAndPrint(inv, "GET", "/v1/hooks/outgoing/" + PathSegment(*id), "", PrintHook);
}

int Delete(const Invocation& inv) {
  auto id = OnePositional(inv, "outgoing delete", "HOOK_ID");
  if (!id) return kExitUsage;
  return CallAndPrint(
      inv, "DELETE", "/v1/hooks/outgoing/" + PathSegment(*id), "", [](const json::object& o) {
        std::printf("deleted outgoing webhook %s\n", Printable(FieldText(o, "id")).c_str());
      });
}

int Regen(const Invocation& inv) {
  auto id = OnePositional(inv, "outgoing regen-token", "HOOK_ID");
  if (!id) return kExitUsage;
  return CallAndPrint(
      inv, "POST", "/v1/hooks/outgoing/" + PathSegment(*id) + "/regen_token", "",
      [](const json::object& o) {
        PrintFields(stdout, {{"id", FieldText(o, "id")}, {"token", FieldText(o, "token")}});
      });
}

}  // namespace

std::vector<Command> OutgoingHookCommands() {
  return {
      {{"outgoing", "add"},
       "create an outgoing (trigger word) webhook for a bot",
       kAddHelp,
       {{"--callback-urls", true},
        {"--channel", true},
        {"--trigger-words", true},
        {"--trigger-when", true},
        {"--json-payload", false},
        {"--display-name", true},
        {"--description", true},
        {"--username", true},
        {"--icon-url", true},
        {"--team-id", true}},
       Add},
      {{"outgoing", "list"}, "list the outgoing webhooks", kListHelp, {{"--channel", true}}, List},
      {{"outgoing", "show"}, "show an outgoing webhook and its token", kShowHelp, {}, Show},
      {{"outgoing", "delete"}, "delete an outgoing webhook", kDeleteHelp, {}, Delete},
      {{"outgoing", "regen-token"}, "give an outgoing webhook a new token", kRegenHelp, {}, Regen},
  };
}

}  // namespace hookctl
