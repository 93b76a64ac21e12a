// A hookctl command: its words ("webhook add"), its help and options, and what it does.
// main.cc finds the command, parses its options and resolves the global ones; the command then
// validates what it was given and talks to the broker.
#pragma once

#include <string_view>
#include <vector>

#include "tools/hookctl/args.h"
#include "tools/hookctl/settings.h"

namespace hookctl {

struct Invocation {
  Args args;          // the command's own options and positionals
  Settings settings;  // the global options, resolved
};

struct Command {
  std::vector<std::string_view> words;  // {"webhook", "add"}
  std::string_view summary;             // one line for `hookctl --help`
  std::string_view help;                // the whole `--help` text
  std::vector<OptionSpec> options;
  int (*run)(const Invocation&);
};

// Each commands_*.cc contributes its commands.
std::vector<Command> WebhookCommands();
std::vector<Command> PublishCommands();
std::vector<Command> DeliveryCommands();
std::vector<Command> TailCommands();
std::vector<Command> RequeueCommands();
std::vector<Command> StatsCommands();
std::vector<Command> ExportCommands();
std::vector<Command> SecretCommands();
std::vector<Command> KeyCommands();
std::vector<Command> OutgoingHookCommands();

}  // namespace hookctl
