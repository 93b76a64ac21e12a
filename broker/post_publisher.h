// PostPublisher: the ZeroMQ PUB socket `--posts-listen` on which the broker publishes every chat
// post for the chat backend to display (docs/CHAT.md). Each message is two frames: the channel
// id (the topic, for SUB-side filtering), then the post as JSON (chat_post_json.h).
//
// An actor: the PUB socket belongs to the publisher's own thread; Publish() (any thread) only
// queues the message. PUB semantics hold: a subscriber not connected (or too slow: high-water
// mark) misses messages; the durable record of a post is its event, not this socket. The queue
// is bounded (kMaxQueued); beyond it Publish() drops and counts.
//
// Lifecycle: Bind(), Start(), Stop() (publishes what is queued, then closes the socket).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "proto/result.h"

namespace zmq {
class context_t;
class socket_t;
}  // namespace zmq

namespace hookbroker {

class PostPublisher {
 public:
  static constexpr std::size_t kMaxQueued = 10000;

  PostPublisher();
  ~PostPublisher();
  PostPublisher(const PostPublisher&) = delete;
  PostPublisher& operator=(const PostPublisher&) = delete;

  // "tcp://127.0.0.1:5556"; "tcp://HOST:*" picks a port. Error "bind_failed" (field
  // "posts-listen").
  Status Bind(const std::string& endpoint);
  // The bound endpoint with the actual port.
  const std::string& endpoint() const { return endpoint_; }
  void Start();
  void Stop();

  // Queues one message; false (dropped) when the queue is full or the publisher stopped.
  bool Publish(std::string topic, std::string body);
  std::uint64_t dropped() const;

 private:
  void Run();

  std::unique_ptr<zmq::context_t> context_;
  std::unique_ptr<zmq::socket_t> socket_;  // owned by the publisher thread once started
  std::string endpoint_;
  std::thread thread_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<std::string, std::string>> queue_;  // guarded by mu_
  bool stop_ = false;                                      // guarded by mu_
  std::uint64_t dropped_ = 0;                              // guarded by mu_
};

}  // namespace hookbroker
