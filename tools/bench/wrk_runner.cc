#include "tools/bench/wrk_runner.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>

#include "tools/bench/child_process.h"

namespace hookbench {

WrkResult RunWrk(const std::string& url, const std::string& body, int connections, double seconds,
                 const std::string& script_path) {
  WrkResult result;
  {
    std::ofstream script(script_path);
    // A long bracket with a level the body cannot contain.
    script << "wrk.method = \"POST\"\n"
           << "wrk.body = [==[" << body << "]==]\n"
           << "wrk.headers[\"Content-Type\"] = \"application/json\"\n"
           << "wrk.headers[\"webhook-id\"] = \"msg_0123456789abcdef0123456789abcdef\"\n"
           << "wrk.headers[\"webhook-timestamp\"] = \"1700000000\"\n"
           << "wrk.headers[\"webhook-signature\"] = "
              "\"v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=\"\n"
           << "wrk.headers[\"kz-callback-token\"] = \"bench-token\"\n";
    if (!script) {
      result.error = "cannot write " + script_path;
      return result;
    }
  }
  const int threads = std::max(1, std::min(2, connections));
  const int duration = std::max(1, static_cast<int>(std::lround(seconds)));
  CommandResult r =
      RunCommand({"wrk", "-t", std::to_string(threads), "-c", std::to_string(connections), "-d",
                  std::to_string(duration) + "s", "-s", script_path, url},
                 std::chrono::seconds(duration + 30));
  std::ofstream(script_path + ".out") << r.output;
  // wrk counts every answer, errors included: only a clean run is a baseline.
  if (r.output.find("Non-2xx") != std::string::npos ||
      r.output.find("Socket errors") != std::string::npos) {
    result.error = "wrk saw errors: " + r.output;
    return result;
  }
  const std::string kKey = "Requests/sec:";
  const std::size_t at = r.output.find(kKey);
  if (r.exit_code != 0 || at == std::string::npos) {
    result.error = "wrk failed (exit " + std::to_string(r.exit_code) + "): " + r.output;
    return result;
  }
  result.requests_per_second = std::stod(r.output.substr(at + kKey.size()));
  return result;
}

}  // namespace hookbench
