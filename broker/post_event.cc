#include "broker/post_event.h"

#include <boost/json.hpp>

namespace hookbroker {
namespace {

namespace json = boost::json;

std::string_view StringProp(const json::object& props, std::string_view name) {
  const json::value* v = props.if_contains(name);
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

const json::array* Attachments(const ChatPost& post) {
  const json::value* v = post.props.if_contains("attachments");
  return v == nullptr ? nullptr : v->if_array();
}

// One media entry per Slack attachment with a URL: its image, else its title link, else its
// thumbnail; named by its title, else its fallback text, else the URL's last path segment.
json::array Media(const json::array& attachments) {
  json::array media;
  for (const json::value& a : attachments) {
    const json::object* o = a.if_object();
    if (o == nullptr) continue;
    std::string_view url;
    for (const char* field : {"image_url", "title_link", "thumb_url"}) {
      url = StringProp(*o, field);
      if (!url.empty()) break;
    }
    if (url.empty()) continue;
    std::string_view name = StringProp(*o, "title");
    if (name.empty()) name = StringProp(*o, "fallback");
    if (name.empty()) {
      std::string_view path = url.substr(0, url.find_first_of("?#"));
      name = path.substr(path.rfind('/') + 1);
    }
    media.push_back(json::object{{"mediaUrl", url}, {"mediaFileName", name}});
  }
  return media;
}

}  // namespace

json::object PostToEvent(const ChatPost& post) {
  const json::array* attachments = Attachments(post);
  const bool attachment_only =
      post.message.empty() && attachments != nullptr && !attachments->empty();
  json::object data{{"text", post.message},
                    {"postId", post.id},
                    {"rootId", post.root_id},
                    {"type", post.type},
                    {"props", post.props}};
  if (attachment_only) data["media"] = Media(*attachments);

  json::object event{{"eventId", post.id},
                     {"eventType", attachment_only ? "AttachmentCreated" : "TextMessageCreated"},
                     {"groupId", post.channel_id},
                     {"timestamp", post.create_at_ms},
                     {"fromUserId", post.user_id}};
  if (auto name = StringProp(post.props, "override_username"); !name.empty()) {
    event["fromUserName"] = name;
  }
  if (auto icon = StringProp(post.props, "override_icon_url"); !icon.empty()) {
    event["fromUserProfilePic"] = icon;
  }
  event["data"] = std::move(data);
  return event;
}

}  // namespace hookbroker
