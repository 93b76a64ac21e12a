// Config: the daemon's settings, from flags and from a JSON file (--config). Flags given on the
// command line win over the file. ParseConfig never exits; main() prints and exits.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "proto/address_policy.h"
#include "proto/result.h"
#include "proto/retry_schedule.h"

namespace hookbroker {

struct Config {
  std::string data_dir = "./data";
  std::string http_listen = "127.0.0.1:8080";
  std::string ingest_listen = "tcp://127.0.0.1:5555";
  std::vector<std::string> api_keys;  // empty: a key is generated into DATA_DIR/api-key
  std::string api_tls_cert;           // both set: the REST API serves HTTPS
  std::string api_tls_key;
  bool allow_http_callbacks = false;
  std::string ca_file;
  std::vector<Cidr> callback_allow;
  std::vector<std::string> callback_allow_text;  // as given, for logging
  RetrySchedule retry_schedule = RetrySchedule::Default();
  bool validation_handshake = true;
  int delivery_workers = 32;
  int endpoint_concurrency = 4;
  int max_unrecorded = 0;  // attempts sent and not yet recorded; 0: 32 × delivery_workers
  std::chrono::milliseconds record_linger{25};   // DispatcherOptions::record_linger
  std::chrono::milliseconds record_patience{4};  // StoreOptions::record_patience
  std::chrono::milliseconds callback_timeout{15000};
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds dns_cache{30000};  // how long a callback host's addresses are kept
  int breaker_failures = 5;
  std::chrono::milliseconds breaker_cooldown{10000};
  std::chrono::milliseconds disable_after{5LL * 24 * 3600 * 1000};  // 0: never
  std::uint64_t map_size_mb = 16384;
  std::chrono::milliseconds retention{30LL * 24 * 3600 * 1000};
  std::chrono::milliseconds gc_interval{60 * 1000};
  bool log_json = false;
  std::string posts_listen = "tcp://127.0.0.1:5556";  // chat posts (docs/CHAT.md)
  // Outgoing (trigger word) webhooks (docs/CHAT.md).
  std::chrono::milliseconds outgoing_webhook_timeout{30000};
  int outgoing_webhook_queue = 1000;
  int outgoing_webhook_workers = 2;

  bool show_help = false;
  bool show_version = false;
};

// argv without the program name. Errors name the flag.
Result<Config> ParseConfig(const std::vector<std::string>& args);

// The --help text.
std::string Usage();

}  // namespace hookbroker
