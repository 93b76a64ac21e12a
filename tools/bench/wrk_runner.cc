#include "tools/bench/wrk_runner.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>

#include "tools/bench/child_process.h"

namespace hookbench {
namespace {

// CPU of this process's children that have ended and been waited for.
double ChildrenCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace

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
  const double children_cpu_before = ChildrenCpuSeconds();
  CommandResult r =
      RunCommand({"wrk", "-t", std::to_string(threads), "-c", std::to_string(connections), "-d",
                  std::to_string(duration) + "s", "-s", script_path, url},
                 std::chrono::seconds(duration + 30));
  result.cpu_seconds = ChildrenCpuSeconds() - children_cpu_before;
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
  // "  123456 requests in 5.00s, ..."
  const std::size_t in = r.output.find(" requests in ");
  if (in != std::string::npos) {
    const std::size_t start = r.output.find_last_not_of("0123456789", in - 1) + 1;
    result.requests = std::strtod(r.output.substr(start, in - start).c_str(), nullptr);
  }
  return result;
}

}  // namespace hookbench
