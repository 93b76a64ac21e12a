// emakin channel web hooks: POST /hooks/channels/{channelId}/{key} (docs/CHAT.md "emakin channel
// hooks"). Open like every /hooks route: the key in the URL is the secret (api_access.h); the
// exchange itself is EmakinHooks::Handle.
#include "broker/api_http.h"
#include "broker/api_server.h"
#include "broker/emakin_hooks.h"

namespace hookbroker {

void ApiServer::EmakinRoutes() {
  EmakinHooks& emakin = *chat_.emakin;
  server_->Post(R"(/hooks/channels/([^/]+)/([^/]+))", [&emakin](const httplib::Request& req,
                                                                httplib::Response& res) {
    const HookReply reply = emakin.Handle(req.matches[1].str(), req.matches[2].str(), req.body);
    res.status = reply.status;
    res.set_content(reply.body, reply.content_type);
  });
}

}  // namespace hookbroker
