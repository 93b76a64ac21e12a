#include "subscribers/reference_receiver.h"

#include <httplib.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <deque>
#include <string_view>
#include <utility>

#include "proto/httplib_listener.h"
#include "subscribers/accepted_connections.h"

namespace hookbroker::subscribers {
namespace {

// cpp-httplib adds these pseudo-headers to every request it parses; they were not sent by the
// client, so recording them would make header assertions in tests misleading.
bool IsHttplibPseudoHeader(const std::string& name) {
  return name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" ||
         name == "LOCAL_PORT";
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

ReceivedRequest Record(const httplib::Request& req) {
  ReceivedRequest r;
  r.method = req.method;
  r.path = req.path;
  for (const auto& [name, value] : req.params) r.query.emplace(name, value);  // first one wins
  for (const auto& [name, value] : req.headers) {
    if (IsHttplibPseudoHeader(name)) continue;
    auto [it, inserted] = r.headers.emplace(Lower(name), value);
    // A repeated header is equivalent to one comma-joined header (RFC 9110 section 5.3).
    if (!inserted) it->second += ", " + value;
  }
  r.body = req.body;
  r.received_ms = NowMs();
  r.remote_port = req.remote_port;
  return r;
}

}  // namespace

struct ReferenceReceiver::Impl {
  explicit Impl(ReceiverOptions o) : options(std::move(o)) {}

  void HandleGet(const httplib::Request& req, httplib::Response& res);
  void HandlePost(const httplib::Request& req, httplib::Response& res);
  // Sleeps for `delay` unless Stop() begins first; false when stopping.
  bool SleepUnlessStopping(std::unique_lock<std::mutex>& lock, std::chrono::milliseconds delay);

  const ReceiverOptions options;

  // Serializes Start() and Stop(); never held by handlers, so Stop() can join them.
  std::mutex lifecycle_mu;
  std::unique_ptr<httplib::Server> server;  // non-null while started
  std::thread listener;

  mutable std::mutex mu;
  // Signalled when a POST is recorded and when Stop() begins (to cut scripted delays short).
  mutable std::condition_variable cv;
  std::vector<ReceivedRequest> posts;                   // guarded by mu
  std::vector<ReceivedRequest> handshakes;              // guarded by mu
  HandshakeMode mode = HandshakeMode::kEcho;            // guarded by mu
  std::deque<std::pair<int, ScriptedResponse>> script;  // guarded by mu
  bool stopping = false;                                // guarded by mu
  int port = 0;  // guarded by mu; kept after Stop() so a restart binds the same port
};

bool ReferenceReceiver::Impl::SleepUnlessStopping(std::unique_lock<std::mutex>& lock,
                                                  std::chrono::milliseconds delay) {
  if (delay.count() <= 0) return !stopping;
  return !cv.wait_for(lock, delay, [this] { return stopping; });
}

void ReferenceReceiver::Impl::HandleGet(const httplib::Request& req, httplib::Response& res) {
  if (!req.has_param("validationToken")) {
    res.status = 404;
    res.set_content("not found", "text/plain");
    return;
  }
  const std::string token = req.get_param_value("validationToken");
  std::unique_lock<std::mutex> lock(mu);
  handshakes.push_back(Record(req));
  switch (mode) {
    case HandshakeMode::kEcho:
      res.status = 200;
      res.set_content(token, "text/plain");
      return;
    case HandshakeMode::kWrongBody:
      res.status = 200;
      res.set_content("nope", "text/plain");
      return;
    case HandshakeMode::kError:
      res.status = 500;
      res.set_content("handshake refused", "text/plain");
      return;
    case HandshakeMode::kSlow:
      if (!SleepUnlessStopping(lock, std::chrono::seconds(7))) {
        res.status = 503;
        return;
      }
      res.status = 200;
      res.set_content(token, "text/plain");
      return;
  }
}

void ReferenceReceiver::Impl::HandlePost(const httplib::Request& req, httplib::Response& res) {
  std::unique_lock<std::mutex> lock(mu);
  if (stopping) {
    // A request slipping in while Stop() runs: the receiver is meant to be down already.
    res.status = 503;
    res.set_header("Connection", "close");
    return;
  }
  // Recorded before answering, so a test woken by WaitForPosts() sees the request even when the
  // scripted answer is delayed or the connection is then cut.
  posts.push_back(Record(req));
  cv.notify_all();

  ScriptedResponse answer;
  answer.body = "ok";
  if (!script.empty()) {
    answer = script.front().second;
    if (--script.front().first <= 0) script.pop_front();
  }
  if (!SleepUnlessStopping(lock, answer.delay)) {
    res.status = 503;
    res.set_header("Connection", "close");
    return;
  }
  lock.unlock();

  res.status = answer.status;
  std::string content_type = "text/plain";
  for (const auto& [name, value] : answer.headers) {
    if (Lower(name) == "content-type") {
      content_type = value;
    } else {
      res.set_header(name, value);
    }
  }
  res.set_content(answer.body, content_type);
}

ReferenceReceiver::ReferenceReceiver(ReceiverOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

ReferenceReceiver::~ReferenceReceiver() { Stop(); }

Status ReferenceReceiver::Start() {
  std::lock_guard<std::mutex> lifecycle(impl_->lifecycle_mu);
  if (impl_->server) return Status::Ok();
  const ReceiverOptions& options = impl_->options;

  std::unique_ptr<httplib::Server> server;
  if (options.tls) {
    auto ssl =
        std::make_unique<httplib::SSLServer>(options.cert_file.c_str(), options.key_file.c_str());
    if (!ssl->is_valid()) {
      return Error{"tls_setup_failed",
                   "cannot load TLS certificate '" + options.cert_file + "' or key '" +
                       options.key_file + "'",
                   "cert_file"};
    }
    server = std::move(ssl);
  } else {
    server = std::make_unique<httplib::Server>();
  }

  Impl* impl = impl_.get();
  server->Get(".*", [impl](const httplib::Request& req, httplib::Response& res) {
    impl->HandleGet(req, res);
  });
  server->Post(".*", [impl](const httplib::Request& req, httplib::Response& res) {
    impl->HandlePost(req, res);
  });
  // Without TCP_NODELAY, small responses wait on delayed ACKs (~40 ms each).
  server->set_tcp_nodelay(true);
  // The broker keeps connections open and may deliver many callbacks over one.
  server->set_keep_alive_max_count(10000);
  server->set_keep_alive_timeout(5);
  server->set_read_timeout(std::chrono::seconds(10));
  server->set_write_timeout(std::chrono::seconds(10));
  // httplib's default pool is max(8, cores - 1) threads, each pinned to a connection while it is
  // kept alive; a broker delivering in parallel could otherwise queue behind idle connections.
  server->new_task_queue = [] { return new httplib::ThreadPool(32); };

  int port = 0;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    port = options.port != 0 ? options.port : impl_->port;
  }
  // SO_REUSEADDR only (a port in use fails) and a full listen backlog: proto/httplib_listener.h.
  const int bound = BindHttplibServer(*server, options.host, port);
  if (bound <= 0) {
    return Error{"bind_failed", "cannot listen on " + options.host + ":" + std::to_string(port),
                 "port"};
  }
  port = bound;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->port = port;
    impl_->stopping = false;
  }

  auto listen_done = std::make_shared<std::atomic<bool>>(false);
  httplib::Server* raw = server.get();
  impl_->listener = std::thread([raw, listen_done] {
    // SSL_write() reaches write(2), which raises SIGPIPE when a client has gone away and would
    // kill the whole test process. Blocking it here is inherited by httplib's worker threads
    // (created inside listen_after_bind), so such writes just fail with EPIPE.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    raw->listen_after_bind();
    listen_done->store(true);
  });

  // The kernel already queues connections after bind, but Server::stop() is a no-op until the
  // accept loop runs, so wait for it: a Stop() right after Start() must not be lost.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!raw->is_running() && !listen_done->load() &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!raw->is_running()) {
    raw->stop();
    if (impl_->listener.joinable()) impl_->listener.join();
    return Error{"listen_failed", "the receiver's accept loop did not start", ""};
  }
  impl_->server = std::move(server);
  return Status::Ok();
}

void ReferenceReceiver::Stop() {
  std::lock_guard<std::mutex> lifecycle(impl_->lifecycle_mu);
  if (!impl_->server) return;
  int port = 0;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
    port = impl_->port;
  }
  impl_->cv.notify_all();  // cut scripted delays and slow handshakes short
  impl_->server->stop();
  ShutDownAcceptedConnections(port, SHUT_RDWR);
  if (impl_->listener.joinable()) impl_->listener.join();
  impl_->server.reset();
}

int ReferenceReceiver::port() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->port;
}

std::string ReferenceReceiver::BaseUrl() const {
  const std::string& host = impl_->options.host;
  const bool v6 = host.find(':') != std::string::npos;
  return std::string(impl_->options.tls ? "https://" : "http://") + (v6 ? "[" : "") + host +
         (v6 ? "]" : "") + ":" + std::to_string(port());
}

void ReferenceReceiver::SetHandshakeMode(HandshakeMode mode) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->mode = mode;
}

void ReferenceReceiver::Script(int count, ScriptedResponse response) {
  if (count <= 0) return;
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->script.emplace_back(count, std::move(response));
}

std::vector<ReceivedRequest> ReferenceReceiver::Posts() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->posts;
}

std::vector<ReceivedRequest> ReferenceReceiver::Handshakes() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->handshakes;
}

bool ReferenceReceiver::WaitForPosts(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(impl_->mu);
  return impl_->cv.wait_for(lock, timeout, [&] { return impl_->posts.size() >= count; });
}

}  // namespace hookbroker::subscribers
