#include "tools/bench/echo_ingest.h"

#include <zmq.h>

#include <cstring>
#include <vector>

namespace hookbench {
namespace {

std::string CannedReply(int batch) {
  std::string reply = "{\"results\":[";
  for (int i = 0; i < batch; ++i) {
    if (i > 0) reply += ',';
    reply += R"({"status":"accepted"})";
  }
  return reply + "]}";
}

}  // namespace

EchoIngest::EchoIngest(int batch) : reply_(CannedReply(batch)) {}

EchoIngest::~EchoIngest() { Stop(); }

std::string EchoIngest::Start(std::string* error) {
  context_ = zmq_ctx_new();
  void* socket = zmq_socket(context_, ZMQ_ROUTER);
  const int zero = 0;
  zmq_setsockopt(socket, ZMQ_SNDHWM, &zero, sizeof zero);
  zmq_setsockopt(socket, ZMQ_RCVHWM, &zero, sizeof zero);
  zmq_setsockopt(socket, ZMQ_LINGER, &zero, sizeof zero);
  const int timeout_ms = 100;  // so that Serve() sees stop_
  zmq_setsockopt(socket, ZMQ_RCVTIMEO, &timeout_ms, sizeof timeout_ms);
  if (zmq_bind(socket, "tcp://127.0.0.1:*") != 0) {
    *error = std::string("echo ingest bind: ") + zmq_strerror(zmq_errno());
    zmq_close(socket);
    return "";
  }
  char endpoint[256];
  std::size_t size = sizeof endpoint;
  zmq_getsockopt(socket, ZMQ_LAST_ENDPOINT, endpoint, &size);
  thread_ = std::thread([this, socket] { Serve(socket); });
  return endpoint;
}

void EchoIngest::Serve(void* socket) {
  // A request is [identity][empty delimiter][body]: send the first frames back as they came, then
  // the canned reply in place of the body.
  std::vector<zmq_msg_t> frames;
  while (!stop_.load()) {
    zmq_msg_t frame;
    zmq_msg_init(&frame);
    if (zmq_msg_recv(&frame, socket, 0) < 0) {
      zmq_msg_close(&frame);
      continue;  // timeout: look at stop_
    }
    const bool more = zmq_msg_more(&frame) != 0;
    frames.push_back(frame);
    if (more) continue;
    zmq_msg_close(&frames.back());  // the request body: not read
    frames.pop_back();
    for (zmq_msg_t& f : frames) zmq_msg_send(&f, socket, ZMQ_SNDMORE);
    frames.clear();
    zmq_send(socket, reply_.data(), reply_.size(), 0);
  }
  for (zmq_msg_t& f : frames) zmq_msg_close(&f);
  zmq_close(socket);
}

void EchoIngest::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (context_ != nullptr) {
    zmq_ctx_term(context_);
    context_ = nullptr;
  }
}

}  // namespace hookbench
