#include "tools/hookctl/api_client.h"

#include <httplib.h>
#include <netdb.h>
#include <sys/socket.h>

#include "proto/url.h"

namespace hookctl {
namespace {

using Clock = std::chrono::steady_clock;

// Error bodies are short JSON; this bounds what a misbehaving server can make us hold.
constexpr std::size_t kMaxErrorBody = 64 * 1024;

std::string Seconds(std::chrono::milliseconds ms) {
  const double s = static_cast<double>(ms.count()) / 1000.0;
  char buf[32];
  std::snprintf(buf, sizeof buf,
                s == static_cast<double>(static_cast<long long>(s)) ? "%.0f s" : "%.1f s", s);
  return buf;
}

bool Resolves(const std::string& host) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* result = nullptr;
  const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &result);
  if (result != nullptr) freeaddrinfo(result);
  return rc == 0;
}

}  // namespace

struct ApiClient::Impl {
  Settings settings;
  hookbroker::Url url;
  std::string base_path;  // "" or "/prefix" when the broker sits under a path
  httplib::Headers headers;

  std::unique_ptr<httplib::Client> NewClient(std::chrono::milliseconds read_timeout) const {
    auto client = std::make_unique<httplib::Client>(url.scheme + "://" + url.HostForUrl() + ":" +
                                                    std::to_string(url.port));
    // Without it a request's headers and body wait on delayed ACK (shared/PITFALLS.md).
    client->set_tcp_nodelay(true);
    client->set_connection_timeout(settings.timeout);
    client->set_read_timeout(read_timeout);
    client->set_write_timeout(settings.timeout);
    // Paths are percent-encoded by the caller (url_encode.h); encoding again would mangle '%'.
    client->set_url_encode(false);
    client->set_keep_alive(false);
    if (url.scheme == "https") {
      // The system's CAs, or only --ca-file's when given; the host name is checked too.
      client->enable_server_certificate_verification(true);
      if (!settings.ca_file.empty()) client->set_ca_cert_path(settings.ca_file.c_str());
    }
    return client;
  }

  // Turns httplib's error into words for "cannot reach the broker at URL (...)".
  std::string Explain(httplib::Error error, Clock::duration elapsed,
                      std::chrono::milliseconds read_timeout) const {
    const bool timed_out = elapsed >= settings.timeout - std::chrono::milliseconds(50);
    switch (error) {
      case httplib::Error::Connection:
        if (!Resolves(url.host)) return "cannot resolve host " + url.host;
        if (timed_out) return "no answer within " + Seconds(settings.timeout);
        return "connection refused";
      case httplib::Error::ConnectionTimeout:
        return "no connection within " + Seconds(settings.timeout);
      case httplib::Error::Read:
        if (elapsed >= read_timeout - std::chrono::milliseconds(50)) {
          return "no answer within " + Seconds(read_timeout);
        }
        return "the connection closed before the reply was complete";
      case httplib::Error::Write:
        return "the connection broke while sending the request";
      case httplib::Error::SSLConnection:
        return "TLS handshake failed";
      case httplib::Error::SSLServerVerification:
        return settings.ca_file.empty()
                   ? "the broker's TLS certificate is not trusted; give its CA with --ca-file or "
                     "HOOKBROKER_CA"
                   : "the broker's TLS certificate is not trusted by " + settings.ca_file;
      case httplib::Error::SSLLoadingCerts:
        return "cannot load the CA certificates";
      case httplib::Error::Canceled:
        return "cancelled";
      default:
        return httplib::to_string(error);
    }
  }
};

ApiClient::ApiClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ApiClient::~ApiClient() = default;

hookbroker::Result<std::unique_ptr<ApiClient>> ApiClient::Create(const Settings& settings) {
  auto url = hookbroker::ParseUrl(settings.broker_url);
  if (!url) {
    // ParseUrl words its errors for callback URLs ("callBackUrl: ..."); this one is not.
    std::string why = url.error().message;
    if (const auto colon = why.find(": ");
        colon != std::string::npos && why.rfind("callBackUrl", 0) == 0) {
      why.erase(0, colon + 2);
    }
    return hookbroker::Error::Invalid("--url", "broker URL '" + settings.broker_url + "': " + why);
  }
  if (url->target.find('?') != std::string::npos) {
    return hookbroker::Error::Invalid(
        "--url", "broker URL '" + settings.broker_url + "': must not have a query");
  }
  auto impl = std::make_unique<Impl>();
  impl->settings = settings;
  impl->url = *url;
  impl->base_path = url->target == "/" ? "" : url->target;
  while (!impl->base_path.empty() && impl->base_path.back() == '/') impl->base_path.pop_back();
  impl->headers = {{"Accept", "application/json"}, {"User-Agent", "hookctl/" HOOKBROKER_VERSION}};
  if (!settings.api_key.empty()) {
    impl->headers.emplace("Authorization", "Bearer " + settings.api_key);
  }
  return std::unique_ptr<ApiClient>(new ApiClient(std::move(impl)));
}

const std::string& ApiClient::broker_url() const { return impl_->settings.broker_url; }

ApiReply ApiClient::Call(std::string_view method, const std::string& path, const std::string& body,
                         std::chrono::milliseconds extra_wait) {
  ApiReply reply;
  reply.method = std::string(method);
  reply.path = path;
  const std::chrono::milliseconds read_timeout = impl_->settings.timeout + extra_wait;
  auto client = impl_->NewClient(read_timeout);
  const std::string target = impl_->base_path + path;
  const auto start = Clock::now();
  httplib::Result result{nullptr, httplib::Error::Unknown};
  if (method == "GET") {
    result = client->Get(target, impl_->headers);
  } else if (method == "POST") {
    result = client->Post(target, impl_->headers, body, "application/json");
  } else if (method == "PATCH") {
    result = client->Patch(target, impl_->headers, body, "application/json");
  } else if (method == "DELETE") {
    result = client->Delete(target, impl_->headers);
  }
  if (!result) {
    reply.transport_error = impl_->Explain(result.error(), Clock::now() - start, read_timeout);
    return reply;
  }
  reply.status = result->status;
  reply.body = std::move(result->body);
  return reply;
}

ApiReply ApiClient::Stream(const std::string& path,
                           const std::function<bool(std::string_view)>& sink) {
  ApiReply reply;
  reply.method = "GET";
  reply.path = path;
  auto client = impl_->NewClient(impl_->settings.timeout);
  auto last_activity = Clock::now();
  auto result = client->Get(
      impl_->base_path + path, impl_->headers,
      [&](const httplib::Response& response) {
        reply.status = response.status;
        last_activity = Clock::now();
        return true;
      },
      [&](const char* data, std::size_t length) {
        last_activity = Clock::now();
        if (reply.status == 200) return sink(std::string_view(data, length));
        if (reply.body.size() < kMaxErrorBody) reply.body.append(data, length);
        return true;
      });
  if (!result) {
    reply.status = 0;
    // Between chunks, not since the start: a long export is fine as long as it keeps flowing.
    reply.transport_error =
        impl_->Explain(result.error(), Clock::now() - last_activity, impl_->settings.timeout);
  }
  return reply;
}

}  // namespace hookctl
