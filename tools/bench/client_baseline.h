// A second delivery baseline: the cpp-httplib Client the broker itself sends with (keep-alive,
// TCP_NODELAY, certificate verified against the bench CA), `connections` threads each with its
// own client, POSTing the same body to a receiver for `seconds`. Separates "what the HTTP stack
// can do from this process" from "what the broker's delivery pipeline does on top of it".
#pragma once

#include <string>

namespace hookbench {

struct ClientBaselineResult {
  double requests_per_second = 0;
  std::string error;
};

ClientBaselineResult RunClientBaseline(const std::string& base_url, const std::string& ca_file,
                                       const std::string& body, int connections, double seconds);

}  // namespace hookbench
