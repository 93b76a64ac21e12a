#include "tools/bench/producer.h"

#include <chrono>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "tools/bench/receiver.h"

namespace hookbench {
namespace {

using Clock = std::chrono::steady_clock;

std::uint64_t CountAccepted(const std::string& reply) {
  static const std::string kAccepted = "\"status\":\"accepted\"";
  std::uint64_t n = 0;
  for (std::size_t at = reply.find(kAccepted); at != std::string::npos;
       at = reply.find(kAccepted, at + kAccepted.size())) {
    ++n;
  }
  return n;
}

void SendRequest(zmq::socket_t& socket, const std::string& frame) {
  socket.send(zmq::message_t(), zmq::send_flags::sndmore);
  socket.send(zmq::buffer(frame), zmq::send_flags::none);
}

// Receives one reply (delimiter + frame); false on timeout or error.
bool ReceiveReply(zmq::socket_t& socket, std::string* reply) {
  zmq::message_t delimiter;
  zmq::message_t body;
  try {
    if (!socket.recv(delimiter)) return false;
    if (!delimiter.more() || !socket.recv(body)) return false;
  } catch (const zmq::error_t&) {
    return false;
  }
  *reply = body.to_string();
  return true;
}

zmq::socket_t Dealer(zmq::context_t& context, const std::string& endpoint) {
  zmq::socket_t socket(context, zmq::socket_type::dealer);
  socket.set(zmq::sockopt::linger, 0);
  socket.set(zmq::sockopt::rcvtimeo, 60000);
  socket.set(zmq::sockopt::sndhwm, 0);
  socket.set(zmq::sockopt::rcvhwm, 0);
  socket.connect(endpoint);
  return socket;
}

}  // namespace

std::string MakeEvent(const std::string& type, const std::string& group,
                      const std::string& event_id, std::int64_t sent_ns, std::size_t bytes) {
  std::string e = R"({"eventType":")" + type + R"(","groupId":")" + group + R"(","eventId":")" +
                  event_id +
                  R"(","fromUser":"+911234567890","fromUserId":"u-42","fromUserName":"Bench User",)"
                  R"("data":{"sentNs":)" +
                  std::to_string(sent_ns) + R"(,"text":")";
  const std::size_t tail = 3;  // "}}
  if (e.size() + tail < bytes) e.append(bytes - e.size() - tail, 'x');
  e += "\"}}";
  return e;
}

std::string LoadIdPrefix(const LoadSpec& spec, int producer) {
  return spec.id_prefix + "-" + std::to_string(producer) + "-";
}

std::string LoadEventId(const LoadSpec& spec, std::uint64_t n) {
  const auto producers = static_cast<std::uint64_t>(spec.producers);
  return LoadIdPrefix(spec, static_cast<int>(n % producers)) + std::to_string(n / producers);
}

LoadResult RunLoad(const LoadSpec& spec) {
  zmq::context_t context(2);
  std::mutex mu;
  LoadResult total;
  Clock::time_point last_ack = Clock::now();
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline =
      start + std::chrono::duration_cast<Clock::duration>(
                  std::chrono::duration<double>(spec.seconds > 0 ? spec.seconds : 1e9));
  std::vector<std::thread> threads;
  for (int p = 0; p < spec.producers; ++p) {
    threads.emplace_back([&, p] {
      const std::size_t producers = static_cast<std::size_t>(spec.producers);
      const std::size_t quota = spec.total_events / producers +
                                (static_cast<std::size_t>(p) < spec.total_events % producers);
      std::uint64_t accepted = 0, sent = 0;
      std::string error;
      Clock::time_point my_last_ack = start;
      zmq::socket_t socket = Dealer(context, spec.endpoint);
      const std::string prefix = LoadIdPrefix(spec, p);
      auto more = [&] { return spec.seconds > 0 ? Clock::now() < deadline : sent < quota; };
      int outstanding = 0;
      std::string frame, reply;
      while (true) {
        while (outstanding < spec.in_flight && more()) {
          frame = "[";
          std::uint64_t in_request = 0;
          while (in_request < static_cast<std::uint64_t>(spec.batch) &&
                 (spec.seconds > 0 || sent < quota)) {
            const std::uint64_t n = sent * producers + static_cast<std::uint64_t>(p);
            if (in_request > 0) frame += ',';
            frame += MakeEvent(spec.event_type, spec.group(n), prefix + std::to_string(sent),
                               NowNs(), spec.event_bytes);
            ++sent;
            ++in_request;
          }
          frame += ']';
          SendRequest(socket, frame);
          ++outstanding;
        }
        if (outstanding == 0) break;
        if (!ReceiveReply(socket, &reply)) {
          error = "no reply within 60 s";
          break;
        }
        --outstanding;
        const std::uint64_t ok = CountAccepted(reply);
        accepted += ok;
        my_last_ack = Clock::now();
      }
      const std::uint64_t not_accepted = sent > accepted ? sent - accepted : 0;
      std::lock_guard<std::mutex> lock(mu);
      total.accepted += accepted;
      total.not_accepted += not_accepted;
      if (!error.empty()) total.error = error;
      if (my_last_ack > last_ack) last_ack = my_last_ack;
    });
  }
  for (auto& t : threads) t.join();
  total.seconds = std::chrono::duration<double>(last_ack - start).count();
  return total;
}

LoadResult RunPaced(const PacedSpec& spec) {
  zmq::context_t context(1);
  zmq::socket_t socket = Dealer(context, spec.endpoint);
  LoadResult result;
  const std::uint64_t events =
      static_cast<std::uint64_t>(spec.seconds * static_cast<double>(spec.rate));
  const std::int64_t interval_ns = 1000000000LL / spec.rate;
  std::uint64_t outstanding = 0;
  std::string reply;
  std::deque<std::int64_t> sent_at;  // a DEALER's replies come back in request order
  result.ack_latency_ns.reserve(events);
  auto drain = [&](std::chrono::milliseconds wait) {
    zmq::pollitem_t item{static_cast<void*>(socket), 0, ZMQ_POLLIN, 0};
    while (outstanding > 0 && zmq::poll(&item, 1, wait) > 0) {
      if (!ReceiveReply(socket, &reply)) return;
      --outstanding;
      result.accepted += CountAccepted(reply);
      if (!sent_at.empty()) {
        result.ack_latency_ns.push_back(NowNs() - sent_at.front());
        sent_at.pop_front();
      }
      wait = std::chrono::milliseconds(0);
    }
  };
  const std::int64_t t0 = NowNs();
  for (std::uint64_t i = 0; i < events; ++i) {
    const std::int64_t target = t0 + static_cast<std::int64_t>(i) * interval_ns;
    while (true) {
      const std::int64_t left = target - NowNs();
      if (left <= 0) break;
      if (left > 1500000 && outstanding > 0) {
        drain(std::chrono::milliseconds(left / 1000000 - 1));
      } else if (left > 1500000) {
        std::this_thread::sleep_for(std::chrono::nanoseconds(left - 500000));
      } else {
        drain(std::chrono::milliseconds(0));
        std::this_thread::sleep_for(std::chrono::microseconds(50));
      }
    }
    const std::int64_t now = NowNs();
    const std::string event =
        MakeEvent("TextMessageCreated",
                  spec.groups > 1 ? spec.group + "-" + std::to_string(i % spec.groups) : spec.group,
                  spec.id_prefix + "-" + std::to_string(i), now, spec.event_bytes);
    SendRequest(socket, event);
    sent_at.push_back(now);
    ++outstanding;
    drain(std::chrono::milliseconds(0));
  }
  const std::int64_t end_deadline = NowNs() + 30000000000LL;
  while (outstanding > 0 && NowNs() < end_deadline) drain(std::chrono::milliseconds(100));
  if (outstanding > 0) result.error = "acknowledgements missing";
  result.seconds = static_cast<double>(NowNs() - t0) / 1e9;
  result.not_accepted = events - result.accepted;
  return result;
}

}  // namespace hookbench
