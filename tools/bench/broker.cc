#include "tools/bench/broker.h"

#include <httplib.h>
#include <signal.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

namespace hookbench {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::unique_ptr<httplib::Client> RestClient(const std::string& url, const std::string& key) {
  auto client = std::make_unique<httplib::Client>(url);
  client->set_tcp_nodelay(true);
  client->set_keep_alive(true);
  client->set_connection_timeout(5, 0);
  client->set_read_timeout(30, 0);
  client->set_write_timeout(30, 0);
  client->set_default_headers({{"accessToken", key}});
  return client;
}

std::string WebhookBody(const std::string& group, const std::string& url,
                        const std::string& event_types_json) {
  return R"({"objectType":"Group","objectId":")" + group + R"(","eventTypes":)" + event_types_json +
         R"(,"callBackUrl":")" + url + R"(","callBackToken":"bench-token"})";
}

// The value of "webhookId" in a registration reply.
std::optional<std::string> WebhookId(const std::string& body) {
  static const std::string kKey = "\"webhookId\":\"";
  const std::size_t at = body.find(kKey);
  if (at == std::string::npos) return std::nullopt;
  const std::size_t start = at + kKey.size();
  const std::size_t end = body.find('"', start);
  if (end == std::string::npos) return std::nullopt;
  return body.substr(start, end - start);
}

}  // namespace

Broker::~Broker() {
  if (child_) Stop();
}

bool Broker::Start(std::chrono::milliseconds timeout, std::string* error) {
  std::vector<std::string> argv = {config_.binary,
                                   "--data-dir",
                                   config_.data_dir,
                                   "--http-listen",
                                   "127.0.0.1:0",
                                   "--ingest-listen",
                                   "tcp://127.0.0.1:*",
                                   "--posts-listen",
                                   "tcp://127.0.0.1:*",
                                   "--api-key",
                                   config_.api_key,
                                   "--allow-http-callbacks",
                                   "--callback-allow",
                                   "127.0.0.0/8",
                                   "--ca-file",
                                   config_.ca_file,
                                   "--endpoint-concurrency",
                                   std::to_string(config_.endpoint_concurrency),
                                   "--delivery-workers",
                                   std::to_string(config_.delivery_workers)};
  if (config_.callback_timeout > 0) {
    argv.insert(argv.end(), {"--callback-timeout", std::to_string(config_.callback_timeout)});
  }
  argv.insert(argv.end(), config_.extra.begin(), config_.extra.end());

  child_ = std::make_unique<ChildProcess>();
  spawned_at_ = Clock::now();
  if (!child_->Start(argv, config_.log_path)) {
    *error = "cannot start " + config_.binary;
    return false;
  }
  std::string line;
  if (!child_->WaitForLine("hookbroker ready ", timeout, &line)) {
    *error = "no ready line from the broker (see " + config_.log_path + ")";
    return false;
  }
  ready_seconds_ = SecondsSince(spawned_at_);
  std::istringstream tokens(line);
  std::string token;
  while (tokens >> token) {
    if (token.rfind("rest=", 0) == 0) rest_url_ = token.substr(5);
    if (token.rfind("ingest=", 0) == 0) ingest_ = token.substr(7);
  }
  auto client = RestClient(rest_url_, config_.api_key);
  const auto deadline = spawned_at_ + timeout;
  while (true) {
    auto res = client->Get("/healthz");
    if (res && res->status == 200) break;
    if (Clock::now() >= deadline) {
      *error = "GET /healthz did not answer 200";
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  healthz_seconds_ = SecondsSince(spawned_at_);
  return true;
}

int Broker::Stop() {
  if (!child_) return -1;
  const int status = child_->Stop(SIGTERM, std::chrono::seconds(60));
  child_.reset();
  return status;
}

std::optional<std::string> Broker::RegisterGroupWebhook(const std::string& group,
                                                        const std::string& url,
                                                        const std::string& event_types_json,
                                                        std::string* error) {
  auto client = RestClient(rest_url_, config_.api_key);
  auto res =
      client->Post("/v1/webhook", WebhookBody(group, url, event_types_json), "application/json");
  if (!res) {
    *error = "POST /v1/webhook: " + httplib::to_string(res.error());
    return std::nullopt;
  }
  if (res->status != 200) {
    *error = "POST /v1/webhook: HTTP " + std::to_string(res->status) + " " + res->body;
    return std::nullopt;
  }
  auto id = WebhookId(res->body);
  if (!id) *error = "no webhookId in " + res->body;
  return id;
}

int Broker::RegisterMany(int count, const std::string& group, const std::string& url, int threads) {
  std::atomic<int> next{0};
  std::atomic<int> ok{0};
  const std::string body = WebhookBody(group, url, R"(["*"])");
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      auto client = RestClient(rest_url_, config_.api_key);
      while (next.fetch_add(1) < count) {
        auto res = client->Post("/v1/webhook", body, "application/json");
        if (res && res->status == 200) ok.fetch_add(1);
      }
    });
  }
  for (auto& w : workers) w.join();
  return ok.load();
}

bool Broker::SetPaused(const std::string& webhook_id, bool paused) {
  auto client = RestClient(rest_url_, config_.api_key);
  auto res = client->Patch("/v1/webhook/" + webhook_id,
                           std::string(R"({"paused":)") + (paused ? "true" : "false") + "}",
                           "application/json");
  return res && res->status == 200;
}

std::string Broker::Died() {
  int status = 0;
  if (!child_ || child_->Running(&status)) return "";
  std::ifstream in(config_.log_path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  std::string tail;
  for (std::size_t i = lines.size() > 3 ? lines.size() - 3 : 0; i < lines.size(); ++i) {
    tail += (tail.empty() ? "" : " | ") + lines[i];
  }
  return "the broker exited (status " + std::to_string(status) + "; log " + config_.log_path +
         " ends: " + tail + ")";
}

void Broker::WaitIdle(std::chrono::milliseconds quiet, std::chrono::milliseconds max) const {
  const auto deadline = Clock::now() + max;
  double last = CpuSeconds(pid());
  auto flat_since = Clock::now();
  while (Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const double now = CpuSeconds(pid());
    // At most one clock tick (10 ms) per 50 ms poll counts as idle: timers still run.
    if (now - last > 0.011) flat_since = Clock::now();
    last = now;
    if (Clock::now() - flat_since >= quiet) return;
  }
}

}  // namespace hookbench
