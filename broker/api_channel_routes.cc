// The REST API's chat channels: /v1/channels (docs/CHAT.md). Reads need any key, changes an
// admin key (api_access.h).
#include <boost/json.hpp>

#include "broker/api_http.h"
#include "broker/api_server.h"
#include "broker/channel_codec.h"
#include "broker/channel_store.h"
#include "broker/log.h"

namespace hookbroker {
namespace {

namespace json = boost::json;
using api::SendError;
using api::SendJson;
using api::SendStoreError;

Error NoSuchChannel() { return Error{"not_found", "no channel with this id", "channelId"}; }

}  // namespace

void ApiServer::ChannelRoutes() {
  httplib::Server& s = *server_;
  ChannelStore& channels = *chat_.channels;

  s.Put(R"(/v1/channels/([^/]+))",
        [this, &channels](const httplib::Request& req, httplib::Response& res) {
          auto body = api::ParseBody(req.body);
          if (!body) return SendError(res, 400, body.error());
          auto channel = ParseChannelRequest(req.matches[1].str(), *body);
          if (!channel) return SendError(res, 400, channel.error());
          auto put = channels.Put(*channel);
          if (!put) {
            if (put.error().code == "conflict") return SendError(res, 409, put.error());
            return SendStoreError(res, put.error());
          }
          LogInfo("api", "channel " + channel->id + " (" + channel->name + ") " +
                             (put->created ? "created" : "replaced") + " by key " +
                             Caller(req).key_id.value());
          SendJson(res, put->created ? 201 : 200, ChannelToJson(*channel));
        });

  s.Get("/v1/channels", [&channels](const httplib::Request&, httplib::Response& res) {
    auto all = channels.List();
    if (!all) return SendStoreError(res, all.error());
    json::array items;
    for (const Channel& c : *all) items.push_back(ChannelToJson(c));
    SendJson(res, 200, json::object{{"channels", std::move(items)}});
  });

  s.Get(R"(/v1/channels/([^/]+))",
        [&channels](const httplib::Request& req, httplib::Response& res) {
          api::SendFound(res, channels.ById(req.matches[1].str()), NoSuchChannel(), ChannelToJson);
        });

  s.Delete(R"(/v1/channels/([^/]+))",
           [this, &channels](const httplib::Request& req, httplib::Response& res) {
             const std::string id = req.matches[1].str();
             if (api::SendDeleted(res, channels.Delete(id), id, NoSuchChannel())) {
               LogInfo("api", "channel " + id + " deleted by key " + Caller(req).key_id.value());
             }
           });
}

}  // namespace hookbroker
