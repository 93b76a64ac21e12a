#include "proto/event_text.h"

#include "proto/json_fields.h"

namespace hookbroker {
namespace {

namespace jf = json_fields;

std::string Join(std::string_view a, std::string_view sep, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  std::string out(a);
  out += sep;
  out += b;
  return out;
}

// "shared a.png, b.pdf" from data.media[].mediaFileName (or the URL when a name is missing).
std::string SharedFiles(const boost::json::object& data) {
  const boost::json::array* media = jf::Array(data, "media");
  std::string names;
  if (media != nullptr) {
    for (const boost::json::value& item : *media) {
      const boost::json::object* m = item.if_object();
      if (m == nullptr) continue;
      std::string_view name = jf::String(*m, "mediaFileName");
      if (name.empty()) name = jf::String(*m, "mediaUrl");
      if (!name.empty()) names = Join(names, ", ", name);
    }
  }
  return names.empty() ? "shared an attachment" : "shared " + names;
}

// "Asha " when there is an actor, else "".
std::string ActorPrefix(const boost::json::object& event) {
  std::string_view actor = EventActor(event);
  return actor.empty() ? std::string() : std::string(actor) + " ";
}

}  // namespace

std::string_view EventActor(const boost::json::object& event_json) {
  for (std::string_view key : {"fromUserName", "fromUserId", "fromUser"}) {
    std::string_view v = jf::String(event_json, key);
    if (!v.empty()) return v;
  }
  return {};
}

std::string EventText(const boost::json::object& event) {
  const std::string_view type = jf::String(event, "eventType");
  const boost::json::object& data = jf::Data(event);
  const std::string_view text = jf::String(data, "text");
  const std::string_view action = jf::String(data, "actionId");
  std::string out;
  if (type == "TextMessageCreated") {
    out = text;
  } else if (type == "AttachmentCreated") {
    out = jf::String(data, "caption");
    if (out.empty()) out = text;
    if (out.empty()) out = SharedFiles(data);
  } else if (type == "Announcement") {
    out = Join(jf::String(data, "title"), "\n", text);
  } else if (type == "JobCreated") {
    out = Join("new job:", " ", jf::String(data, "title"));
  } else if (type == "ActionCreated" || type == "SurveyCreated") {
    out = Join(type == "ActionCreated" ? "new action" : "new survey", " ", action);
  } else if (type == "JobResponse") {
    const boost::json::object* details = jf::Object(data, "responseDetails");
    const boost::json::object* response =
        details != nullptr ? jf::Object(*details, "response") : nullptr;
    const boost::json::value* done =
        response != nullptr ? response->if_contains("isCompleted") : nullptr;
    std::string_view who = response != nullptr ? jf::String(*response, "assigneeName") : "";
    const std::string verb =
        done != nullptr && done->is_bool() && done->get_bool() ? "completed job" : "updated job";
    out = who.empty() ? ActorPrefix(event) + verb : std::string(who) + " " + verb;
    out = Join(out, " ", action);
  } else if (type == "ActionResponse" || type == "SurveyResponse") {
    std::string_view who = jf::String(data, "responderName");
    const std::string verb =
        type == "ActionResponse" ? "responded to action" : "responded to survey";
    out =
        Join(who.empty() ? ActorPrefix(event) + verb : std::string(who) + " " + verb, " ", action);
  } else if (type == "MemberAdded" || type == "MemberRemoved") {
    std::string_view member = jf::String(data, "memberName");
    if (member.empty()) member = jf::String(data, "member");
    if (member.empty()) member = "a member";
    out = std::string(member) + (type == "MemberAdded" ? " joined the group" : " left the group");
  } else {
    out = text;
  }
  if (out.empty()) out = type.empty() ? "event" : std::string(type);
  return out;
}

}  // namespace hookbroker
