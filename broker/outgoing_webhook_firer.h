// OutgoingWebhookFirer: fires the outgoing (trigger word) webhooks (docs/CHAT.md "Outgoing
// webhooks"). For every newly committed TextMessageCreated event that a webhook did not post
// (data.props.from_webhook != "true") in a known public channel, it POSTs Mattermost's payload
// (proto/mattermost_payload.h) to every callback URL of every matching hook
// (outgoing_hook_match.h), once, without retries, and turns each bot's answer into chat posts
// (outgoing_hook_reply.h) handed to the PostSink.
//
// Threads: OnCommitted() runs on the ingest thread; it checks against the current hook snapshot
// whether any hook could fire on the message (its channel and first word; no store read) and
// queues only those, and only the few fields the payload needs (outgoing_message.h), in a queue
// bounded by count and by bytes (a full queue drops the message and counts it: the ingest is
// never slowed by a bot). `workers` threads of its own take messages from the queue and do the
// channel lookup and matching, the HTTP requests (through the HttpSender, the same as
// deliveries: SSRF guard, TLS verification) and the posts. A slow bot holds one worker for at
// most the request timeout. Each request is built from the hook as it is just before sending:
// a hook deleted meanwhile is not called, a regenerated token replaces the old one at once.
//
// RunPending() is the synchronous mode for tests: it handles every queued event on the calling
// thread, with whatever fake sender, sink and directory the test gave.
//
// Lifecycle: construct, Start(), then OnCommitted()...; Stop() stops taking events, lets the
// workers finish the event in hand and drops those still queued (counted), as a chat server
// loses outgoing webhooks in flight when it stops.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "broker/chat_post.h"
#include "broker/committed_event_observer.h"
#include "broker/http_sender.h"
#include "broker/outgoing_hooks.h"
#include "broker/outgoing_message.h"

namespace hookbroker {

inline constexpr std::size_t kMaxOutgoingReplyBytes = 1024 * 1024;  // read at most, as Mattermost
// The most the queued messages may hold together (ApproximateBytes), whatever their count.
inline constexpr std::size_t kOutgoingQueueBytes = 64 * 1024 * 1024;

struct OutgoingWebhookOptions {
  std::chrono::milliseconds timeout{30000};       // the whole exchange with a bot
  std::size_t queue_capacity = 1000;              // messages waiting for a worker
  std::size_t queue_bytes = kOutgoingQueueBytes;  // and the bytes they may hold together
  int workers = 2;
  // The reply's username/icon_url (else the hook's) shown instead of the hook's name and icon.
  bool allow_overrides = true;
};

// Counters since start, for /metrics and tests.
struct OutgoingWebhookStats {
  std::uint64_t fired = 0;        // requests sent (one per callback URL of a matching hook)
  std::uint64_t failed = 0;       // no answer, a non-2xx status, or a reply that is not valid
  std::uint64_t replied = 0;      // replies that made at least one post
  std::uint64_t refused = 0;      // replies refused for their type (system_...)
  std::uint64_t post_errors = 0;  // posts the PostSink could not take
  std::uint64_t dropped = 0;      // messages dropped: queue full, or still queued at Stop()
  std::uint64_t unsent = 0;       // requests not sent: the hook was deleted while in hand
};

class OutgoingWebhookFirer final : public CommittedEventObserver {
 public:
  // Borrows every argument; they must outlive the firer.
  OutgoingWebhookFirer(OutgoingHooks& hooks, const ChannelDirectory& channels, HttpSender& sender,
                       PostSink& sink, OutgoingWebhookOptions options);
  ~OutgoingWebhookFirer() override;
  OutgoingWebhookFirer(const OutgoingWebhookFirer&) = delete;
  OutgoingWebhookFirer& operator=(const OutgoingWebhookFirer&) = delete;

  void Start();
  void Stop();

  // Ingest thread: queues the message's payload fields if a hook may fire on it; no I/O.
  void OnCommitted(const Event& event) override;

  // Tests: handles every queued event on the calling thread; returns how many.
  std::size_t RunPending();

  OutgoingWebhookStats stats() const;
  // The counters in the Prometheus text format (appended to GET /metrics).
  std::string RenderMetrics() const;

 private:
  void WorkerLoop();
  bool MayFire(const Event& event) const;
  void Fire(const OutgoingMessage& message);
  void Send(const OutgoingHookId& hook_id, const std::string& callback_url,
            const OutgoingMessage& message, const Channel& channel,
            const std::string& trigger_word);
  OutgoingMessage TakeFront();  // mu_ held; the queue is not empty

  OutgoingHooks& hooks_;
  const ChannelDirectory& channels_;
  HttpSender& sender_;
  PostSink& sink_;
  const OutgoingWebhookOptions options_;  // constant after construction

  std::mutex mu_;
  std::condition_variable cv_;
  struct Queued {
    OutgoingMessage message;
    std::size_t bytes;  // ApproximateBytes(message) when queued
  };
  std::deque<Queued> queue_;      // guarded by mu_
  std::size_t queued_bytes_ = 0;  // guarded by mu_: the sum of queue_'s bytes
  bool stopping_ = false;         // guarded by mu_
  std::vector<std::thread> workers_;

  std::atomic<std::uint64_t> fired_{0};
  std::atomic<std::uint64_t> failed_{0};
  std::atomic<std::uint64_t> replied_{0};
  std::atomic<std::uint64_t> refused_{0};
  std::atomic<std::uint64_t> post_errors_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> unsent_{0};
};

}  // namespace hookbroker
