// Command-line options: `--name VALUE`, `--name=VALUE`, boolean `--flag`, positionals, and `--`.
//
// Each command declares its options; global options (--url, --json, ...) may appear before or
// after the command. When a command declares an option with a global's name (webhook add's
// --url is the callback URL), the command's meaning wins after the command word.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hookctl {

struct OptionSpec {
  std::string_view name;  // "--url", "-o"
  bool takes_value = false;
  std::string_view alias = "";  // another spelling of the same option ("-h" for "--help")
};

class Args {
 public:
  bool Has(std::string_view name) const { return values_.count(std::string(name)) > 0; }
  // The option's value (the last one when repeated); nullopt when absent or a boolean flag.
  std::optional<std::string> Value(std::string_view name) const;
  const std::vector<std::string>& positionals() const { return positionals_; }

  void Set(std::string name, std::optional<std::string> value) {
    values_[std::move(name)] = std::move(value);
  }
  void AddPositional(std::string value) { positionals_.push_back(std::move(value)); }

 private:
  std::map<std::string, std::optional<std::string>> values_;
  std::vector<std::string> positionals_;
};

// The options every command accepts.
const std::vector<OptionSpec>& GlobalOptionSpecs();

struct ParsedCommandLine {
  Args command;  // the command's own options and positionals
  Args global;   // global options, wherever they appeared
};

// Parses `tokens` (what follows the command words). Options found in `specs` go to `command`,
// the remaining ones in GlobalOptionSpecs() go to `global`; anything else is an error. Returns
// the error message (for "hookctl: ...") when the line cannot be parsed.
std::optional<std::string> ParseCommandLine(const std::vector<std::string>& tokens,
                                            const std::vector<OptionSpec>& specs,
                                            ParsedCommandLine& out);

// Parses the global options before the command word: stops at the first token that is not an
// option and sets `next` to its index. Returns the error message when one is malformed.
std::optional<std::string> ParseLeadingGlobals(const std::vector<std::string>& tokens, Args& global,
                                               std::size_t& next);

}  // namespace hookctl
