#include "tools/hookctl/settings.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace hookctl {
namespace {

std::string Trim(std::string s) {
  const auto not_space = [](char c) { return c != ' ' && c != '\n' && c != '\r' && c != '\t'; };
  while (!s.empty() && !not_space(s.back())) s.pop_back();
  std::size_t start = 0;
  while (start < s.size() && !not_space(s[start])) ++start;
  return s.substr(start);
}

}  // namespace

hookbroker::Result<Settings> ResolveSettings(const Args& global) {
  Settings s;
  if (auto url = global.Value("--url")) {
    s.broker_url = *url;
  } else if (const char* env = std::getenv("HOOKBROKER_URL"); env != nullptr && *env != '\0') {
    s.broker_url = env;
  } else {
    s.broker_url = kDefaultBrokerUrl;
  }
  // A trailing slash would otherwise double the one every API path starts with.
  while (s.broker_url.size() > 1 && s.broker_url.back() == '/') s.broker_url.pop_back();

  if (auto key = global.Value("--api-key")) {
    s.api_key = *key;
    s.api_key_source = "--api-key";
  } else if (const char* env = std::getenv("HOOKBROKER_API_KEY"); env != nullptr && *env != '\0') {
    s.api_key = env;
    s.api_key_source = "HOOKBROKER_API_KEY";
  } else if (std::ifstream in(kDefaultKeyFile); in) {
    std::stringstream text;
    text << in.rdbuf();
    s.api_key = Trim(text.str());
    s.api_key_source = std::string("./") + kDefaultKeyFile;
  }

  if (auto ca = global.Value("--ca-file")) {
    s.ca_file = *ca;
  } else if (const char* env = std::getenv("HOOKBROKER_CA"); env != nullptr && *env != '\0') {
    s.ca_file = env;
  }
  if (!s.ca_file.empty() && !std::ifstream(s.ca_file)) {
    return hookbroker::Error::Invalid("--ca-file", "--ca-file: cannot read '" + s.ca_file + "'");
  }

  s.json = global.Has("--json");
  if (auto t = global.Value("--timeout")) {
    char* end = nullptr;
    const double seconds = std::strtod(t->c_str(), &end);
    if (t->empty() || end != t->c_str() + t->size() || !(seconds > 0) || seconds > 86400) {
      return hookbroker::Error::Invalid(
          "--timeout",
          "--timeout: expected a number of seconds above 0 (at most 86400), got '" + *t + "'");
    }
    s.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
    if (s.timeout.count() == 0) s.timeout = std::chrono::milliseconds(1);
  }
  return s;
}

}  // namespace hookctl
