#include "broker/webhook_post.h"

#include <boost/json.hpp>

#include "broker/message_split.h"
#include "broker/slack_markup.h"

namespace hookbroker {
namespace {

namespace json = boost::json;

json::value TextOrNull(const std::string& s) { return s.empty() ? json::value() : json::value(s); }

std::string TrimColons(std::string s) {
  if (s.starts_with(':')) s.erase(0, 1);
  if (s.ends_with(':')) s.pop_back();
  return s;
}

}  // namespace

std::vector<ChatPost> BuildWebhookPosts(const IncomingHook& hook, const Channel& channel,
                                        IncomingPayload payload) {
  json::object props = std::move(payload.props);
  const std::string& username = !payload.username.empty() ? payload.username : hook.username;
  props["override_username"] = username.empty() ? "webhook" : username;
  props["override_icon_url"] =
      TextOrNull(!payload.icon_url.empty() ? payload.icon_url : hook.icon_url);
  props["override_icon_emoji"] = TextOrNull(TrimColons(payload.icon_emoji));
  props["webhook_display_name"] = hook.display_name;
  if (payload.priority) props["priority"] = std::move(*payload.priority);
  props["from_webhook"] = "true";
  json::array attachments = payload.attachments.value_or(json::array());
  SlackAttachmentsToMarkdown(attachments);

  std::vector<ChatPost> posts;
  const std::vector<std::string> pieces = SplitMessage(SlackToMarkdown(payload.text));
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    ChatPost p;
    p.channel_id = channel.id;
    p.user_id = hook.user_id;
    p.message = pieces[i];
    p.type = payload.type;
    p.props = props;
    p.props["attachments"] = i + 1 == pieces.size() ? attachments : json::array();
    posts.push_back(std::move(p));
  }
  return posts;
}

}  // namespace hookbroker
