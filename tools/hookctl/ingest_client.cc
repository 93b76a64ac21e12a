#include "tools/hookctl/ingest_client.h"

namespace hookctl {

IngestClient::IngestClient() : context_(1), socket_(context_, zmq::socket_type::req) {
  // Unsent requests must not keep the process alive at exit when the broker is down.
  socket_.set(zmq::sockopt::linger, 0);
}

std::optional<std::string> IngestClient::Connect(const std::string& endpoint) {
  try {
    socket_.connect(endpoint);
  } catch (const zmq::error_t& e) {
    return "bad ingest endpoint '" + endpoint + "': " + e.what() +
           " (expected something like tcp://127.0.0.1:5555)";
  }
  return std::nullopt;
}

std::optional<std::string> IngestClient::Request(const std::string& frame,
                                                 std::chrono::milliseconds timeout) {
  // With no connection yet, ZeroMQ queues the frame; only the missing reply tells that the
  // broker is not there.
  if (!socket_.send(zmq::buffer(frame), zmq::send_flags::dontwait)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    zmq::pollitem_t out[] = {{socket_.handle(), 0, ZMQ_POLLOUT, 0}};
    zmq::poll(out, 1, timeout);
    if (!(out[0].revents & ZMQ_POLLOUT)) return std::nullopt;
    if (!socket_.send(zmq::buffer(frame), zmq::send_flags::dontwait)) return std::nullopt;
    timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (timeout.count() < 0) timeout = std::chrono::milliseconds(0);
  }
  zmq::pollitem_t in[] = {{socket_.handle(), 0, ZMQ_POLLIN, 0}};
  zmq::poll(in, 1, timeout);
  if (!(in[0].revents & ZMQ_POLLIN)) return std::nullopt;
  zmq::message_t reply;
  if (!socket_.recv(reply, zmq::recv_flags::dontwait)) return std::nullopt;
  return reply.to_string();
}

}  // namespace hookctl
