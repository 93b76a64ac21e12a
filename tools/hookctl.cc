// hookctl: the operator's command line for hookbroker.
//
//   hookctl publish [--endpoint ZMQ] [--timeout S] [FILE | -]   send events (JSON object or array)
//
// Exit codes: 0 all events accepted or duplicate; 1 some event rejected or the broker refused the
// request; 2 bad usage or input; 3 broker unreachable (no reply in time).
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>
#include <zmq.hpp>

namespace {

constexpr const char* kUsage = R"(hookctl: operate a hookbroker

Usage:
  hookctl publish [--endpoint ENDPOINT] [--timeout SECONDS] [FILE|-]
      Publishes the events in FILE (or standard input) - one JSON event object or a JSON array
      of up to 1000 - over ZeroMQ, waits for the broker's durable ack and prints it.
      ENDPOINT defaults to $HOOKBROKER_INGEST or tcp://127.0.0.1:5555.

Exit codes: 0 every event accepted (or a duplicate); 1 some event rejected, or the request
refused; 2 bad usage or input; 3 no answer from the broker within the timeout.
)";

int Publish(const std::vector<std::string>& args) {
  const char* env = std::getenv("HOOKBROKER_INGEST");
  std::string endpoint = env != nullptr ? env : "tcp://127.0.0.1:5555";
  double timeout_s = 10;
  std::string file = "-";
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--endpoint" && i + 1 < args.size()) {
      endpoint = args[++i];
    } else if (args[i] == "--timeout" && i + 1 < args.size()) {
      timeout_s = std::atof(args[++i].c_str());
    } else if (args[i] == "-h" || args[i] == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (!args[i].empty() && args[i][0] == '-' && args[i] != "-") {
      std::fprintf(stderr, "hookctl publish: unknown option %s\n", args[i].c_str());
      return 2;
    } else {
      file = args[i];
    }
  }
  std::stringstream text;
  if (file == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(file);
    if (!in) {
      std::fprintf(stderr, "hookctl publish: cannot read %s\n", file.c_str());
      return 2;
    }
    text << in.rdbuf();
  }
  boost::system::error_code ec;
  boost::json::parse(text.str(), ec);
  if (ec) {
    std::fprintf(stderr, "hookctl publish: input is not JSON: %s\n", ec.message().c_str());
    return 2;
  }
  zmq::context_t ctx(1);
  zmq::socket_t sock(ctx, zmq::socket_type::req);
  sock.set(zmq::sockopt::linger, 0);
  try {
    sock.connect(endpoint);
  } catch (const zmq::error_t& e) {
    std::fprintf(stderr, "hookctl publish: bad endpoint %s: %s\n", endpoint.c_str(), e.what());
    return 2;
  }
  sock.send(zmq::buffer(text.str()), zmq::send_flags::none);
  zmq::pollitem_t items[] = {{sock.handle(), 0, ZMQ_POLLIN, 0}};
  zmq::poll(items, 1, std::chrono::milliseconds(static_cast<long>(timeout_s * 1000)));
  if (!(items[0].revents & ZMQ_POLLIN)) {
    std::fprintf(stderr,
                 "hookctl publish: no answer from %s within %.0f s (is the broker running?)\n",
                 endpoint.c_str(), timeout_s);
    return 3;
  }
  zmq::message_t reply;
  (void)sock.recv(reply);
  const std::string body = reply.to_string();
  std::printf("%s\n", body.c_str());
  boost::json::value v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return 1;
  if (v.as_object().contains("error")) return 1;
  for (const auto& r : v.at("results").as_array()) {
    if (r.at("status").as_string() == "rejected") return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  if (command == "publish") return Publish(args);
  std::fprintf(stderr, "hookctl: unknown command %s (see hookctl --help)\n", command.c_str());
  return 2;
}
