// ApiServer: the REST API (docs/API.md) on cpp-httplib. Kaizala-compatible webhook registration,
// listing, changes and deletion (api_server.cc); delivery history, redelivery, replay, the attempt
// log, the audit export and metrics (api_history.cc); API keys (api_key_routes.cc); chat channels
// (api_channel_routes.cc); incoming webhooks (api_incoming_routes.cc); outgoing webhooks
// (api_outgoing_hook_routes.cc); /healthz.
// Plain HTTP, or HTTPS when a certificate and key are configured.
//
// Access: every request under /v1 and /metrics carries an API key (api_keys.h); what each kind
// of key may do is decided in one place, api_access.h, before any route runs.
//
// Threads: cpp-httplib's own pool runs the handlers; each handler uses short store calls. The
// validation handshake of a registration runs in its handler (at most 5 s), never inside a store
// transaction.
//
// Lifecycle: Bind(), Start() (serves on its own thread), Stop() (stops accepting, finishes
// requests in progress).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "broker/api_keys.h"
#include "broker/clock.h"
#include "broker/dispatcher.h"
#include "broker/http_sender.h"
#include "broker/metrics.h"
#include "broker/store.h"
#include "proto/address_policy.h"
#include "proto/payload_format.h"
#include "proto/result.h"

namespace httplib {
class Server;
struct Request;
}  // namespace httplib

namespace hookbroker {

class ChannelStore;
class PostSink;
class IncomingWebhooks;
class OutgoingHooks;
class OutgoingWebhookFirer;
class EmakinHooks;

struct ApiServerOptions {
  bool allow_http_callbacks = false;
  bool validation_handshake = true;
  std::chrono::milliseconds handshake_timeout{5000};
  CallbackAddressPolicy address_policy;
  // Both set: serve HTTPS with this certificate (chain) and private key, PEM files.
  std::string tls_cert_file;
  std::string tls_key_file;
};

// The chat side (docs/CHAT.md), borrowed; its routes exist only for what is given.
struct ApiChatServices {
  ChannelStore* channels = nullptr;      // /v1/channels
  PostSink* posts = nullptr;             // where webhooks' posts go (ingest, then the posts socket)
  IncomingWebhooks* incoming = nullptr;  // /v1/hooks/incoming and POST /hooks/{key}
  // /v1/hooks/outgoing (needs `channels` too); the firer's counters join GET /metrics.
  OutgoingHooks* outgoing_hooks = nullptr;
  const OutgoingWebhookFirer* outgoing_firer = nullptr;
  EmakinHooks* emakin = nullptr;  // POST /hooks/channels/{channelId}/{key}
};

class ApiServer {
 public:
  ApiServer(Store& store, Dispatcher& dispatcher, HttpSender& sender, const Clock& clock,
            ApiKeys& keys, Metrics& metrics, ApiServerOptions options, ApiChatServices chat = {});
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // "HOST:PORT"; port 0 picks a free one. Fails too when the TLS certificate or key cannot be
  // used.
  Status Bind(const std::string& host_port);
  // "http://HOST:PORT" (or https://) with the actual port.
  const std::string& url() const { return url_; }
  // Serves on a thread of its own; returns once the server accepts requests.
  void Start();
  void Stop();

 private:
  void CommonHandlers();
  void WebhookRoutes();
  void HistoryRoutes();
  void KeyRoutes();
  void SecretRoutes();
  void ChannelRoutes();       // api_channel_routes.cc
  void IncomingHookRoutes();  // api_incoming_routes.cc
  void OutgoingHookRoutes();  // api_outgoing_hook_routes.cc
  void EmakinRoutes();        // api_emakin_routes.cc
  // The key `req` was authenticated with (the pre-routing handler let it through), for what a
  // route shows (callback tokens to admin keys only) and for the log ("by key ...").
  ApiCaller Caller(const httplib::Request& req) const;
  // Error (validation_failed, callback_forbidden, dns_error) when `url` may not be a callback.
  // The validation handshake runs for the formats that use it (payload_format.h).
  Status CheckCallbackUrl(const std::string& url, PayloadFormat format);

  Store& store_;
  Dispatcher& dispatcher_;
  HttpSender& sender_;
  const Clock& clock_;
  ApiKeys& keys_;
  Metrics& metrics_;
  const ApiServerOptions options_;
  const ApiChatServices chat_;
  std::unique_ptr<httplib::Server> server_;
  std::atomic<bool> stopping_{false};  // long polls end early when set
  std::atomic<bool> listen_returned_{false};
  std::string url_;
  std::thread thread_;
};

}  // namespace hookbroker
