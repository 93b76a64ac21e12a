#include "tools/bench/receiver.h"

#include <httplib.h>

#include <algorithm>
#include <charconv>

#include "proto/httplib_listener.h"

namespace hookbench {

std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Receiver::Receiver(ReceiverOptions options) : options_(std::move(options)) {}

Receiver::~Receiver() { Stop(); }

bool Receiver::Start() {
  if (options_.tls) {
    auto ssl =
        std::make_unique<httplib::SSLServer>(options_.cert_file.c_str(), options_.key_file.c_str());
    if (!ssl->is_valid()) return false;
    server_ = std::move(ssl);
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  httplib::Server& s = *server_;
  // PITFALLS.md: NODELAY is off by default (delayed-ACK stalls); 5 requests per connection by
  // default. An idle kept-alive connection holds a pool thread, hence the pool size.
  s.set_tcp_nodelay(true);
  s.set_keep_alive_max_count(100000000);
  s.set_keep_alive_timeout(10);
  s.set_read_timeout(30, 0);
  s.set_write_timeout(30, 0);
  const int threads = options_.threads;
  s.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };

  s.Get("/hook", [](const httplib::Request& req, httplib::Response& res) {
    if (req.has_param("validationToken")) {
      res.set_content(req.get_param_value("validationToken"), "text/plain");
    } else {
      res.status = 404;
    }
  });
  s.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
    if (options_.hang) {
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      while (!released_.load() && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      res.status = 503;
      return;
    }
    if (InOutage()) {
      refused_.fetch_add(1);
      res.status = 503;
      return;
    }
    OnPost(req.body);
    res.set_content("ok", "text/plain");
  });
  started_at_ = std::chrono::steady_clock::now();
  port_ = hookbroker::BindHttplibServer(s, "127.0.0.1", 0);
  if (port_ <= 0) return false;
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // Connections queue in the listen backlog until the loop runs; wait for it anyway.
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return true;
}

void Receiver::Stop() {
  Release();
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

void Receiver::Release() { released_.store(true); }

std::string Receiver::base_url() const {
  return std::string(options_.tls ? "https" : "http") + "://" + options_.host + ":" +
         std::to_string(port_);
}

bool Receiver::InOutage() const {
  if (options_.outage_period_s <= 0) return false;
  const auto since = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::steady_clock::now() - started_at_)
                         .count();
  return since % options_.outage_period_s < options_.outage_s;
}

void Receiver::TrackEvent(const std::string& body) {
  static const std::string kKey = "\"eventId\":\"";
  const std::size_t at = body.find(kKey);
  if (at == std::string::npos) return;
  const std::size_t end = body.find('"', at + kKey.size());
  const std::size_t dash = body.rfind('-', end);
  if (end == std::string::npos || dash == std::string::npos || dash < at) return;
  std::size_t n = 0;
  if (std::from_chars(body.data() + dash + 1, body.data() + end, n).ec != std::errc()) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (n >= seen_.size()) seen_.resize(std::max(n + 1, seen_.size() * 2), 0);
  if (seen_[n]++ == 0) {
    ++distinct_;
  } else {
    ++duplicates_;
  }
}

std::uint64_t Receiver::distinct_events() const {
  std::lock_guard<std::mutex> lock(mu_);
  return distinct_;
}

std::uint64_t Receiver::duplicates() const {
  std::lock_guard<std::mutex> lock(mu_);
  return duplicates_;
}

void Receiver::OnPost(const std::string& body) {
  const std::int64_t now = NowNs();
  std::int64_t zero = 0;
  const bool first = first_ns_.compare_exchange_strong(zero, now);
  std::int64_t last = last_ns_.load();
  while (last < now && !last_ns_.compare_exchange_weak(last, now)) {
  }
  if (first) {
    std::lock_guard<std::mutex> lock(mu_);
    sample_body_ = body;
  }
  if (options_.track_events) TrackEvent(body);
  if (options_.record_latency) {
    static const std::string kKey = "\"sentNs\":";
    const std::size_t at = body.find(kKey);
    if (at != std::string::npos) {
      std::int64_t sent = 0;
      const char* start = body.data() + at + kKey.size();
      if (std::from_chars(start, body.data() + body.size(), sent).ec == std::errc()) {
        std::lock_guard<std::mutex> lock(mu_);
        latencies_.push_back(now - sent);
      }
    }
  }
  count_.fetch_add(1);  // last: a waiter seeing the count also sees the times
}

bool Receiver::WaitForCount(std::uint64_t n, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (count_.load() < n) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  return true;
}

void Receiver::Reset() {
  count_.store(0);
  first_ns_.store(0);
  last_ns_.store(0);
  std::lock_guard<std::mutex> lock(mu_);
  latencies_.clear();
}

std::string Receiver::sample_body() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sample_body_;
}

std::vector<std::int64_t> Receiver::TakeLatenciesNs() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::move(latencies_);
}

}  // namespace hookbench
