// Fakes for broker unit tests: a clock moved by hand and an HTTP sender that answers from a
// script and remembers every request.
#pragma once

#include <deque>
#include <mutex>
#include <vector>

#include "broker/clock.h"
#include "broker/http_sender.h"
#include "broker/store.h"
#include "proto/signature.h"

namespace hookbroker::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::int64_t now_ms) : now_ms_(now_ms) {}
  std::int64_t NowMs() const override { return now_ms_; }
  void Advance(std::int64_t ms) { now_ms_ += ms; }
  void Set(std::int64_t ms) { now_ms_ = ms; }

 private:
  std::int64_t now_ms_;
};

class FakeSender final : public HttpSender {
 public:
  HttpResult Send(const HttpRequest& request) override {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(request);
    if (script_.empty()) {
      HttpResult ok;
      ok.kind = HttpResult::Kind::kResponse;
      ok.status = 200;
      return ok;
    }
    HttpResult r = script_.front();
    script_.pop_front();
    return r;
  }
  void Answer(int status, std::string retry_after = "") {
    HttpResult r;
    r.kind = HttpResult::Kind::kResponse;
    r.status = status;
    r.retry_after = std::move(retry_after);
    script_.push_back(r);
  }
  // An answer whose body the caller reads whole (HttpRequest::read_body_bytes).
  void Reply(int status, std::string body) {
    HttpResult r;
    r.kind = HttpResult::Kind::kResponse;
    r.status = status;
    r.body = std::move(body);
    script_.push_back(r);
  }
  void Script(HttpResult r) { script_.push_back(std::move(r)); }
  void Fail(HttpResult::Kind kind, std::string error) {
    HttpResult r;
    r.kind = kind;
    r.error = std::move(error);
    script_.push_back(r);
  }
  std::vector<HttpRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  mutable std::mutex mu_;
  std::deque<HttpResult> script_;
  std::vector<HttpRequest> requests_;
};

inline Subscription MakeSubscription(const std::string& id, ObjectType type,
                                     const std::string& object_id,
                                     std::vector<std::string> types = {"*"},
                                     std::int64_t validity_ms = 4102444800000) {
  Subscription s;
  s.id = SubscriptionId(id);
  s.object_type = type;
  s.object_id = object_id;
  s.event_types = std::move(types);
  s.callback_url = "https://receiver.example:8443/hook";
  s.validity_ms = validity_ms;
  s.created_ms = 1;
  s.secret = GenerateWebhookSecret();
  return s;
}

inline Event MakeEvent(const std::string& id, const std::string& type, const std::string& group,
                       const std::string& package = "", const std::string& action = "") {
  boost::json::object o{{"eventId", id}, {"eventType", type}, {"groupId", group}};
  if (!package.empty()) o["actionPackageId"] = package;
  if (!action.empty()) o["actionId"] = action;
  auto e = ParseEvent(o);
  Event event = std::move(e).value();
  AssignDefaults(event, event.id, 1000);
  return event;
}

// A TextMessageCreated event of ~200 KiB (near the ingest's data limit), for filling a map.
inline Event MakeBigEvent(const std::string& id, const std::string& group, std::int64_t now_ms) {
  boost::json::object o{{"eventId", id},
                        {"eventType", "TextMessageCreated"},
                        {"groupId", group},
                        {"data", boost::json::object{{"text", std::string(200 * 1024, 'x')}}}};
  Event event = ParseEvent(o).value();
  AssignDefaults(event, event.id, now_ms);
  return event;
}

}  // namespace hookbroker::testing
