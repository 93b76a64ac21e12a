#include "broker/post_publisher.h"

#include <zmq.hpp>

#include "broker/log.h"

namespace hookbroker {

PostPublisher::PostPublisher() = default;

PostPublisher::~PostPublisher() { Stop(); }

Status PostPublisher::Bind(const std::string& endpoint) {
  try {
    context_ = std::make_unique<zmq::context_t>(1);
    socket_ = std::make_unique<zmq::socket_t>(*context_, zmq::socket_type::pub);
    socket_->set(zmq::sockopt::linger, 1000);
    socket_->set(zmq::sockopt::sndhwm, 10000);
    socket_->bind(endpoint);
    endpoint_ = socket_->get(zmq::sockopt::last_endpoint);
  } catch (const zmq::error_t& e) {
    socket_.reset();
    context_.reset();
    return Error{"bind_failed", "cannot bind the posts socket at " + endpoint + ": " + e.what(),
                 "posts-listen"};
  }
  return Status::Ok();
}

void PostPublisher::Start() {
  if (socket_ == nullptr || thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void PostPublisher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  socket_.reset();
  context_.reset();
}

bool PostPublisher::Publish(std::string topic, std::string body) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_ || queue_.size() >= kMaxQueued) {
      ++dropped_;
      return false;
    }
    queue_.emplace_back(std::move(topic), std::move(body));
  }
  cv_.notify_one();
  return true;
}

std::uint64_t PostPublisher::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

void PostPublisher::Run() {
  zmq::socket_t& socket = *socket_;
  std::deque<std::pair<std::string, std::string>> batch;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued was published
      batch.swap(queue_);
    }
    for (auto& [topic, body] : batch) {
      try {
        socket.send(zmq::buffer(topic), zmq::send_flags::sndmore);
        socket.send(zmq::buffer(body), zmq::send_flags::dontwait);
      } catch (const zmq::error_t& e) {
        LogError("posts", std::string("publishing a post failed: ") + e.what());
      }
    }
    batch.clear();
  }
}

}  // namespace hookbroker
