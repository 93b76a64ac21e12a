#include "broker/httplib_sender.h"

#include <httplib.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>

#include "broker/callback_address.h"
#include "proto/limits.h"

namespace hookbroker {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Calls fn(cert) for every certificate in the store.
template <typename Fn>
void ForEachCertificate(X509_STORE* store, Fn fn) {
  STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(store);
  for (int i = 0; i < sk_X509_OBJECT_num(objects); ++i) {
    X509* cert = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objects, i));
    if (cert != nullptr) fn(cert);
  }
}

}  // namespace

struct HttplibSender::Pooled {
  std::unique_ptr<httplib::Client> client;
  std::string pinned_host;
  std::string pinned_address;
  bool used = false;  // served a request before: its connection may have gone stale
};

void HttplibSender::StoreFree::operator()(X509_STORE* store) const { X509_STORE_free(store); }

HttplibSender::HttplibSender(HttplibSenderOptions options)
    : options_(std::move(options)), ca_store_(X509_STORE_new()) {
  X509_STORE_set_default_paths(ca_store_.get());
  // Config checked that the file is readable; a file without certificates trusts nothing more.
  if (!options_.ca_file.empty()) X509_STORE_load_file(ca_store_.get(), options_.ca_file.c_str());
  // The clients' stores share these certificates, and OpenSSL 3.0 fills a certificate's
  // extension cache (key identifiers, purposes) lazily on its first use: filled here, before
  // any sharing, so concurrent verifications only read them (ThreadSanitizer caught two clients
  // racing on the first fill of a CA's cache).
  ForEachCertificate(ca_store_.get(), [](X509* cert) { X509_check_purpose(cert, -1, 0); });
}

x509_store_st* HttplibSender::NewClientStore() const {
  // ca_store_ is only read here, never verified against, so it no longer changes after the
  // constructor; the certificates are reference-counted, not copied.
  X509_STORE* store = X509_STORE_new();
  if (store == nullptr) return nullptr;
  ForEachCertificate(ca_store_.get(), [store](X509* cert) { X509_STORE_add_cert(store, cert); });
  return store;
}

HttplibSender::~HttplibSender() = default;

std::unique_ptr<HttplibSender::Pooled> HttplibSender::Borrow(const Url& url) {
  const std::string origin = url.Origin();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = idle_.find(origin);
    if (it != idle_.end() && !it->second.empty()) {
      auto pooled = std::move(it->second.back());
      it->second.pop_back();
      return pooled;
    }
  }
  auto pooled = std::make_unique<Pooled>();
  pooled->client = std::make_unique<httplib::Client>(origin);
  httplib::Client& c = *pooled->client;
  c.set_tcp_nodelay(true);  // PITFALLS.md: without it a keep-alive POST waits on delayed ACK
  c.set_keep_alive(true);
  c.set_follow_location(false);  // 3xx is an answer, not an instruction
  c.set_connection_timeout(options_.connect_timeout);
  if (url.scheme == "https") {
    c.enable_server_certificate_verification(true);
    // TLS 1.2 or later, whatever the system's OpenSSL configuration allows.
    SSL_CTX_set_min_proto_version(c.ssl_context(), TLS1_2_VERSION);
    // The client's SSL context owns a store of its own holding the parsed CAs (system plus
    // --ca-file). Without a CA path cpp-httplib would, on the first connect, parse the system
    // CA bundle into that store again; naming the system's hashed CA directory instead only
    // adds a lookup there, which reads a file when a certificate's issuer is not in the store.
    X509_STORE* store = NewClientStore();
    if (store != nullptr) c.set_ca_cert_store(store);
    c.set_ca_cert_path("", X509_get_default_cert_dir());
  }
  return pooled;
}

void HttplibSender::Return(const std::string& origin, std::unique_ptr<Pooled> client) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& idle = idle_[origin];
  if (idle.size() < options_.max_idle_per_origin) idle.push_back(std::move(client));
}

HttpResult HttplibSender::Send(const HttpRequest& request) {
  const auto started = SteadyClock::now();
  auto elapsed = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started);
  };
  Result<std::string> address = ResolveCallbackAddress(request.url, options_.address_policy);
  if (!address) {
    HttpResult refused;
    refused.kind = address.error().code == "callback_forbidden" ? HttpResult::Kind::kForbidden
                                                                : HttpResult::Kind::kConnectError;
    refused.error = address.error().message;
    refused.duration = elapsed();
    return refused;
  }

  auto pooled = Borrow(request.url);
  httplib::Client& client = *pooled->client;
  if (*address != request.url.host &&
      (pooled->pinned_host != request.url.host || pooled->pinned_address != *address)) {
    client.set_hostname_addr_map({{request.url.host, *address}});
    if (!pooled->pinned_address.empty()) client.stop();  // address changed: drop the old socket
    pooled->pinned_host = request.url.host;
    pooled->pinned_address = *address;
  }
  client.set_read_timeout(request.timeout);
  client.set_write_timeout(request.timeout);

  const auto deadline = started + request.timeout;
  HttpResult result;
  bool over_deadline = false;
  bool too_large = false;
  std::size_t body_seen = 0;

  httplib::Request req;
  req.method = request.method;
  req.path = request.url.target;
  req.headers.emplace("User-Agent", options_.user_agent);
  for (const auto& [name, value] : request.headers) req.headers.emplace(name, value);
  if (!req.has_header("Accept")) req.headers.emplace("Accept", "*/*");
  if (!request.body.empty() || request.method == "POST") {
    req.headers.emplace("Content-Type", request.content_type);
    req.body = request.body;
  }
  req.response_handler = [&](const httplib::Response& res) {
    result.status = res.status;
    result.retry_after = res.get_header_value("Retry-After");
    return true;
  };
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    if (result.body_excerpt.size() < limits::kResponseExcerptBytes) {
      result.body_excerpt.append(
          data, std::min(n, limits::kResponseExcerptBytes - result.body_excerpt.size()));
    }
    if (request.read_body_bytes > 0) {
      const std::size_t room = request.read_body_bytes - result.body.size();
      result.body.append(data, std::min(n, room));
      if (n > room) result.body_cut = true;
    }
    body_seen += n;
    if (body_seen > std::max(options_.max_response_bytes, request.read_body_bytes)) {
      too_large = true;
      return false;
    }
    if (SteadyClock::now() > deadline) {
      over_deadline = true;
      return false;
    }
    return true;
  };

  // The whole exchange ends at the deadline, however slowly the endpoint trickles bytes.
  const std::uint64_t watch = deadlines_.Arm(deadline, [&client] { client.stop(); });
  httplib::Result res = client.send(req);
  // A kept-alive connection the peer has closed fails at once; one retry on a fresh connection.
  if (!res && pooled->used && result.status == 0 &&
      (res.error() == httplib::Error::Write || res.error() == httplib::Error::Read) &&
      SteadyClock::now() < deadline) {
    client.stop();
    res = client.send(req);
  }
  if (deadlines_.Disarm(watch)) over_deadline = true;
  pooled->used = true;
  result.duration = elapsed();

  if (res || (res.error() == httplib::Error::Canceled && result.status != 0 && !over_deadline)) {
    result.kind = HttpResult::Kind::kResponse;
    if (res) result.status = res->status;
    if (too_large) {
      client.stop();
    } else if (res && res->get_header_value("Connection") == "close") {
      client.stop();
    }
    Return(request.url.Origin(), std::move(pooled));
    return result;
  }

  client.stop();
  const httplib::Error err = res.error();
  if (over_deadline) {
    result.kind = HttpResult::Kind::kTimeout;
    result.error = "no complete response within " + std::to_string(request.timeout.count()) +
                   " ms (the whole exchange)";
    result.status = 0;
    Return(request.url.Origin(), std::move(pooled));
    return result;
  }
  switch (err) {
    case httplib::Error::ConnectionTimeout:
      result.kind = HttpResult::Kind::kTimeout;
      result.error = "connect to " + request.url.Origin() + " timed out";
      break;
    case httplib::Error::Canceled:
      result.kind = HttpResult::Kind::kTimeout;
      result.error = "no complete response within the time limit";
      break;
    case httplib::Error::Read:
      if (result.duration + std::chrono::milliseconds(50) >= request.timeout) {
        result.kind = HttpResult::Kind::kTimeout;
        result.error = "no response within the time limit";
      } else {
        result.kind = HttpResult::Kind::kConnectError;
        result.error = "connection closed before a complete response";
      }
      break;
    case httplib::Error::SSLConnection:
      result.kind = HttpResult::Kind::kTlsError;
      result.error = "TLS handshake with " + request.url.Origin() + " failed";
      break;
    case httplib::Error::SSLServerVerification:
      result.kind = HttpResult::Kind::kTlsError;
      result.error = "TLS certificate of " + request.url.host +
                     " not accepted (untrusted issuer, expired, or wrong host name)";
      break;
    case httplib::Error::SSLLoadingCerts:
      result.kind = HttpResult::Kind::kTlsError;
      result.error = "could not load the trusted CA certificates";
      break;
    default:
      result.kind = HttpResult::Kind::kConnectError;
      result.error = "cannot connect to " + request.url.Origin() + ": " + httplib::to_string(err);
      break;
  }
  result.status = 0;
  Return(request.url.Origin(), std::move(pooled));
  return result;
}

}  // namespace hookbroker
