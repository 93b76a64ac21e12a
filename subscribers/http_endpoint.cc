#include "subscribers/http_endpoint.h"

#include <httplib.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <thread>
#include <utility>

#include "broker/bounded_http_server.h"
#include "proto/httplib_listener.h"
#include "subscribers/accepted_connections.h"

namespace hookbroker::subscribers {
namespace {

CallbackRequest FromHttplib(const httplib::Request& req) {
  CallbackRequest r;
  r.method = req.method;
  r.path = req.path;
  // httplib merges a form-encoded body into params; only the URL's query counts here.
  if (req.target.find('?') != std::string::npos) {
    httplib::Params query;
    httplib::detail::parse_query_text(req.target.substr(req.target.find('?') + 1), query);
    for (const auto& [name, value] : query) r.query.emplace(name, value);
  }
  for (const auto& [name, value] : req.headers) {
    // Pseudo-headers httplib adds for the peer's address; never sent by the client.
    if (name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" ||
        name == "LOCAL_PORT") {
      continue;
    }
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto [it, inserted] = r.headers.emplace(lower, value);
    if (!inserted) it->second += ", " + value;
  }
  r.body = req.body;
  return r;
}

}  // namespace

struct HttpEndpoint::Impl {
  EndpointOptions options;
  Handler handler;
  std::unique_ptr<httplib::Server> server;  // non-null while started
  std::thread listener;
  std::atomic<int> port{0};
};

HttpEndpoint::HttpEndpoint(EndpointOptions options, Handler handler)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
}

HttpEndpoint::~HttpEndpoint() { Stop(); }

Status HttpEndpoint::Start() {
  if (impl_->server) return Status::Ok();
  const EndpointOptions& o = impl_->options;
  // The broker's bounded connection loop (broker/bounded_http_server.h): lines, headers and body
  // bounded as they arrive; a request and an answer each have their timeout in all, not per
  // byte; idle connections give way when others wait for one of the `threads`.
  HttpRequestBounds bounds;
  bounds.max_body_bytes = o.max_body;
  const std::size_t threads = static_cast<std::size_t>(std::max(1, o.threads));
  std::unique_ptr<httplib::Server> server;
  if (!o.cert_file.empty() || !o.key_file.empty()) {
    auto ssl = std::make_unique<BoundedHttpsServer>(bounds, o.cert_file.c_str(), o.key_file.c_str(),
                                                    threads);
    if (!ssl->is_valid()) {
      return Error{"tls_setup_failed",
                   "cannot load the TLS certificate " + o.cert_file + " or key " + o.key_file,
                   "tls-cert"};
    }
    server = std::move(ssl);
  } else {
    server = std::make_unique<BoundedHttpServer>(bounds, threads);
  }

  Handler* handler = &impl_->handler;
  auto serve = [handler](const httplib::Request& req, httplib::Response& res) {
    CallbackResponse answer = (*handler)(FromHttplib(req));
    res.status = answer.status;
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_content(answer.body, answer.content_type);
  };
  // Every method reaches the handler, so it (not httplib) decides what a wrong method gets.
  server->Get(".*", serve);
  server->Post(".*", serve);
  server->Put(".*", serve);
  server->Delete(".*", serve);
  server->Patch(".*", serve);
  server->set_payload_max_length(o.max_body);
  server->set_tcp_nodelay(true);  // otherwise small answers wait on delayed ACKs
  server->set_keep_alive_max_count(1000);
  server->set_keep_alive_timeout(5);
  server->set_read_timeout(std::chrono::seconds(15));
  server->set_write_timeout(std::chrono::seconds(15));

  // SO_REUSEADDR without httplib's default SO_REUSEPORT, so a second receiver cannot silently
  // share a port in use, and a full listen backlog: proto/httplib_listener.h.
  const int port = BindHttplibServer(*server, o.host, o.port);
  if (port <= 0) {
    return Error{"bind_failed", "cannot listen on " + o.host + ":" + std::to_string(o.port),
                 "listen"};
  }
  impl_->port = port;

  httplib::Server* raw = server.get();
  auto done = std::make_shared<std::atomic<bool>>(false);
  impl_->listener = std::thread([raw, done] {
    // A peer that hangs up mid-answer must not kill the process with SIGPIPE; httplib's workers
    // are created inside listen_after_bind() and inherit this mask.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    raw->listen_after_bind();
    done->store(true);
  });
  // stop() is a no-op until the accept loop runs; wait for it so Stop() right after works.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!raw->is_running() && !done->load() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!raw->is_running()) {
    raw->stop();
    impl_->listener.join();
    return Error{"listen_failed", "the accept loop did not start", "listen"};
  }
  impl_->server = std::move(server);
  return Status::Ok();
}

void HttpEndpoint::Stop() {
  if (!impl_->server) return;
  impl_->server->stop();
  // Idle keep-alive connections would hold their workers (and this join) for up to the
  // keep-alive timeout; SHUT_RD ends those waits while a request being handled still answers.
  ShutDownAcceptedConnections(impl_->port, SHUT_RD);
  if (impl_->listener.joinable()) impl_->listener.join();
  impl_->server.reset();
}

int HttpEndpoint::port() const { return impl_->port; }

std::string HttpEndpoint::Url() const {
  const EndpointOptions& o = impl_->options;
  const bool tls = !o.cert_file.empty();
  const bool v6 = o.host.find(':') != std::string::npos;
  return std::string(tls ? "https://" : "http://") + (v6 ? "[" : "") + o.host + (v6 ? "]" : "") +
         ":" + std::to_string(impl_->port.load());
}

}  // namespace hookbroker::subscribers
