// The REST API's history side: deliveries, events, the attempt log, the audit export, redelivery
// and metrics (docs/API.md).
#include <boost/json.hpp>
#include <charconv>
#include <memory>
#include <thread>

#include "broker/api_http.h"
#include "broker/api_json.h"
#include "broker/api_server.h"
#include "broker/log.h"
#include "broker/outgoing_webhook_firer.h"

namespace hookbroker {
namespace {

namespace json = boost::json;
using api::SendError;
using api::SendJson;
using api::SendStoreError;

std::optional<std::uint64_t> ParseDeliveryId(const std::string& text) {
  std::uint64_t id = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || ptr != text.data() + text.size() || id == 0) return std::nullopt;
  return id;
}

Error NoSuchDelivery() { return Error{"not_found", "no delivery with this id", "deliveryId"}; }

// since/until/cursor/limit/webhookId of the attempt log, shared by /v1/attempts and the export.
Result<AttemptLogFilter> AttemptFilter(const httplib::Request& req, std::size_t default_limit) {
  AttemptLogFilter f;
  auto since = api::TimeParam(req, "since");
  if (!since) return since.error();
  auto until = api::TimeParam(req, "until");
  if (!until) return until.error();
  if (*since && *until && **until < **since) {
    return Error::Invalid("until", "until: must not be before since");
  }
  f.since_ms = *since;
  f.until_ms = *until;
  auto limit = api::LimitParam(req, default_limit);
  if (!limit) return limit.error();
  f.limit = *limit;
  f.after_cursor = req.get_param_value("cursor");
  if (req.has_param("webhookId"))
    f.subscription_id = SubscriptionId(req.get_param_value("webhookId"));
  return f;
}

}  // namespace

void ApiServer::HistoryRoutes() {
  httplib::Server& s = *server_;

  s.Get("/v1/deliveries", [this](const httplib::Request& req, httplib::Response& res) {
    DeliveryFilter filter;
    if (req.has_param("webhookId")) {
      filter.subscription_id = SubscriptionId(req.get_param_value("webhookId"));
    }
    if (req.has_param("eventId")) filter.event_id = EventId(req.get_param_value("eventId"));
    if (req.has_param("eventType")) {
      const std::string type = req.get_param_value("eventType");
      if (!IsValidEventTypeName(type)) {
        return SendError(res, 400,
                         Error::Invalid("eventType", "eventType: not an event type name"));
      }
      filter.event_type = type;
    }
    if (req.has_param("status")) {
      auto status = ParseDeliveryStatus(req.get_param_value("status"));
      if (!status) {
        return SendError(res, 400,
                         Error::Invalid("status", "status: expected pending, delivered or failed"));
      }
      filter.status = *status;
    }
    auto since = api::TimeParam(req, "since");
    if (!since) return SendError(res, 400, since.error());
    auto until = api::TimeParam(req, "until");
    if (!until) return SendError(res, 400, until.error());
    if (*since && *until && **until < **since) {
      return SendError(res, 400, Error::Invalid("until", "until: must not be before since"));
    }
    filter.since_ms = *since;
    filter.until_ms = *until;
    auto limit = api::LimitParam(req);
    if (!limit) return SendError(res, 400, limit.error());
    filter.limit = *limit;
    if (req.has_param("cursor")) {
      auto before = ParseDeliveryId(req.get_param_value("cursor"));
      if (!before) {
        return SendError(res, 400,
                         Error::Invalid("cursor", "cursor: not a cursor from nextCursor"));
      }
      filter.before_id = *before;
    }
    auto page = store_.ListDeliveries(filter);
    if (!page) return SendStoreError(res, page.error());
    json::array items;
    for (const auto& d : page->deliveries) items.push_back(api::DeliveryToJson(d, false));
    json::object out{{"deliveries", std::move(items)}};
    if (page->next_before_id) out["nextCursor"] = std::to_string(*page->next_before_id);
    SendJson(res, 200, out);
  });

  s.Get(R"(/v1/deliveries/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    auto id = ParseDeliveryId(req.matches[1]);
    if (!id) return SendError(res, 404, NoSuchDelivery());
    auto d = store_.GetDelivery(DeliveryId(*id));
    if (!d) return SendStoreError(res, d.error());
    if (!*d) return SendError(res, 404, NoSuchDelivery());
    SendJson(res, 200, api::DeliveryToJson(**d, true));
  });

  s.Post(R"(/v1/deliveries/([^/]+)/redeliver)",
         [this](const httplib::Request& req, httplib::Response& res) {
           auto id = ParseDeliveryId(req.matches[1]);
           if (!id) return SendError(res, 404, NoSuchDelivery());
           const std::int64_t now = clock_.NowMs();
           auto requeued = store_.Requeue(DeliveryId(*id), now);
           if (!requeued) {
             if (requeued.error().code == "conflict") return SendError(res, 409, requeued.error());
             return SendStoreError(res, requeued.error());
           }
           if (!*requeued) return SendError(res, 404, NoSuchDelivery());
           const DeliveryRecord& d = **requeued;
           const NewDelivery again{d.id, d.subscription_id, now, false};
           dispatcher_.Enqueue(std::span<const NewDelivery>(&again, 1));
           LogInfo("api", "delivery " + std::to_string(*id) + " queued again (redeliver)");
           auto full = store_.GetDelivery(d.id);
           if (!full || !*full)
             return SendJson(res, 202, json::object{{"id", std::to_string(*id)}});
           SendJson(res, 202, api::DeliveryToJson(**full, false));
         });

  s.Get(R"(/v1/events/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    const EventId id(req.matches[1]);
    auto event = store_.GetEventJson(id);
    if (!event) return SendStoreError(res, event.error());
    if (!*event) return SendError(res, 404, "not_found", "no event with this id", "eventId");
    DeliveryFilter filter;
    filter.event_id = id;
    filter.limit = 1000;
    auto page = store_.ListDeliveries(filter);
    if (!page) return SendStoreError(res, page.error());
    json::array deliveries;
    for (const auto& d : page->deliveries) {
      json::object o = api::DeliveryToJson(d, false);
      o.erase("attempts");
      deliveries.push_back(std::move(o));
    }
    SendJson(res, 200,
             json::object{{"event", json::parse(**event)}, {"deliveries", std::move(deliveries)}});
  });

  s.Get("/v1/attempts", [this](const httplib::Request& req, httplib::Response& res) {
    auto filter = AttemptFilter(req, 100);
    if (!filter) return SendError(res, 400, filter.error());
    std::int64_t wait_s = 0;
    if (req.has_param("wait")) {
      const std::string text = req.get_param_value("wait");
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), wait_s);
      if (ec != std::errc() || ptr != text.data() + text.size() || wait_s < 0 || wait_s > 30) {
        return SendError(res, 400, Error::Invalid("wait", "wait: expected seconds from 0 to 30"));
      }
    }
    // Long poll: look again every 100 ms until something newer is recorded or the wait is over.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_s);
    Result<AttemptLogPage> page = store_.ListAttemptLog(*filter);
    while (page && page->entries.empty() && std::chrono::steady_clock::now() < deadline &&
           !stopping_.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      page = store_.ListAttemptLog(*filter);
    }
    if (!page) {
      if (page.error().code == "invalid_field") return SendError(res, 400, page.error());
      return SendStoreError(res, page.error());
    }
    json::array items;
    for (const auto& e : page->entries) items.push_back(api::AttemptLogEntryToJson(e, false));
    SendJson(res, 200, json::object{{"attempts", std::move(items)}, {"cursor", page->last_cursor}});
  });

  s.Get("/v1/audit/export", [this](const httplib::Request& req, httplib::Response& res) {
    auto filter = AttemptFilter(req, 500);
    if (!filter) return SendError(res, 400, filter.error());
    if (!filter->after_cursor.empty()) {
      // Validate the cursor before the 200 header goes out.
      AttemptLogFilter probe = *filter;
      probe.limit = 1;
      auto checked = store_.ListAttemptLog(probe);
      if (!checked) return SendError(res, 400, checked.error());
    }
    auto state = std::make_shared<AttemptLogFilter>(*filter);
    state->limit = 500;
    // Streamed in pages of short read transactions: no transaction is held while the client reads.
    res.set_chunked_content_provider(
        "application/x-ndjson", [this, state](size_t, httplib::DataSink& sink) {
          auto page = store_.ListAttemptLog(*state);
          if (!page) {
            LogError("api", "audit export stopped: " + page.error().message);
            return false;
          }
          std::string chunk;
          for (const auto& e : page->entries) {
            chunk += json::serialize(api::AttemptLogEntryToJson(e, true));
            chunk += '\n';
          }
          if (!chunk.empty() && !sink.write(chunk.data(), chunk.size())) return false;
          state->after_cursor = page->last_cursor;
          if (page->entries.size() < state->limit) sink.done();
          return true;
        });
  });

  s.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    auto info = store_.Info();
    if (!info) return SendStoreError(res, info.error());
    std::string text = metrics_.Render(*info, dispatcher_.Gauges(), clock_.NowMs());
    if (chat_.outgoing_firer != nullptr) text += chat_.outgoing_firer->RenderMetrics();
    res.set_content(text, "text/plain; version=0.0.4");
  });
}

}  // namespace hookbroker
