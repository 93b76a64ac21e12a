#include "tools/hookctl/args.h"

namespace hookctl {
namespace {

const OptionSpec* Find(const std::vector<OptionSpec>& specs, std::string_view name) {
  for (const OptionSpec& s : specs) {
    if (s.name == name || (!s.alias.empty() && s.alias == name)) return &s;
  }
  return nullptr;
}

}  // namespace

std::optional<std::string> Args::Value(std::string_view name) const {
  auto it = values_.find(std::string(name));
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

const std::vector<OptionSpec>& GlobalOptionSpecs() {
  static const std::vector<OptionSpec> kSpecs = {
      {"--url", true},         {"--api-key", true},  {"--json", false},   {"--timeout", true},
      {"--help", false, "-h"}, {"--version", false}, {"--ca-file", true},
  };
  return kSpecs;
}

std::optional<std::string> ParseCommandLine(const std::vector<std::string>& tokens,
                                            const std::vector<OptionSpec>& specs,
                                            ParsedCommandLine& out) {
  bool only_positionals = false;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string& token = tokens[i];
    // "-" is the conventional name of standard input, not an option.
    if (only_positionals || token == "-" || token.empty() || token[0] != '-') {
      out.command.AddPositional(token);
      continue;
    }
    if (token == "--") {
      only_positionals = true;
      continue;
    }
    std::string name = token;
    std::optional<std::string> inline_value;
    if (const auto eq = token.find('='); token.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = token.substr(0, eq);
      inline_value = token.substr(eq + 1);
    }
    Args* target = &out.command;
    const OptionSpec* spec = Find(specs, name);
    if (spec == nullptr) {
      spec = Find(GlobalOptionSpecs(), name);
      target = &out.global;
    }
    if (spec == nullptr) return "unknown option " + name;
    if (!spec->takes_value) {
      if (inline_value) return name + " takes no value";
      target->Set(std::string(spec->name), std::nullopt);
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= tokens.size()) return name + " needs a value";
      inline_value = tokens[++i];
    }
    target->Set(std::string(spec->name), std::move(inline_value));
  }
  return std::nullopt;
}

std::optional<std::string> ParseLeadingGlobals(const std::vector<std::string>& tokens, Args& global,
                                               std::size_t& next) {
  next = 0;
  while (next < tokens.size() && tokens[next].size() > 1 && tokens[next][0] == '-') {
    std::string name = tokens[next];
    std::optional<std::string> inline_value;
    if (const auto eq = name.find('='); name.rfind("--", 0) == 0 && eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
    }
    const OptionSpec* spec = Find(GlobalOptionSpecs(), name);
    if (spec == nullptr) return "unknown option " + name + " (before the command)";
    ++next;
    if (!spec->takes_value) {
      if (inline_value) return name + " takes no value";
      global.Set(std::string(spec->name), std::nullopt);
      continue;
    }
    if (!inline_value) {
      if (next >= tokens.size()) return name + " needs a value";
      inline_value = tokens[next++];
    }
    global.Set(std::string(spec->name), std::move(inline_value));
  }
  return std::nullopt;
}

}  // namespace hookctl
