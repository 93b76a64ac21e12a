// IngestPostSink: the broker's PostSink (chat_post.h). Post() assigns the post's id and time when
// missing, turns it into an event (post_event.h) and sends it as an ordinary ingest request to
// the IngestServer's ROUTER over inproc (IngestServer::kLocalEndpoint): the same batching, group
// commit, matching and deliveries as a ZeroMQ producer's event. It waits for the ingest's ack,
// which comes only after fsync, then hands the post (chat_post_json.h) to the PostPublisher.
//
// A post whose id was stored before (a duplicate) is acknowledged as stored and not published
// again. Errors: "invalid_post" (the ingest refused the event: a field too long, ...),
// "not_stored" (storage trouble or no ack within the timeout).
//
// Thread-safety: Post() may be called from any number of threads at once; each call uses a
// DEALER socket of its own for its one request (ZeroMQ sockets belong to one thread), which is
// closed before it returns. Lifecycle: borrows the ingest's context and the publisher; it must
// not be used once the IngestServer has stopped (the daemon stops REST first).
#pragma once

#include <chrono>
#include <string>

#include "broker/chat_post.h"
#include "broker/clock.h"
#include "broker/post_publisher.h"

namespace zmq {
class context_t;
}  // namespace zmq

namespace hookbroker {

class IngestPostSink final : public PostSink {
 public:
  IngestPostSink(zmq::context_t& context, std::string ingest_endpoint, PostPublisher& publisher,
                 const Clock& clock,
                 std::chrono::milliseconds ack_timeout = std::chrono::seconds(30));

  Result<ChatPost> Post(ChatPost post) override;

 private:
  zmq::context_t& context_;
  const std::string endpoint_;
  PostPublisher& publisher_;
  const Clock& clock_;
  const std::chrono::milliseconds ack_timeout_;
};

}  // namespace hookbroker
