// HttpEndpoint (hooksink's server) serves through the broker's bounded connection loop: an idle
// connection does not hold its only thread while another client waits, and a trickled request is
// cut off. The loop itself is tested in tests/broker/bounded_http_server_test.cc.
#include "subscribers/http_endpoint.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "tests/support/http_client.h"
#include "tests/support/raw_http.h"

namespace hookbroker::subscribers {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;
namespace support = hookbroker::testing;

CallbackResponse Ok(const CallbackRequest&) {
  CallbackResponse r;
  r.status = 200;
  r.body = "ok";
  r.content_type = "text/plain";
  return r;
}

TEST(HttpEndpointTest, AnIdleConnectionDoesNotHoldTheOnlyThreadFromAWaitingClient) {
  EndpointOptions options;
  options.threads = 1;
  HttpEndpoint endpoint(options, Ok);
  ASSERT_TRUE(endpoint.Start().ok());
  const std::string base = "http://127.0.0.1:" + std::to_string(endpoint.port());

  // Connected, sending nothing: with cpp-httplib's own loop it kept the only thread for the whole
  // 5 s keep-alive timeout.
  const int idle = support::ConnectLoopback(endpoint.port(), seconds(10));
  ASSERT_GE(idle, 0);
  std::this_thread::sleep_for(milliseconds(100));
  const auto start = Clock::now();
  const support::HttpReply reply = support::HttpCall(base, "POST", "/hook", "{}");
  const auto waited = Clock::now() - start;
  ::close(idle);
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_LT(waited, milliseconds(3500))
      << std::chrono::duration_cast<milliseconds>(waited).count() << " ms";
}

}  // namespace
}  // namespace hookbroker::subscribers
