// HooksinkOptions: hooksink's settings and its command-line parser. No I/O except reading the
// files named by --secret-file.
//
// Thread-safety: plain values and a pure function.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "proto/result.h"
#include "subscribers/callback_verifier.h"
#include "subscribers/event_forwarder.h"
#include "subscribers/http_endpoint.h"

namespace hookbroker::subscribers {

struct HooksinkOptions {
  EndpointOptions endpoint;                // --listen, --tls-cert, --tls-key, --max-body
  std::string path;                        // --path: only this path is served; empty: any
  std::string data_dir = "hooksink-data";  // --data-dir
  int retention_days = 30;                 // --retention-days; 0: keep everything
  VerifierOptions verifier;    // --secret(-file), --token, --basic-auth, --auth-header, ...
  ForwarderOptions forwarder;  // --output, --exec
  // --fault-injection kill-after-store: SIGKILL itself after storing a new callback and before
  // answering it. For testing that the broker's retry covers a receiver crash; never in use.
  bool kill_after_store = false;
  bool help = false;  // --help
};

// Parses argv[1..]. Errors name the flag ("--listen: expected HOST:PORT").
Result<HooksinkOptions> ParseHooksinkArgs(const std::vector<std::string>& args);

// The --help text.
std::string HooksinkUsage();

}  // namespace hookbroker::subscribers
