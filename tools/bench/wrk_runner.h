// The raw HTTP baseline: wrk (Debian package `wrk`) POSTing a callback-sized body with
// callback-like headers over `connections` keep-alive connections (the broker's
// --endpoint-concurrency), for `seconds`. The Lua script goes to a temp file.
#pragma once

#include <string>

namespace hookbench {

struct WrkResult {
  double requests_per_second = 0;
  std::string error;  // wrk missing or its output not understood
};

WrkResult RunWrk(const std::string& url, const std::string& body, int connections, double seconds,
                 const std::string& script_path);

}  // namespace hookbench
