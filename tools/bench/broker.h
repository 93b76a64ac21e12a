// The real hookbroker daemon as a child process with its own data folder, plus the few REST
// calls the scenarios need (register, pause/resume). Callbacks to loopback over http and https
// are allowed; the bench's CA is trusted.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tools/bench/child_process.h"

namespace hookbench {

struct BrokerConfig {
  std::string binary;
  std::string data_dir;
  std::string api_key;
  std::string ca_file;
  std::string log_path;  // the broker's stderr
  int endpoint_concurrency = 4;
  int delivery_workers = 32;
  int callback_timeout = 0;  // seconds; 0: the broker's default
  std::vector<std::string> extra;
};

class Broker {
 public:
  explicit Broker(BrokerConfig config) : config_(std::move(config)) {}
  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  // Spawns the daemon and waits for its ready line, then for GET /healthz 200.
  bool Start(std::chrono::milliseconds timeout, std::string* error);
  int Stop();  // SIGTERM, graceful; exit status

  double ready_seconds() const { return ready_seconds_; }      // spawn → ready line
  double healthz_seconds() const { return healthz_seconds_; }  // spawn → /healthz 200
  std::chrono::steady_clock::time_point spawned_at() const { return spawned_at_; }
  const std::string& rest_url() const { return rest_url_; }
  const std::string& ingest() const { return ingest_; }
  pid_t pid() const { return child_ ? child_->pid() : -1; }

  // POST /v1/webhook for a Group subscription; the webhook id, or nullopt (*error says why).
  std::optional<std::string> RegisterGroupWebhook(const std::string& group, const std::string& url,
                                                  const std::string& event_types_json,
                                                  std::string* error);
  // `count` registrations of the same group and URL from `threads` parallel keep-alive
  // connections; the number that succeeded.
  int RegisterMany(int count, const std::string& group, const std::string& url, int threads);
  bool SetPaused(const std::string& webhook_id, bool paused);

  // "" while the broker runs; otherwise how it ended and the last lines of its log (a crash
  // becomes an ERROR row that says so, not a producer timeout).
  std::string Died();

  // Waits until the broker's CPU time stays flat for `quiet` (nothing left to do), at most `max`.
  void WaitIdle(std::chrono::milliseconds quiet, std::chrono::milliseconds max) const;

 private:
  BrokerConfig config_;
  std::unique_ptr<ChildProcess> child_;
  std::chrono::steady_clock::time_point spawned_at_;
  double ready_seconds_ = 0;
  double healthz_seconds_ = 0;
  std::string rest_url_;
  std::string ingest_;
};

}  // namespace hookbench
