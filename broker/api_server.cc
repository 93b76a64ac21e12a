#include "broker/api_server.h"

#include <openssl/ssl.h>

#include <boost/json.hpp>
#include <charconv>

#include "broker/api_access.h"
#include "broker/api_http.h"
#include "broker/api_json.h"
#include "broker/bounded_http_server.h"
#include "broker/callback_address.h"
#include "broker/log.h"
#include "broker/mattermost_error.h"
#include "proto/httplib_listener.h"
#include "proto/limits.h"
#include "proto/secret_rotation.h"
#include "proto/signature.h"
#include "proto/url.h"

namespace hookbroker {
namespace {

namespace json = boost::json;
using api::SendError;
using api::SendJson;
using api::SendStoreError;

std::string_view TrimTrailingSpace(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) {
    s.remove_suffix(1);
  }
  return s;
}

Error NoSuchWebhook() { return Error{"not_found", "no webhook with this id", "webhookId"}; }

std::unique_ptr<httplib::Server> MakeServer(const ApiServerOptions& options) {
  const HttpRequestBounds bounds;  // the limits of proto/limits.h
  if (options.tls_cert_file.empty()) return std::make_unique<BoundedHttpServer>(bounds);
  auto server = std::make_unique<BoundedHttpsServer>(bounds, options.tls_cert_file.c_str(),
                                                     options.tls_key_file.c_str());
  if (server->is_valid()) SSL_CTX_set_min_proto_version(server->ssl_context(), TLS1_2_VERSION);
  return server;
}

// The webhook as listed: a read-only key does not see the callback token.
json::object WebhookJson(const Subscription& sub, bool admin) {
  json::object o = SubscriptionToApiJson(sub);
  if (!admin) o.erase("callbackToken");
  return o;
}

}  // namespace

ApiServer::ApiServer(Store& store, Dispatcher& dispatcher, HttpSender& sender, const Clock& clock,
                     ApiKeys& keys, Metrics& metrics, ApiServerOptions options,
                     ApiChatServices chat)
    : store_(store),
      dispatcher_(dispatcher),
      sender_(sender),
      clock_(clock),
      keys_(keys),
      metrics_(metrics),
      options_(std::move(options)),
      chat_(chat),
      server_(MakeServer(options_)) {
  server_->set_tcp_nodelay(true);  // PITFALLS.md: 100x slower keep-alive without it
  server_->set_keep_alive_max_count(1000);
  server_->set_read_timeout(std::chrono::seconds(10));
  server_->set_write_timeout(std::chrono::seconds(10));
  server_->set_payload_max_length(limits::kMaxRequestBodyBytes);
  CommonHandlers();
  WebhookRoutes();
  SecretRoutes();
  HistoryRoutes();
  KeyRoutes();
  if (chat_.channels != nullptr) ChannelRoutes();
  if (chat_.incoming != nullptr) IncomingHookRoutes();
  if (chat_.channels != nullptr && chat_.outgoing_hooks != nullptr) OutgoingHookRoutes();
  if (chat_.emakin != nullptr) EmakinRoutes();
}

ApiServer::~ApiServer() { Stop(); }

Status ApiServer::Bind(const std::string& host_port) {
  if (!server_->is_valid()) {
    return Error{"invalid_config",
                 "--api-tls-cert/--api-tls-key: cannot use " + options_.tls_cert_file + " and " +
                     options_.tls_key_file +
                     " (PEM certificate and the private key that matches it expected)",
                 "api-tls-cert"};
  }
  const auto colon = host_port.rfind(':');
  std::string host = host_port.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int port = 0;
  const std::string port_text = host_port.substr(colon + 1);
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port < 0 || port > 65535) {
    return Error{"invalid_config", "--http-listen: bad port in " + host_port, "http-listen"};
  }
  // Not httplib's default options: those set SO_REUSEPORT, with which a second broker bound this
  // same address and silently took half the API calls (proto/httplib_listener.h).
  port = BindHttplibServer(*server_, host, port);
  if (port <= 0) {
    return Error{"bind_failed", "cannot listen on " + host_port + " (in use or not permitted)",
                 "http-listen"};
  }
  const bool v6 = host.find(':') != std::string::npos;
  const std::string scheme = options_.tls_cert_file.empty() ? "http://" : "https://";
  url_ = scheme + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
  return Status::Ok();
}

void ApiServer::Start() {
  thread_ = std::thread([this] {
    if (!server_->listen_after_bind()) LogError("api", "the REST listener stopped unexpectedly");
    listen_returned_.store(true);
  });
  // cpp-httplib's stop() does nothing until the listen loop runs; a SIGTERM right after the ready
  // line would then leave Stop() joining a server that never stops. Return only once it runs.
  while (!server_->is_running() && !listen_returned_.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void ApiServer::Stop() {
  // Handlers in a long poll would otherwise hold the server's threads (and shutdown) for up to
  // their wait.
  stopping_.store(true);
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

void ApiServer::CommonHandlers() {
  httplib::Server& s = *server_;

  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    // cpp-httplib 0.11 bounds only a Content-Length body, and only before decoding it: a chunked
    // body, one read until the connection closes, or a compressed one would be taken whole
    // whatever its size (on any path, before any key check). Refuse them before reading.
    const bool writes =
        req.method == "POST" || req.method == "PUT" || req.method == "PATCH" || req.method == "PRI";
    if (req.has_header("Transfer-Encoding") || (writes && !req.has_header("Content-Length"))) {
      SendError(res, 411, "length_required",
                "send the request body with a Content-Length header (at most " +
                    std::to_string(limits::kMaxRequestBodyBytes) + " bytes)");
      res.set_header("Connection", "close");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.has_header("Content-Encoding") &&
        req.get_header_value("Content-Encoding") != "identity") {
      SendError(res, 415, "unsupported_encoding", "request bodies must not be compressed");
      return httplib::Server::HandlerResponse::Handled;
    }
    const ApiAccess access = RequiredAccess(req.method, req.path);
    if (access == ApiAccess::kOpen) return httplib::Server::HandlerResponse::Unhandled;
    const std::optional<ApiCaller> caller = keys_.Authenticate(
        req.get_header_value("accessToken"), req.get_header_value("Authorization"));
    if (!caller) {
      SendError(res, 401, "unauthorized",
                "missing or unknown API key: send \"accessToken: KEY\" or "
                "\"Authorization: Bearer KEY\"");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (access == ApiAccess::kAdmin && caller->kind != ApiKeyKind::kAdmin) {
      SendError(res, 403, "forbidden",
                req.method == "GET" || req.method == "HEAD"
                    ? "this API key is read-only: it may not read secrets or API keys"
                    : "this API key is read-only: it may list and inspect, not change anything");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });

  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 413 && req.path.starts_with("/hooks/")) {  // as Mattermost answers
      res.set_content(MattermostErrorBody(BodyTooLarge(limits::kMaxRequestBodyBytes)),
                      "application/json");
      return;
    }
    switch (res.status) {
      case 404:
        SendError(res, 404, "not_found", "no such route");
        break;
      case 413:
        SendError(
            res, 413, "payload_too_large",
            "request body larger than " + std::to_string(limits::kMaxRequestBodyBytes) + " bytes");
        break;
      case 400:
        SendError(res, 400, "bad_request",
                  "malformed HTTP request, a header line longer than " +
                      std::to_string(limits::kMaxHttpLineBytes) + " bytes, more than " +
                      std::to_string(limits::kMaxHttpHeaderLines) + " header lines or more than " +
                      std::to_string(limits::kMaxHttpHeaderBytes) + " bytes of headers");
        break;
      case 414:
        SendError(
            res, 414, "uri_too_long",
            "request line longer than " + std::to_string(limits::kMaxHttpLineBytes) + " bytes");
        break;
      default:
        SendError(res, res.status, "http_error", "request failed");
        break;
    }
  });

  s.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        // An incoming webhook's path holds its secret key.
        const std::string path = req.path.starts_with("/hooks/") ? "/hooks/..." : req.path;
        LogError("api", req.method + " " + path + " failed: " + what);
        SendError(res, 500, "internal_error", "internal error");
      });

  s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    SendJson(res, 200, json::object{{"status", "ok"}});
  });
}

ApiCaller ApiServer::Caller(const httplib::Request& req) const {
  // Revoked between the pre-routing check and now: the least privilege.
  return keys_
      .Authenticate(req.get_header_value("accessToken"), req.get_header_value("Authorization"))
      .value_or(ApiCaller{ApiKeyKind::kReadOnly, ApiKeyId("revoked")});
}

Status ApiServer::CheckCallbackUrl(const std::string& text, PayloadFormat format) {
  auto url = ParseUrl(text);
  if (!url) return url.error();
  auto address = ResolveCallbackAddress(*url, options_.address_policy);
  if (!address) return address.error();
  if (!options_.validation_handshake || !UsesValidationHandshake(format)) return Status::Ok();

  const std::string token = RandomHex(16);
  auto probe_url = ParseUrl(AppendQueryParam(*url, "validationToken", token));
  if (!probe_url) return probe_url.error();
  HttpRequest probe;
  probe.method = "GET";
  probe.url = *probe_url;
  probe.timeout = options_.handshake_timeout;
  HttpResult r = sender_.Send(probe);
  std::string why;
  if (r.kind != HttpResult::Kind::kResponse) {
    why = r.error;
  } else if (r.status != 200) {
    why = "it answered HTTP " + std::to_string(r.status) + " (200 expected)";
  } else if (TrimTrailingSpace(r.body_excerpt) != token) {
    why = "its body was not the validationToken";
  }
  if (why.empty()) return Status::Ok();
  return Error{"validation_failed",
               "callBackUrl failed the validation handshake (GET with ?validationToken=..., "
               "which must answer 200 with the token as the body within " +
                   std::to_string(options_.handshake_timeout.count() / 1000) + " s): " + why,
               "callBackUrl"};
}

void ApiServer::WebhookRoutes() {
  httplib::Server& s = *server_;
  RequestPolicy policy;
  policy.allow_http_callbacks = options_.allow_http_callbacks;

  s.Post("/v1/webhook", [this, policy](const httplib::Request& req, httplib::Response& res) {
    auto body = api::ParseBody(req.body);
    if (!body) return SendError(res, 400, body.error());
    auto sub = ParseSubscriptionRequest(*body, policy, clock_.NowMs());
    if (!sub) return SendError(res, 400, sub.error());
    if (Status ok = CheckCallbackUrl(sub->callback_url, sub->format); !ok)
      return SendError(res, 400, ok.error());
    sub->id = SubscriptionId(GenerateUuid());
    if (sub->secret.empty()) sub->secret = GenerateWebhookSecret();
    if (Status stored = store_.PutSubscription(*sub); !stored) {
      return SendStoreError(res, stored.error());
    }
    LogInfo("api", "webhook " + sub->id.value() + " registered for " +
                       std::string(ToString(sub->object_type)) + " " + sub->object_id + " -> " +
                       ParseUrl(sub->callback_url)->Origin());
    SendJson(res, 200, json::object{{"webhookId", sub->id.value()}, {"secret", sub->secret}});
  });

  s.Get("/v1/webhook", [this](const httplib::Request& req, httplib::Response& res) {
    SubscriptionFilter filter;
    if (req.has_param("objectType")) {
      auto type = ParseObjectType(req.get_param_value("objectType"));
      if (!type) {
        return SendError(
            res, 400,
            Error::Invalid("objectType", "objectType: expected Group, ActionPackage or Action"));
      }
      filter.object_type = *type;
    }
    if (req.has_param("objectId")) {
      filter.object_id = req.get_param_value("objectId");
      if (filter.object_id->empty()) {
        return SendError(res, 400, Error::Invalid("objectId", "objectId: must not be empty"));
      }
    }
    auto limit = api::LimitParam(req);
    if (!limit) return SendError(res, 400, limit.error());
    filter.limit = *limit;
    filter.after_id = req.get_param_value("cursor");
    auto page = store_.ListSubscriptions(filter);
    if (!page) return SendStoreError(res, page.error());
    json::array hooks;
    const bool admin = Caller(req).kind == ApiKeyKind::kAdmin;
    for (const auto& sub : page->subscriptions) hooks.push_back(WebhookJson(sub, admin));
    json::object out{{"webhooks", std::move(hooks)}};
    if (!page->next_after_id.empty()) out["nextCursor"] = page->next_after_id;
    SendJson(res, 200, out);
  });

  s.Get(R"(/v1/webhook/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    auto sub = store_.GetSubscription(SubscriptionId(req.matches[1]));
    if (!sub) return SendStoreError(res, sub.error());
    if (!*sub) return SendError(res, 404, NoSuchWebhook());
    SendJson(res, 200, WebhookJson(**sub, Caller(req).kind == ApiKeyKind::kAdmin));
  });

  s.Patch(R"(/v1/webhook/([^/]+))", [this, policy](const httplib::Request& req,
                                                   httplib::Response& res) {
    const SubscriptionId id(req.matches[1]);
    auto body = api::ParseBody(req.body);
    if (!body) return SendError(res, 400, body.error());
    auto current = store_.GetSubscription(id);
    if (!current) return SendStoreError(res, current.error());
    if (!*current) return SendError(res, 404, NoSuchWebhook());
    // Validate on a copy first, so the handshake (network I/O) runs outside any transaction.
    Subscription preview = **current;
    bool url_changed = false;
    if (Status valid =
            ApplySubscriptionPatch(*body, policy, clock_.NowMs(), &preview, &url_changed);
        !valid) {
      return SendError(res, 400, valid.error());
    }
    // A format that needs the handshake checks its receiver even at an unchanged URL.
    if (url_changed ||
        (UsesValidationHandshake(preview.format) && !UsesValidationHandshake((*current)->format))) {
      if (Status ok = CheckCallbackUrl(preview.callback_url, preview.format); !ok) {
        return SendError(res, 400, ok.error());
      }
    }
    bool was_paused = false;
    auto updated = store_.UpdateSubscription(id, [&](Subscription& sub) -> Status {
      was_paused = sub.paused;
      bool changed_again = false;
      return ApplySubscriptionPatch(*body, policy, clock_.NowMs(), &sub, &changed_again);
    });
    if (!updated) {
      if (updated.error().code.rfind("storage", 0) == 0) {
        return SendStoreError(res, updated.error());
      }
      return SendError(res, 400, updated.error());
    }
    if (!*updated) return SendError(res, 404, NoSuchWebhook());
    const Subscription& sub = **updated;
    if (was_paused && !sub.paused) dispatcher_.Resume(sub.id);
    std::string what;
    for (const auto& [name, value] : body->as_object()) {
      what += (what.empty() ? "" : ", ") + std::string(name);
    }
    LogInfo("api", "webhook " + sub.id.value() + " changed: " + what +
                       (was_paused != sub.paused ? (sub.paused ? " (paused)" : " (resumed)") : ""));
    SendJson(res, 200, SubscriptionToApiJson(sub));
  });

  s.Delete(R"(/v1/webhook/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    const SubscriptionId id(req.matches[1]);
    auto deleted = store_.DeleteSubscription(id, clock_.NowMs());
    if (!deleted) return SendStoreError(res, deleted.error());
    if (!*deleted) return SendError(res, 404, NoSuchWebhook());
    // Deliveries held for it while paused now end as cancelled.
    dispatcher_.Resume(id);
    LogInfo("api", "webhook " + id.value() + " deleted");
    SendJson(res, 200, json::object{{"webhookId", id.value()}, {"deleted", true}});
  });

  s.Get(R"(/v1/webhook/([^/]+)/stats)",
        [this](const httplib::Request& req, httplib::Response& res) {
          const SubscriptionId id(req.matches[1]);
          auto sub = store_.GetSubscription(id);
          if (!sub) return SendStoreError(res, sub.error());
          if (!*sub) return SendError(res, 404, NoSuchWebhook());
          auto stats = store_.GetSubscriptionStats(id);
          if (!stats) return SendStoreError(res, stats.error());
          SendJson(res, 200, api::StatsToJson(**sub, stats->value_or(SubscriptionStats{})));
        });

  s.Post(R"(/v1/webhook/([^/]+)/replay)", [this](const httplib::Request& req,
                                                 httplib::Response& res) {
    const SubscriptionId id(req.matches[1]);
    auto body = api::ParseBody(req.body.empty() ? "{}" : req.body);
    if (!body) return SendError(res, 400, body.error());
    const json::object* obj = body->if_object();
    if (obj == nullptr) {
      return SendError(res, 400, Error{"invalid_json", "request body must be a JSON object", ""});
    }
    const std::int64_t now = clock_.NowMs();
    auto time_field = [&](const char* name) -> Result<std::optional<std::int64_t>> {
      const json::value* v = obj->if_contains(name);
      if (v == nullptr || v->is_null()) return std::optional<std::int64_t>();
      if (v->is_int64() && v->as_int64() >= 0) return std::optional<std::int64_t>(v->as_int64());
      if (v->is_uint64())
        return std::optional<std::int64_t>(static_cast<std::int64_t>(v->as_uint64()));
      return Error::Invalid(name, std::string(name) + ": expected a time in epoch milliseconds");
    };
    auto since = time_field("since");
    if (!since) return SendError(res, 400, since.error());
    if (!*since) return SendError(res, 400, Error::Missing("since"));
    auto until = time_field("until");
    if (!until) return SendError(res, 400, until.error());
    const std::int64_t until_ms = until->value_or(now);
    if (until_ms < **since) {
      return SendError(res, 400, Error::Invalid("until", "until: must not be before since"));
    }
    bool include_delivered = false;
    if (const json::value* status = obj->if_contains("status")) {
      if (*status == "all") {
        include_delivered = true;
      } else if (*status != "failed") {
        return SendError(res, 400, Error::Invalid("status", "status: expected failed or all"));
      }
    }
    auto sub = store_.GetSubscription(id);
    if (!sub) return SendStoreError(res, sub.error());
    if (!*sub) return SendError(res, 404, NoSuchWebhook());
    std::vector<NewDelivery> replayed;
    Status stored = store_.Replay(id, **since, until_ms, include_delivered, now, &replayed);
    // Whatever was requeued before an error is pending in the store: it must be queued too.
    dispatcher_.Enqueue(replayed);
    LogInfo("api", "webhook " + id.value() + ": replay queued " + std::to_string(replayed.size()) +
                       " deliveries");
    if (!stored) return SendStoreError(res, stored.error());
    SendJson(res, 202, json::object{{"replayed", replayed.size()}});
  });
}

void ApiServer::SecretRoutes() {
  httplib::Server& s = *server_;

  // Admin keys only (api_access.h): the one place besides registration where a secret is shown.
  s.Get(R"(/v1/webhook/([^/]+)/secret)",
        [this](const httplib::Request& req, httplib::Response& res) {
          const SubscriptionId id(req.matches[1]);
          auto sub = store_.GetSubscription(id);
          if (!sub) return SendStoreError(res, sub.error());
          if (!*sub) return SendError(res, 404, NoSuchWebhook());
          json::object out{{"webhookId", id.value()}, {"secret", (*sub)->secret}};
          if (InRotationOverlap(**sub, clock_.NowMs())) {
            out["previousSecretExpiresAt"] = (*sub)->previous_secret_until_ms;
          }
          LogInfo("api", "signing secret of webhook " + id.value() + " read by key " +
                             Caller(req).key_id.value());
          SendJson(res, 200, out);
        });

  s.Post(R"(/v1/webhook/([^/]+)/secret/rotate)",
         [this](const httplib::Request& req, httplib::Response& res) {
           const SubscriptionId id(req.matches[1]);
           auto body = api::ParseBody(req.body.empty() ? "{}" : req.body);
           if (!body) return SendError(res, 400, body.error());
           auto rotation = ParseRotationRequest(*body);
           if (!rotation) return SendError(res, 400, rotation.error());
           std::string secret =
               rotation->new_secret.empty() ? GenerateWebhookSecret() : rotation->new_secret;
           const std::int64_t now = clock_.NowMs();
           auto updated = store_.UpdateSubscription(id, [&](Subscription& sub) -> Status {
             if (secret == sub.secret) {
               return Error::Invalid("secret", "secret: must differ from the current one");
             }
             RotateSecret(sub, secret, rotation->overlap_ms, now);
             return Status::Ok();
           });
           if (!updated) {
             if (updated.error().code == "invalid_field")
               return SendError(res, 400, updated.error());
             return SendStoreError(res, updated.error());
           }
           if (!*updated) return SendError(res, 404, NoSuchWebhook());
           const Subscription& sub = **updated;
           json::object out{{"webhookId", id.value()}, {"secret", sub.secret}};
           const bool overlap = InRotationOverlap(sub, now);
           out["previousSecretExpiresAt"] =
               overlap ? json::value(sub.previous_secret_until_ms) : json::value(nullptr);
           LogInfo("api", "webhook " + id.value() + ": signing secret rotated by key " +
                              Caller(req).key_id.value() +
                              (overlap ? "; the previous one signs too for " +
                                             std::to_string(rotation->overlap_ms / 1000) + " s"
                                       : ", no overlap"));
           SendJson(res, 200, out);
         });
}

}  // namespace hookbroker
