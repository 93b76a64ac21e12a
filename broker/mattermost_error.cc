#include "broker/mattermost_error.h"

#include <boost/json.hpp>

#include "broker/chat_id.h"

namespace hookbroker {

std::string MattermostErrorBody(const MattermostError& e) {
  return boost::json::serialize(boost::json::object{{"id", e.id},
                                                    {"message", e.message},
                                                    {"detailed_error", e.detailed},
                                                    {"request_id", NewChatId()},
                                                    {"status_code", e.status}});
}

MattermostError BodyTooLarge(std::size_t limit_bytes) {
  return MattermostError{413, "web.incoming_webhook.request_body_too_large.app_error",
                         "The request body is too large.",
                         "at most " + std::to_string(limit_bytes) + " bytes"};
}

}  // namespace hookbroker
