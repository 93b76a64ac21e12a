// HTTP written by hand over a plain socket (and the loopback connection under it), for tests of
// what the REST listener does with requests no ordinary client sends (over-long lines, too many
// headers, odd bodies).
#pragma once

#include <chrono>
#include <string>

#include "tests/support/http_client.h"

namespace hookbroker::testing {

// Sends `request` as is to the REST listener of `base` ("http://127.0.0.1:PORT") and returns the
// first response (status 0 when none came: refused, or closed without an answer); with
// `half_close`, the sending side is shut down after the request (the only end a body without
// Content-Length has). Reads and writes time out after 5 s.
HttpReply RawHttp(const std::string& base, const std::string& request, bool half_close = false);

// A TCP connection to 127.0.0.1:port whose reads and writes time out after `timeout`; the caller
// owns (closes) the descriptor. -1 when it cannot connect.
int ConnectLoopback(int port, std::chrono::seconds timeout);

}  // namespace hookbroker::testing
