#include "proto/slack_payload.h"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "proto/event_text.h"
#include "proto/json_fields.h"
#include "proto/media_type.h"

namespace hookbroker {
namespace {

namespace jf = json_fields;

// Slack's "good" blue for neutral notifications.
constexpr std::string_view kColor = "#439FE0";

boost::json::object Field(std::string_view title, std::string_view value) {
  return boost::json::object{
      {"title", SlackEscape(title)}, {"value", SlackEscape(value)}, {"short", true}};
}

boost::json::object MediaAttachment(const boost::json::object& media) {
  const std::string_view url = jf::String(media, "mediaUrl");
  std::string_view name = jf::String(media, "mediaFileName");
  if (name.empty()) name = url;
  boost::json::object a;
  a["fallback"] = SlackEscape(name);
  a["title"] = SlackEscape(name);
  if (!url.empty()) {
    a["title_link"] = url;
    if (MediaTypeForFileName(name).starts_with("image/")) a["image_url"] = url;
  }
  return a;
}

}  // namespace

std::string SlackEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string BuildSlackMessage(const Subscription& sub, const boost::json::object& event_json) {
  const std::string text = EventText(event_json);
  const std::string_view type = jf::String(event_json, "eventType");
  std::string_view group = jf::String(event_json, "groupName");
  if (group.empty()) group = jf::String(event_json, "groupId");
  const std::string_view actor = EventActor(event_json);
  const std::string_view name = jf::String(event_json, "fromUserName");
  const std::string_view picture = jf::String(event_json, "fromUserProfilePic");

  boost::json::object summary;
  summary["fallback"] = SlackEscape(std::string(type) + " in " + std::string(group) + ": " + text);
  summary["color"] = kColor;
  if (!actor.empty()) summary["author_name"] = SlackEscape(actor);
  if (!picture.empty()) summary["author_icon"] = picture;
  summary["title"] = SlackEscape(type);
  summary["fields"] =
      boost::json::array{Field("Group", group), Field("Event", jf::String(event_json, "eventId"))};
  summary["footer"] = sub.callback_context.empty()
                          ? std::string("hookbroker")
                          : "hookbroker · " + SlackEscape(sub.callback_context);
  summary["ts"] = jf::Int(event_json, "timestamp").value_or(0) / 1000;

  boost::json::array attachments{std::move(summary)};
  if (const boost::json::array* media = jf::Array(jf::Data(event_json), "media")) {
    for (const boost::json::value& item : *media) {
      if (item.is_object()) attachments.push_back(MediaAttachment(item.get_object()));
    }
  }

  boost::json::object out;
  out["text"] = SlackEscape(text);
  if (!name.empty()) out["username"] = name;
  if (!picture.empty()) out["icon_url"] = picture;
  out["attachments"] = std::move(attachments);
  return boost::json::serialize(out);
}

}  // namespace hookbroker
