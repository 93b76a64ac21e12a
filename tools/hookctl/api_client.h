// The broker's REST API over cpp-httplib: one request at a time, each on a fresh connection
// (a CLI makes few requests, and a fresh connection cannot be one the broker already closed).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "proto/result.h"
#include "tools/hookctl/settings.h"

namespace hookctl {

struct ApiReply {
  std::string method;  // what was asked, for error messages
  std::string path;
  int status = 0;  // the HTTP status; 0 when no answer came
  std::string body;
  std::string transport_error;  // why no answer came ("connection refused"), when status == 0
};

class ApiClient {
 public:
  // Fails (a usage error) when settings.broker_url is not an http:// or https:// URL.
  static hookbroker::Result<std::unique_ptr<ApiClient>> Create(const Settings& settings);
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  // `path` starts with "/v1/..." and carries its query; JSON `body` for POST and PATCH.
  // `extra_wait` lengthens the read timeout for requests the broker may hold on purpose
  // (long polling).
  ApiReply Call(std::string_view method, const std::string& path, const std::string& body = "",
                std::chrono::milliseconds extra_wait = std::chrono::milliseconds(0));

  // A GET whose 200 body goes to `sink` chunk by chunk as it arrives (return false to stop;
  // the reply then says "cancelled"). Another status's body is collected in the reply. The
  // timeout applies between chunks, not to the whole transfer.
  ApiReply Stream(const std::string& path, const std::function<bool(std::string_view)>& sink);

  const std::string& broker_url() const;

 private:
  struct Impl;
  explicit ApiClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hookctl
