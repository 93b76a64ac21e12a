// HttpSender: the seam between delivery logic and the network. The daemon uses SocketSender;
// unit tests script a fake, so retry and timing logic is tested without sockets.
//
// Thread-safety: Send() may be called from many threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "proto/url.h"

namespace hookbroker {

struct HttpRequest {
  std::string method = "POST";
  Url url;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type
  std::string content_type = "application/json";
  std::string body;
  std::chrono::milliseconds timeout{15000};  // whole exchange
  // > 0: the response body is wanted whole, up to this many bytes (HttpResult::body); a longer
  // one is cut there and marked body_cut. 0: only the excerpt is kept.
  std::size_t read_body_bytes = 0;
};

struct HttpResult {
  enum class Kind {
    kResponse,      // an HTTP status arrived (any status)
    kConnectError,  // refused, unreachable, reset, name not resolved
    kTimeout,       // connect or exchange took longer than allowed
    kTlsError,      // handshake failed or certificate not accepted
    kForbidden,     // the SSRF guard refused every address of the host
  };
  Kind kind = Kind::kConnectError;
  int status = 0;
  std::string body_excerpt;  // at most limits::kResponseExcerptBytes
  std::string body;          // only when HttpRequest::read_body_bytes > 0
  bool body_cut = false;     // the body was longer than read_body_bytes
  std::string retry_after;   // the Retry-After header, if any
  std::string error;         // for people; empty for kResponse
  std::chrono::milliseconds duration{0};
};

class HttpSender {
 public:
  virtual ~HttpSender() = default;
  virtual HttpResult Send(const HttpRequest& request) = 0;
};

}  // namespace hookbroker
