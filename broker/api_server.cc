#include "broker/api_server.h"

#include <httplib.h>
#include <openssl/rand.h>

#include <boost/json.hpp>
#include <charconv>

#include "broker/callback_address.h"
#include "broker/log.h"
#include "proto/limits.h"
#include "proto/signature.h"
#include "proto/url.h"

namespace hookbroker {
namespace {

namespace json = boost::json;

void SendJson(httplib::Response& res, int status, const json::value& body) {
  res.status = status;
  res.set_content(json::serialize(body), "application/json");
}

void SendError(httplib::Response& res, int status, const Error& error) {
  json::object e;
  e["code"] = error.code;
  e["message"] = error.message;
  if (!error.field.empty()) e["field"] = error.field;
  SendJson(res, status, json::object{{"error", std::move(e)}});
}

void SendError(httplib::Response& res, int status, std::string code, std::string message,
               std::string field = "") {
  SendError(res, status, Error{std::move(code), std::move(message), std::move(field)});
}

// 500 for storage trouble, 400 for everything the caller can fix.
void SendStoreError(httplib::Response& res, const Error& error) {
  LogError("store", error.message);
  SendError(res, error.code == "storage_full" ? 507 : 500, error.code,
            "storage error: " + error.message);
}

Result<json::value> ParseBody(const std::string& body) {
  json::parse_options opts;
  opts.max_depth = limits::kMaxJsonDepth;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec, {}, opts);
  if (ec) return Error{"invalid_json", "request body is not valid JSON: " + ec.message(), ""};
  return v;
}

Result<std::size_t> ParseLimit(const httplib::Request& req) {
  if (!req.has_param("limit")) return std::size_t{100};
  const std::string text = req.get_param_value("limit");
  std::size_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < 1 || v > 1000) {
    return Error::Invalid("limit", "limit: expected a whole number from 1 to 1000");
  }
  return v;
}

json::object DeliveryToJson(const DeliveryWithAttempts& item) {
  const DeliveryRecord& d = item.delivery;
  json::object o;
  o["id"] = std::to_string(d.id.value());
  o["webhookId"] = d.subscription_id.value();
  o["eventId"] = d.event_id.value();
  o["eventType"] = d.event_type;
  o["status"] = ToString(d.status);
  o["attemptCount"] = d.attempts;
  o["createdAt"] = d.created_ms;
  o["updatedAt"] = d.updated_ms;
  if (d.status == DeliveryStatus::kPending) o["nextAttemptAt"] = d.next_attempt_ms;
  if (d.last_http_status != 0) o["lastHttpStatus"] = d.last_http_status;
  if (!d.last_error.empty()) o["lastError"] = d.last_error;
  json::array attempts;
  for (const AttemptRecord& a : item.attempts) {
    json::object ao;
    ao["attempt"] = a.number;
    ao["startedAt"] = a.started_ms;
    ao["durationMs"] = a.duration_ms;
    ao["outcome"] = ToString(a.outcome);
    if (a.http_status != 0) ao["httpStatus"] = a.http_status;
    if (!a.error.empty()) ao["error"] = a.error;
    ao["response"] = a.response_excerpt;
    attempts.push_back(std::move(ao));
  }
  o["attempts"] = std::move(attempts);
  return o;
}

std::string RandomToken() {
  unsigned char bytes[16];
  RAND_bytes(bytes, sizeof bytes);
  static const char kHex[] = "0123456789abcdef";
  std::string t;
  for (unsigned char b : bytes) {
    t.push_back(kHex[b >> 4]);
    t.push_back(kHex[b & 15]);
  }
  return t;
}

std::string_view TrimTrailingSpace(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
    s.remove_suffix(1);
  return s;
}

}  // namespace

ApiServer::ApiServer(Store& store, HttpSender& sender, const Clock& clock, const ApiKeys& keys,
                     ApiServerOptions options)
    : store_(store),
      sender_(sender),
      clock_(clock),
      keys_(keys),
      options_(std::move(options)),
      server_(std::make_unique<httplib::Server>()) {
  server_->set_tcp_nodelay(true);  // PITFALLS.md: 100x slower keep-alive without it
  server_->set_keep_alive_max_count(1000);
  server_->set_read_timeout(std::chrono::seconds(10));
  server_->set_write_timeout(std::chrono::seconds(10));
  server_->set_payload_max_length(limits::kMaxRequestBodyBytes);
  Routes();
}

ApiServer::~ApiServer() { Stop(); }

Status ApiServer::Bind(const std::string& host_port) {
  const auto colon = host_port.rfind(':');
  std::string host = host_port.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  int port = 0;
  const std::string port_text = host_port.substr(colon + 1);
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port < 0 || port > 65535) {
    return Error{"invalid_config", "--http-listen: bad port in " + host_port, "http-listen"};
  }
  if (port == 0) {
    port = server_->bind_to_any_port(host);
  } else if (!server_->bind_to_port(host, port)) {
    port = -1;
  }
  if (port <= 0) {
    return Error{"bind_failed", "cannot listen on " + host_port + " (in use or not permitted)",
                 "http-listen"};
  }
  const bool v6 = host.find(':') != std::string::npos;
  url_ = "http://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
  return Status::Ok();
}

void ApiServer::Start() {
  thread_ = std::thread([this] { server_->listen_after_bind(); });
}

void ApiServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

void ApiServer::Routes() {
  httplib::Server& s = *server_;

  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (req.path.rfind("/v1/", 0) != 0 && req.path != "/v1") {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    if (!keys_.Accepts(req.get_header_value("accessToken"),
                       req.get_header_value("Authorization"))) {
      SendError(res, 401, "unauthorized",
                "missing or unknown API key: send \"accessToken: KEY\" or "
                "\"Authorization: Bearer KEY\"");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });

  s.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
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
        SendError(res, 400, "bad_request", "malformed HTTP request");
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
        LogError("api", req.method + " " + req.path + " failed: " + what);
        SendError(res, 500, "internal_error", "internal error");
      });

  s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    SendJson(res, 200, json::object{{"status", "ok"}});
  });

  s.Post("/v1/webhook", [this](const httplib::Request& req, httplib::Response& res) {
    auto body = ParseBody(req.body);
    if (!body) return SendError(res, 400, body.error());
    RequestPolicy policy;
    policy.allow_http_callbacks = options_.allow_http_callbacks;
    const std::int64_t now = clock_.NowMs();
    auto sub = ParseSubscriptionRequest(*body, policy, now);
    if (!sub) return SendError(res, 400, sub.error());
    auto url = ParseUrl(sub->callback_url);
    if (!url) return SendError(res, 400, url.error());
    auto address = ResolveCallbackAddress(*url, options_.address_policy);
    if (!address) return SendError(res, 400, address.error());

    if (options_.validation_handshake) {
      const std::string token = RandomToken();
      HttpRequest probe;
      probe.method = "GET";
      auto probe_url = ParseUrl(AppendQueryParam(*url, "validationToken", token));
      if (!probe_url) return SendError(res, 400, probe_url.error());
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
      if (!why.empty()) {
        return SendError(res, 400, "validation_failed",
                         "callBackUrl failed the validation handshake (GET with "
                         "?validationToken=..., which must answer 200 with the token as the body "
                         "within " +
                             std::to_string(options_.handshake_timeout.count() / 1000) +
                             " s): " + why,
                         "callBackUrl");
      }
    }

    sub->id = SubscriptionId(GenerateUuid());
    if (sub->secret.empty()) sub->secret = GenerateWebhookSecret();
    Status stored = store_.PutSubscription(*sub);
    if (!stored) return SendStoreError(res, stored.error());
    LogInfo("api", "webhook " + sub->id.value() + " registered for " +
                       std::string(ToString(sub->object_type)) + " " + sub->object_id + " -> " +
                       url->Origin());
    SendJson(res, 200, json::object{{"webhookId", sub->id.value()}, {"secret", sub->secret}});
  });

  s.Get("/v1/webhook", [this](const httplib::Request& req, httplib::Response& res) {
    SubscriptionFilter filter;
    if (req.has_param("objectType")) {
      auto type = ParseObjectType(req.get_param_value("objectType"));
      if (!type) {
        return SendError(res, 400,
                         Error::Invalid("objectType",
                                        "objectType: expected Group, ActionPackage or "
                                        "Action"));
      }
      filter.object_type = *type;
    }
    if (req.has_param("objectId")) {
      filter.object_id = req.get_param_value("objectId");
      if (filter.object_id->empty()) {
        return SendError(res, 400, Error::Invalid("objectId", "objectId: must not be empty"));
      }
    }
    auto limit = ParseLimit(req);
    if (!limit) return SendError(res, 400, limit.error());
    filter.limit = *limit;
    filter.after_id = req.get_param_value("cursor");
    auto page = store_.ListSubscriptions(filter);
    if (!page) return SendStoreError(res, page.error());
    json::array hooks;
    for (const auto& sub : page->subscriptions) hooks.push_back(SubscriptionToApiJson(sub));
    json::object out{{"webhooks", std::move(hooks)}};
    if (!page->next_after_id.empty()) out["nextCursor"] = page->next_after_id;
    SendJson(res, 200, out);
  });

  s.Get(R"(/v1/webhook/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    auto sub = store_.GetSubscription(SubscriptionId(req.matches[1]));
    if (!sub) return SendStoreError(res, sub.error());
    if (!*sub) return SendError(res, 404, "not_found", "no webhook with this id", "webhookId");
    SendJson(res, 200, SubscriptionToApiJson(**sub));
  });

  s.Delete(R"(/v1/webhook/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    const SubscriptionId id(req.matches[1]);
    auto deleted = store_.DeleteSubscription(id, clock_.NowMs());
    if (!deleted) return SendStoreError(res, deleted.error());
    if (!*deleted) return SendError(res, 404, "not_found", "no webhook with this id", "webhookId");
    LogInfo("api", "webhook " + id.value() + " deleted");
    SendJson(res, 200, json::object{{"webhookId", id.value()}, {"deleted", true}});
  });

  s.Get("/v1/deliveries", [this](const httplib::Request& req, httplib::Response& res) {
    DeliveryFilter filter;
    if (req.has_param("webhookId"))
      filter.subscription_id = SubscriptionId(req.get_param_value("webhookId"));
    if (req.has_param("eventId")) filter.event_id = EventId(req.get_param_value("eventId"));
    if (req.has_param("status")) {
      auto status = ParseDeliveryStatus(req.get_param_value("status"));
      if (!status) {
        return SendError(res, 400,
                         Error::Invalid("status", "status: expected pending, delivered or failed"));
      }
      filter.status = *status;
    }
    auto limit = ParseLimit(req);
    if (!limit) return SendError(res, 400, limit.error());
    filter.limit = *limit;
    if (req.has_param("cursor")) {
      const std::string text = req.get_param_value("cursor");
      std::uint64_t before = 0;
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), before);
      if (ec != std::errc() || ptr != text.data() + text.size() || before == 0) {
        return SendError(res, 400,
                         Error::Invalid("cursor", "cursor: not a cursor from nextCursor"));
      }
      filter.before_id = before;
    }
    auto page = store_.ListDeliveries(filter);
    if (!page) return SendStoreError(res, page.error());
    json::array items;
    for (const auto& d : page->deliveries) items.push_back(DeliveryToJson(d));
    json::object out{{"deliveries", std::move(items)}};
    if (page->next_before_id) out["nextCursor"] = std::to_string(*page->next_before_id);
    SendJson(res, 200, out);
  });

  s.Get(R"(/v1/deliveries/([0-9]{1,20}))",
        [this](const httplib::Request& req, httplib::Response& res) {
          std::uint64_t id = 0;
          const std::string text = req.matches[1];
          auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
          if (ec != std::errc())
            return SendError(res, 404, "not_found", "no delivery with this id");
          auto d = store_.GetDelivery(DeliveryId(id));
          if (!d) return SendStoreError(res, d.error());
          if (!*d) return SendError(res, 404, "not_found", "no delivery with this id");
          SendJson(res, 200, DeliveryToJson(**d));
        });
}

}  // namespace hookbroker
