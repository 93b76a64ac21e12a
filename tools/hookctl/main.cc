// hookctl: the operator's command line for hookbroker (docs/HOOKCTL.md).
//
// This file finds the command named on the command line, parses its options, resolves the
// global ones and runs it; the commands live in commands_*.cc.
#include <cstdio>
#include <string>
#include <vector>

#include "tools/hookctl/args.h"
#include "tools/hookctl/command.h"
#include "tools/hookctl/exit_code.h"
#include "tools/hookctl/report.h"
#include "tools/hookctl/settings.h"

namespace hookctl {
namespace {

constexpr std::string_view kGlobalHelp = R"HELP(
Global options (before or after the command):
  --url URL          the broker's REST API (default $HOOKBROKER_URL, else http://127.0.0.1:8080).
                     After "webhook add" and "webhook edit", --url is the callback URL; give the
                     broker's URL before the command there.
  --api-key KEY      the API key (default $HOOKBROKER_API_KEY, else the contents of
                     ./data/api-key when it exists: the key the broker creates on first start)
  --json             print the broker's JSON as it sent it, for scripts
  --timeout SECONDS  how long to wait for the broker (default 15)
  --ca-file PEM      CA certificates to trust for an https:// broker, instead of the system's
                     (default $HOOKBROKER_CA)
  -h, --help         this help; "hookctl COMMAND --help" for a command's
  --version          hookctl's version

TIME options accept epoch milliseconds, RFC 3339 UTC (2026-11-24T02:00:00Z), or an age meaning
that long ago (30m, 2h, 1d). Tables show times in UTC.

Environment: HOOKBROKER_URL, HOOKBROKER_API_KEY, HOOKBROKER_CA, HOOKBROKER_INGEST (publish's
endpoint).

Exit codes:
  0  success
  1  the broker answered with an error not listed below, or an event was rejected
  2  bad usage or input
  3  the broker could not be reached, or did not answer in time
  4  the broker refused the API key (401)
  5  not found (404): no such webhook or delivery
  6  the API key may not do this (403): a read-only key asked to change something
)HELP";

std::vector<Command> AllCommands() {
  std::vector<Command> all;
  for (auto part :
       {WebhookCommands, SecretCommands, PublishCommands, DeliveryCommands, TailCommands,
        RequeueCommands, StatsCommands, ExportCommands, KeyCommands, OutgoingHookCommands}) {
    for (Command& c : part()) all.push_back(std::move(c));
  }
  return all;
}

std::string Words(const Command& c) {
  std::string out;
  for (std::string_view w : c.words) out += (out.empty() ? "" : " ") + std::string(w);
  return out;
}

void PrintOverview(std::FILE* out, const std::vector<Command>& commands,
                   std::string_view group = "") {
  const std::string what = group.empty() ? "COMMAND" : std::string(group) + " SUBCOMMAND";
  std::fprintf(out,
               "hookctl: operate a hookbroker\n\nUsage: hookctl [GLOBAL OPTIONS] %s [OPTIONS]\n\n"
               "Commands:\n",
               what.c_str());
  for (const Command& c : commands) {
    if (!group.empty() && c.words[0] != group) continue;
    std::fprintf(out, "  %-21s %s\n", Words(c).c_str(), std::string(c.summary).c_str());
  }
  std::fputs(std::string(kGlobalHelp).c_str(), out);
}

void PrintCommandHelp(const Command& c) {
  std::fputs(std::string(c.help).c_str(), stdout);
  std::fputs(
      "\nGlobal options: --url URL, --api-key KEY, --json, --timeout SECONDS, --ca-file PEM "
      "(hookctl --help).\n",
      stdout);
}

bool IsGroup(const std::vector<Command>& commands, std::string_view word) {
  for (const Command& c : commands) {
    if (c.words.size() > 1 && c.words[0] == word) return true;
  }
  return false;
}

// The command named by tokens[at...]; sets `used` to the number of words it took.
const Command* Find(const std::vector<Command>& commands, const std::vector<std::string>& tokens,
                    std::size_t at, std::size_t& used) {
  for (const Command& c : commands) {
    if (at + c.words.size() > tokens.size()) continue;
    bool match = true;
    for (std::size_t k = 0; k < c.words.size(); ++k) match = match && tokens[at + k] == c.words[k];
    if (match) {
      used = c.words.size();
      return &c;
    }
  }
  return nullptr;
}

int Main(const std::vector<std::string>& tokens) {
  const std::vector<Command> commands = AllCommands();
  Args leading;
  std::size_t at = 0;
  if (auto error = ParseLeadingGlobals(tokens, leading, at)) {
    return Fail(kExitUsage, *error + " (see hookctl --help)");
  }
  if (leading.Has("--version")) {
    std::printf("hookctl %s\n", HOOKBROKER_VERSION);
    return kExitOk;
  }
  if (at >= tokens.size()) {
    if (leading.Has("--help")) {
      PrintOverview(stdout, commands);
      return kExitOk;
    }
    PrintOverview(stderr, commands);
    return kExitUsage;
  }

  // "hookctl help [COMMAND...]" is the same as "hookctl [COMMAND...] --help".
  std::vector<std::string> words(tokens.begin() + static_cast<std::ptrdiff_t>(at), tokens.end());
  bool help = leading.Has("--help");
  if (words[0] == "help") {
    words.erase(words.begin());
    help = true;
    if (words.empty()) {
      PrintOverview(stdout, commands);
      return kExitOk;
    }
  }

  std::size_t used = 0;
  const Command* command = Find(commands, words, 0, used);
  if (command == nullptr) {
    if (IsGroup(commands, words[0])) {
      const bool asked = help || (words.size() > 1 && (words[1] == "--help" || words[1] == "-h"));
      if (asked) {
        PrintOverview(stdout, commands, words[0]);
        return kExitOk;
      }
      if (words.size() == 1) {
        PrintOverview(stderr, commands, words[0]);
        return Fail(kExitUsage, "'" + words[0] + "' needs a subcommand (listed above)");
      }
      return Fail(kExitUsage, "unknown command '" + words[0] + " " + words[1] + "' (see hookctl " +
                                  words[0] + " --help)");
    }
    return Fail(kExitUsage, "unknown command '" + words[0] + "' (see hookctl --help)");
  }

  ParsedCommandLine parsed;
  const std::vector<std::string> rest(words.begin() + static_cast<std::ptrdiff_t>(used),
                                      words.end());
  if (auto error = ParseCommandLine(rest, command->options, parsed)) {
    return Fail(kExitUsage, *error + " (see hookctl " + Words(*command) + " --help)");
  }
  if (help || parsed.global.Has("--help")) {
    PrintCommandHelp(*command);
    return kExitOk;
  }
  if (parsed.global.Has("--version")) {
    std::printf("hookctl %s\n", HOOKBROKER_VERSION);
    return kExitOk;
  }
  // Options after the command override the same ones before it.
  Args global = leading;
  for (const OptionSpec& spec : GlobalOptionSpecs()) {
    if (parsed.global.Has(spec.name)) {
      global.Set(std::string(spec.name), parsed.global.Value(spec.name));
    }
  }
  auto settings = ResolveSettings(global);
  if (!settings) return Fail(kExitUsage, settings.error().message);
  return command->run(Invocation{std::move(parsed.command), std::move(*settings)});
}

}  // namespace
}  // namespace hookctl

int main(int argc, char** argv) {
  return hookctl::Main(std::vector<std::string>(argv + 1, argv + argc));
}
