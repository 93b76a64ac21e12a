// The broker's ingest socket (docs/INGEST.md): a ZeroMQ REQ socket, one request in flight.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <zmq.hpp>

namespace hookctl {

class IngestClient {
 public:
  IngestClient();
  // An error message when `endpoint` is not a ZeroMQ endpoint ("tcp://host:port").
  std::optional<std::string> Connect(const std::string& endpoint);
  // Sends `frame` and waits up to `timeout` for the reply; nullopt when none came. After a
  // timeout the socket cannot be used again (REQ's lock-step), which is fine: hookctl stops.
  std::optional<std::string> Request(const std::string& frame, std::chrono::milliseconds timeout);

 private:
  zmq::context_t context_;
  zmq::socket_t socket_;
};

}  // namespace hookctl
