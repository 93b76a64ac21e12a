// A second delivery baseline: cpp-httplib's Client, which the broker sent callbacks with before
// SocketSender (keep-alive, TCP_NODELAY, certificate verified against the bench CA),
// `connections` threads each with its own client, POSTing the same body to a receiver for
// `seconds`: what a general-purpose blocking client reaches from one process, for comparison.
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
