// A small HTTP client for tests against the broker's REST API (cpp-httplib underneath, kept out
// of the test files' includes).
#pragma once

#include <map>
#include <string>

namespace hookbroker::testing {

struct HttpReply {
  int status = 0;  // 0 when no connection could be made
  std::string body;
  std::map<std::string, std::string> headers;  // names lowercased
};

// `base` like "http://127.0.0.1:PORT"; headers are sent as given.
HttpReply HttpCall(const std::string& base, const std::string& method, const std::string& path,
                   const std::string& body = "",
                   const std::map<std::string, std::string>& headers = {},
                   const std::string& content_type = "application/json");

// HttpCall over HTTPS (`base` like "https://127.0.0.1:PORT"), trusting only `ca_file` (PEM) and
// verifying the certificate and host name; a verification failure comes back as status 0.
HttpReply HttpsCall(const std::string& ca_file, const std::string& base, const std::string& method,
                    const std::string& path, const std::string& body = "",
                    const std::map<std::string, std::string>& headers = {});

}  // namespace hookbroker::testing
