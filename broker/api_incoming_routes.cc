// Incoming webhooks (docs/CHAT.md): their management under /v1/hooks/incoming (admin keys only,
// reads included: a hook's id is the secret in its URL; api_access.h), and POST /hooks/{key},
// which needs no API key (the URL is the secret) and answers as kChat / Mattermost.
#include <boost/json.hpp>

#include "broker/api_http.h"
#include "broker/api_server.h"
#include "broker/incoming_webhooks.h"
#include "broker/log.h"

namespace hookbroker {
namespace {

namespace json = boost::json;
using api::SendError;
using api::SendJson;
using api::SendStoreError;

Error NoSuchHook() { return Error{"not_found", "no incoming webhook with this id", "hookId"}; }

}  // namespace

void ApiServer::IncomingHookRoutes() {
  httplib::Server& s = *server_;
  IncomingWebhooks& hooks = *chat_.incoming;

  s.Post(R"(/hooks/([^/]+))", [&hooks](const httplib::Request& req, httplib::Response& res) {
    IncomingRequest in;
    in.key = req.matches[1].str();
    in.content_type = req.get_header_value("Content-Type");
    in.body = req.body;
    for (const auto& [name, field] : req.files) in.multipart_fields.emplace(name, field.content);
    in.slack_return_format = req.get_param_value("slack_return_format") == "true";
    HookReply reply = hooks.Handle(in);
    res.status = reply.status;
    res.set_content(reply.body, reply.content_type.c_str());
  });

  s.Post("/v1/hooks/incoming", [this, &hooks](const httplib::Request& req, httplib::Response& res) {
    auto body = api::ParseBody(req.body);
    if (!body) return SendError(res, 400, body.error());
    auto request = ParseIncomingHookRequest(*body);
    if (!request) return SendError(res, 400, request.error());
    const std::string owner = Caller(req).key_id.value();
    auto hook = hooks.Create(std::move(*request), owner, clock_.NowMs());
    if (!hook) {
      if (hook.error().code == "invalid_field") return SendError(res, 400, hook.error());
      return SendStoreError(res, hook.error());
    }
    LogInfo("api", "incoming webhook " + hook->id.substr(0, 4) + "... for channel " +
                       hook->channel_id + " created by key " + owner);
    SendJson(res, 201, IncomingHookToJson(*hook));
  });

  s.Get("/v1/hooks/incoming", [&hooks](const httplib::Request& req, httplib::Response& res) {
    auto all = hooks.List(req.get_param_value("channel_id"));
    if (!all) return SendStoreError(res, all.error());
    json::array items;
    for (const IncomingHook& h : *all) items.push_back(IncomingHookToJson(h));
    SendJson(res, 200, json::object{{"hooks", std::move(items)}});
  });

  s.Get(R"(/v1/hooks/incoming/([^/]+))",
        [&hooks](const httplib::Request& req, httplib::Response& res) {
          api::SendFound(res, hooks.Get(req.matches[1].str()), NoSuchHook(), IncomingHookToJson);
        });

  s.Delete(R"(/v1/hooks/incoming/([^/]+))",
           [this, &hooks](const httplib::Request& req, httplib::Response& res) {
             const std::string id = req.matches[1].str();
             if (api::SendDeleted(res, hooks.Delete(id), id, NoSuchHook())) {
               LogInfo("api", "incoming webhook " + id.substr(0, 4) + "... deleted by key " +
                                  Caller(req).key_id.value());
             }
           });
}

}  // namespace hookbroker
