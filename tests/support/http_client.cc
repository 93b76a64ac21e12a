#include "tests/support/http_client.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <stdexcept>

namespace hookbroker::testing {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

HttpReply Call(const std::string& ca_file, const std::string& base, const std::string& method,
               const std::string& path, const std::string& body,
               const std::map<std::string, std::string>& headers, const std::string& content_type) {
  httplib::Client client(base);
  if (!ca_file.empty()) {
    client.set_ca_cert_path(ca_file.c_str());
    client.enable_server_certificate_verification(true);
  }
  // Without TCP_NODELAY every small request waits on a delayed ACK (~40 ms).
  client.set_tcp_nodelay(true);
  client.set_connection_timeout(std::chrono::seconds(5));
  // Generous: some REST calls (e.g. a subscription's validation handshake) legitimately take
  // several seconds, and a hung broker is caught by the test's own timeouts.
  client.set_read_timeout(std::chrono::seconds(30));
  client.set_write_timeout(std::chrono::seconds(30));

  const httplib::Headers request_headers(headers.begin(), headers.end());
  httplib::Result result = [&] {
    if (method == "GET") return client.Get(path, request_headers);
    if (method == "POST") return client.Post(path, request_headers, body, content_type);
    if (method == "PUT") return client.Put(path, request_headers, body, content_type);
    if (method == "PATCH") return client.Patch(path, request_headers, body, content_type);
    if (method == "DELETE") {
      return body.empty() ? client.Delete(path, request_headers)
                          : client.Delete(path, request_headers, body, content_type);
    }
    throw std::invalid_argument("HttpCall: unsupported method " + method);
  }();

  HttpReply reply;
  if (!result) {
    // status stays 0; the body says why, for the assertion message.
    reply.body = httplib::to_string(result.error());
    return reply;
  }
  reply.status = result->status;
  reply.body = result->body;
  for (const auto& [name, value] : result->headers) {
    auto [it, inserted] = reply.headers.emplace(Lower(name), value);
    if (!inserted) it->second += ", " + value;
  }
  return reply;
}

}  // namespace

HttpReply HttpCall(const std::string& base, const std::string& method, const std::string& path,
                   const std::string& body, const std::map<std::string, std::string>& headers,
                   const std::string& content_type) {
  return Call("", base, method, path, body, headers, content_type);
}

HttpReply HttpsCall(const std::string& ca_file, const std::string& base, const std::string& method,
                    const std::string& path, const std::string& body,
                    const std::map<std::string, std::string>& headers) {
  return Call(ca_file, base, method, path, body, headers, "application/json");
}

}  // namespace hookbroker::testing
