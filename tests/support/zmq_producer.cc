#include "tests/support/zmq_producer.h"

#include <algorithm>
#include <zmq.hpp>

namespace hookbroker::testing {
namespace {

zmq::context_t& Context() {
  // One context for the whole test process: contexts are heavyweight (I/O threads) and every
  // socket made here is closed before RequestReply returns, so its teardown at exit never blocks.
  static zmq::context_t context(1);
  return context;
}

}  // namespace

std::optional<std::string> RequestReply(const std::string& endpoint, const std::string& frame,
                                        std::chrono::milliseconds timeout) {
  zmq::socket_t socket(Context(), zmq::socket_type::req);
  // Linger 0: an unanswered request must not hold the socket (and the test) open at close.
  socket.set(zmq::sockopt::linger, 0);
  socket.connect(endpoint);

  // One deadline for connecting, sending and the answer: the caller's timeout bounds the call.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const auto remaining = [&] {
    return std::max(std::chrono::milliseconds(0),
                    std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now()));
  };

  // A REQ socket that connect()ed queues the message while the TCP connection comes up, so this
  // normally succeeds at once; polling for POLLOUT covers the case where it does not.
  if (!socket.send(zmq::buffer(frame), zmq::send_flags::dontwait)) {
    zmq::pollitem_t out{socket.handle(), 0, ZMQ_POLLOUT, 0};
    if (zmq::poll(&out, 1, remaining()) <= 0) return std::nullopt;
    if (!socket.send(zmq::buffer(frame), zmq::send_flags::dontwait)) return std::nullopt;
  }

  zmq::pollitem_t in{socket.handle(), 0, ZMQ_POLLIN, 0};
  if (zmq::poll(&in, 1, remaining()) <= 0) return std::nullopt;
  zmq::message_t reply;
  if (!socket.recv(reply, zmq::recv_flags::dontwait)) return std::nullopt;
  return reply.to_string();
}

}  // namespace hookbroker::testing
