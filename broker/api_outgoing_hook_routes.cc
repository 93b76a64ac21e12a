// The REST API's outgoing (trigger word) webhooks: /v1/hooks/outgoing (docs/CHAT.md "Outgoing
// webhooks"). Admin keys only, reads included: replies show the hook's token (api_access.h).
#include <boost/json.hpp>

#include "broker/api_http.h"
#include "broker/api_server.h"
#include "broker/callback_address.h"
#include "broker/channel_store.h"
#include "broker/log.h"
#include "broker/outgoing_hook_codec.h"
#include "broker/outgoing_hooks.h"

namespace hookbroker {
namespace {

namespace json = boost::json;
using api::SendError;
using api::SendJson;
using api::SendStoreError;

Error NoSuchHook() { return Error{"not_found", "no outgoing webhook with this id", "hookId"}; }

}  // namespace

void ApiServer::OutgoingHookRoutes() {
  httplib::Server& s = *server_;
  OutgoingHooks& hooks = *chat_.outgoing_hooks;
  const ChannelStore& channels = *chat_.channels;

  s.Post("/v1/hooks/outgoing", [this, &hooks, &channels](const httplib::Request& req,
                                                         httplib::Response& res) {
    auto body = api::ParseBody(req.body);
    if (!body) return SendError(res, 400, body.error());
    auto hook = ParseOutgoingHookRequest(
        *body, OutgoingHookPolicy{.allow_http_callbacks = options_.allow_http_callbacks});
    if (!hook) return SendError(res, 400, hook.error());
    if (!hook->channel_id.empty()) {
      auto channel = channels.ById(hook->channel_id);
      if (!channel) return SendStoreError(res, channel.error());
      if (!channel->has_value()) {
        return SendError(res, 400, "invalid_field",
                         "channel_id: no such channel (create it with PUT /v1/channels/{id})",
                         "channel_id");
      }
      if (!(*channel)->is_public) {
        return SendError(res, 403, "forbidden",
                         "channel_id: outgoing webhooks fire only in public channels",
                         "channel_id");
      }
    }
    // The SSRF guard, as for subscriptions' callBackUrl (the sender checks again at connect time).
    for (const std::string& text : hook->callback_urls) {
      auto address = ResolveCallbackAddress(*ParseUrl(text), options_.address_policy);
      if (!address) {
        return SendError(res, 400, address.error().code,
                         "callback_urls: " + text + ": " + address.error().message,
                         "callback_urls");
      }
    }
    auto created = hooks.Create(std::move(hook).value(), clock_.NowMs());
    if (!created) return SendStoreError(res, created.error());
    LogInfo("api", "outgoing webhook " + created->id.value() + " created by key " +
                       Caller(req).key_id.value());
    SendJson(res, 201, OutgoingHookJson(*created, true));
  });

  s.Get("/v1/hooks/outgoing", [this, &hooks](const httplib::Request& req, httplib::Response& res) {
    const std::string channel = req.get_param_value("channel_id");
    json::array items;
    for (const OutgoingHook& h : *hooks.All()) {
      if (channel.empty() || h.channel_id == channel) items.push_back(OutgoingHookJson(h, true));
    }
    SendJson(res, 200, json::object{{"hooks", std::move(items)}});
  });

  s.Get(R"(/v1/hooks/outgoing/([^/]+))",
        [this, &hooks](const httplib::Request& req, httplib::Response& res) {
          auto hook = hooks.Get(OutgoingHookId(req.matches[1]));
          if (!hook) return SendError(res, 404, NoSuchHook());
          SendJson(res, 200, OutgoingHookJson(*hook, true));
        });

  s.Delete(R"(/v1/hooks/outgoing/([^/]+))",
           [this, &hooks](const httplib::Request& req, httplib::Response& res) {
             const OutgoingHookId id(req.matches[1]);
             auto deleted = hooks.Delete(id);
             if (!deleted) return SendStoreError(res, deleted.error());
             if (!*deleted) return SendError(res, 404, NoSuchHook());
             LogInfo("api", "outgoing webhook " + id.value() + " deleted by key " +
                                Caller(req).key_id.value());
             SendJson(res, 200, json::object{{"id", id.value()}, {"deleted", true}});
           });

  s.Post(R"(/v1/hooks/outgoing/([^/]+)/regen_token)",
         [this, &hooks](const httplib::Request& req, httplib::Response& res) {
           const OutgoingHookId id(req.matches[1]);
           auto regenerated = hooks.RegenerateToken(id, clock_.NowMs());
           if (!regenerated) return SendStoreError(res, regenerated.error());
           if (!*regenerated) return SendError(res, 404, NoSuchHook());
           LogInfo("api", "outgoing webhook " + id.value() + " given a new token by key " +
                              Caller(req).key_id.value());
           SendJson(res, 200, OutgoingHookJson(**regenerated, true));
         });
}

}  // namespace hookbroker
