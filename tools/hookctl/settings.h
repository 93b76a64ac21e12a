// The global options, resolved from flags, the environment and the broker's default key file.
#pragma once

#include <chrono>
#include <string>

#include "proto/result.h"
#include "tools/hookctl/args.h"

namespace hookctl {

inline constexpr const char* kDefaultBrokerUrl = "http://127.0.0.1:8080";
inline constexpr const char* kDefaultIngestEndpoint = "tcp://127.0.0.1:5555";
inline constexpr const char* kDefaultKeyFile = "data/api-key";
inline constexpr std::chrono::milliseconds kDefaultTimeout{15'000};

struct Settings {
  std::string broker_url;      // --url, $HOOKBROKER_URL, or kDefaultBrokerUrl
  std::string api_key;         // empty: none found; the broker will answer 401
  std::string api_key_source;  // where api_key came from, for the 401 message
  std::string ca_file;         // --ca-file or $HOOKBROKER_CA: trusted for an https:// broker
  bool json = false;
  std::chrono::milliseconds timeout = kDefaultTimeout;
};

// Flags win over environment variables, which win over ./data/api-key (the key the broker
// writes on first start, so that hookctl works as is next to a broker started by tools/run.sh).
// An error (a bad --timeout) is a usage error.
hookbroker::Result<Settings> ResolveSettings(const Args& global);

}  // namespace hookctl
