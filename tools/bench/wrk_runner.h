// The raw HTTP baseline: wrk (Debian package `wrk`) POSTing a callback-sized body with
// callback-like headers over `connections` keep-alive connections (the broker's
// --endpoint-concurrency), for `seconds`. The Lua script goes to a temp file.
#pragma once

#include <string>

namespace hookbench {

struct WrkResult {
  double requests_per_second = 0;
  double requests = 0;     // answered in the run
  double cpu_seconds = 0;  // wrk's own CPU (user + system), for the CPU-per-request diagnosis
  std::string error;       // wrk missing or its output not understood
};

WrkResult RunWrk(const std::string& url, const std::string& body, int connections, double seconds,
                 const std::string& script_path);

}  // namespace hookbench
