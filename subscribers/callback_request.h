// CallbackRequest and CallbackResponse: one HTTP request as a receiver got it and the answer to
// send, independent of any HTTP library, so the checks and the handlers can be driven by
// cpp-httplib, another server, or a test.
//
// Thread-safety: plain value.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace hookbroker::subscribers {

struct CallbackRequest {
  std::string method;                          // "POST", "GET", ...
  std::string path;                            // path only, without the query
  std::map<std::string, std::string> query;    // decoded query parameters
  std::map<std::string, std::string> headers;  // names lowercased; repeated ones comma-joined
  std::string body;

  // The header's value, or nullptr. `lower_name` must be lowercase.
  const std::string* Header(std::string_view lower_name) const {
    auto it = headers.find(std::string(lower_name));
    return it == headers.end() ? nullptr : &it->second;
  }
};

struct CallbackResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

}  // namespace hookbroker::subscribers
