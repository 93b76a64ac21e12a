#include "tools/bench/client_baseline.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace hookbench {

ClientBaselineResult RunClientBaseline(const std::string& base_url, const std::string& ca_file,
                                       const std::string& body, int connections, double seconds) {
  ClientBaselineResult result;
  std::atomic<long> ok{0};
  std::atomic<long> failed{0};
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                    std::chrono::duration<double>(seconds));
  std::vector<std::thread> threads;
  for (int t = 0; t < connections; ++t) {
    threads.emplace_back([&] {
      httplib::Client client(base_url);
      client.set_tcp_nodelay(true);
      client.set_keep_alive(true);
      client.set_connection_timeout(5, 0);
      client.set_read_timeout(15, 0);
      client.set_write_timeout(15, 0);
      if (base_url.rfind("https", 0) == 0) {
        client.enable_server_certificate_verification(true);
        client.set_ca_cert_path(ca_file.c_str());
      }
      const httplib::Headers headers = {
          {"webhook-id", "msg_0123456789abcdef0123456789abcdef"},
          {"webhook-timestamp", "1700000000"},
          {"webhook-signature", "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4="},
          {"kz-callback-token", "bench-token"}};
      while (std::chrono::steady_clock::now() < deadline) {
        auto res = client.Post("/hook", headers, body, "application/json");
        if (res && res->status == 200) {
          ok.fetch_add(1);
        } else {
          failed.fetch_add(1);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (failed.load() > 0) result.error = std::to_string(failed.load()) + " requests failed";
  result.requests_per_second = static_cast<double>(ok.load()) / elapsed;
  return result;
}

}  // namespace hookbench
