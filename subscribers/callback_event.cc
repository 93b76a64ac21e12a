#include "subscribers/callback_event.h"

#include <boost/json/parse.hpp>
#include <utility>

#include "proto/event.h"

namespace hookbroker::subscribers {
namespace {

namespace json = boost::json;

// Reads optional fields of one JSON object, remembering the first type error. Absent or null
// fields leave the output untouched.
class FieldReader {
 public:
  FieldReader(const json::object& obj, std::string prefix, std::optional<Error>* error)
      : obj_(obj), prefix_(std::move(prefix)), error_(error) {}

  void String(std::string_view key, std::string* out) {
    const json::value* v = Find(key);
    if (v == nullptr) return;
    if (!v->is_string()) return Fail(key, "must be a string");
    *out = std::string(v->get_string());
  }
  void Bool(std::string_view key, bool* out) {
    const json::value* v = Find(key);
    if (v == nullptr) return;
    if (!v->is_bool()) return Fail(key, "must be true or false");
    *out = v->get_bool();
  }
  void Int(std::string_view key, std::optional<std::int64_t>* out) {
    const json::value* v = Find(key);
    if (v == nullptr) return;
    if (v->is_int64()) {
      *out = v->get_int64();
    } else if (v->is_uint64() && v->get_uint64() <= INT64_MAX) {
      *out = static_cast<std::int64_t>(v->get_uint64());
    } else {
      Fail(key, "must be an integer");
    }
  }
  // The object under `key`, or nullptr when absent (an error when not an object).
  const json::object* Object(std::string_view key) {
    const json::value* v = Find(key);
    if (v == nullptr) return nullptr;
    if (!v->is_object()) {
      Fail(key, "must be an object");
      return nullptr;
    }
    return &v->get_object();
  }
  const json::array* Array(std::string_view key) {
    const json::value* v = Find(key);
    if (v == nullptr) return nullptr;
    if (!v->is_array()) {
      Fail(key, "must be an array");
      return nullptr;
    }
    return &v->get_array();
  }
  std::string Path(std::string_view key) const { return prefix_ + std::string(key); }
  void Fail(std::string_view key, const std::string& what) {
    if (!error_->has_value()) *error_ = Error::Invalid(Path(key), Path(key) + ": " + what);
  }

 private:
  const json::value* Find(std::string_view key) const {
    const json::value* v = obj_.if_contains(key);
    return v == nullptr || v->is_null() ? nullptr : v;
  }

  const json::object& obj_;
  std::string prefix_;
  std::optional<Error>* error_;
};

// Each element of the array `key` must be an object; `read` fills one T from a FieldReader over
// it (and the object itself, for fields of any JSON type).
template <typename T, typename ReadOne>
void ReadObjects(FieldReader& r, std::string_view key, std::vector<T>* out, ReadOne read,
                 std::optional<Error>* error) {
  const json::array* items = r.Array(key);
  if (items == nullptr) return;
  for (std::size_t i = 0; i < items->size(); ++i) {
    const std::string path = r.Path(key) + "[" + std::to_string(i) + "]";
    if (!(*items)[i].is_object()) {
      if (!error->has_value()) *error = Error::Invalid(path, path + ": must be an object");
      return;
    }
    const json::object& obj = (*items)[i].get_object();
    FieldReader item(obj, path + ".", error);
    read(item, obj, out->emplace_back());
  }
}

void ReadMedia(FieldReader& r, std::vector<Media>* out, std::optional<Error>* error) {
  ReadObjects(
      r, "media", out,
      [](FieldReader& m, const json::object&, Media& media) {
        m.String("mediaUrl", &media.media_url);
        m.String("mediaFileName", &media.media_file_name);
      },
      error);
}

EventData ReadData(EventKind kind, const json::object& data, std::optional<Error>* error) {
  FieldReader r(data, "data.", error);
  switch (kind) {
    case EventKind::kTextMessageCreated: {
      TextMessageData d;
      r.String("text", &d.text);
      return d;
    }
    case EventKind::kAttachmentCreated: {
      AttachmentData d;
      ReadMedia(r, &d.media, error);
      r.String("actionType", &d.action_type);
      r.String("caption", &d.caption);
      return d;
    }
    case EventKind::kAnnouncement: {
      AnnouncementData d;
      r.String("title", &d.title);
      r.String("text", &d.text);
      ReadMedia(r, &d.media, error);
      return d;
    }
    case EventKind::kJobCreated: {
      JobCreatedData d;
      r.String("title", &d.title);
      r.Int("dueDate", &d.due_date);
      r.String("actionId", &d.action_id);
      r.String("groupId", &d.group_id);
      if (const json::array* to = r.Array("assignedTo")) {
        for (const json::value& v : *to) {
          if (!v.is_string()) {
            r.Fail("assignedTo", "must be an array of strings");
            break;
          }
          d.assigned_to.emplace_back(v.get_string());
        }
      }
      return d;
    }
    case EventKind::kJobResponse: {
      JobResponseData d;
      r.String("actionId", &d.action_id);
      r.String("groupId", &d.group_id);
      r.String("responseId", &d.response_id);
      if (const json::object* details = r.Object("responseDetails")) {
        FieldReader dr(*details, "data.responseDetails.", error);
        if (const json::object* response = dr.Object("response")) {
          FieldReader rr(*response, "data.responseDetails.response.", error);
          rr.String("assignee", &d.assignee);
          rr.String("assigneeName", &d.assignee_name);
          rr.String("assigneeProfilePic", &d.assignee_profile_pic);
          rr.Bool("isCompleted", &d.is_completed);
        }
      }
      return d;
    }
    case EventKind::kActionCreated:
    case EventKind::kSurveyCreated:
    case EventKind::kActionResponse:
    case EventKind::kSurveyResponse: {
      ActionData d;
      r.String("actionId", &d.action_id);
      r.String("groupId", &d.group_id);
      r.String("responseId", &d.response_id);
      r.Bool("isUpdateResponse", &d.is_update_response);
      r.String("responder", &d.responder);
      r.String("responderName", &d.responder_name);
      r.String("responderProfilePic", &d.responder_profile_pic);
      r.Bool("isAnonymous", &d.is_anonymous);
      if (const json::object* details = r.Object("responseDetails")) {
        FieldReader dr(*details, "data.responseDetails.", error);
        ReadObjects(
            dr, "responseWithQuestions", &d.questions,
            [](FieldReader& q, const json::object& obj, QuestionAnswer& qa) {
              q.String("title", &qa.title);
              q.String("type", &qa.type);
              if (const json::array* options = q.Array("options")) qa.options = *options;
              // An answer may be of any JSON type (text, number, choices), so it is kept as is.
              if (const json::value* answer = obj.if_contains("answer")) qa.answer = *answer;
            },
            error);
      }
      return d;
    }
    case EventKind::kMemberAdded:
    case EventKind::kMemberRemoved: {
      MemberData d;
      r.String("member", &d.member);
      r.String("memberName", &d.member_name);
      r.String("memberProfilePic", &d.member_profile_pic);
      r.String("type", &d.type);
      return d;
    }
    case EventKind::kGroupAdded:
    case EventKind::kGroupRemoved:
    case EventKind::kCustom:
      break;
  }
  return RawData{data};
}

}  // namespace

EventKind EventKindFromName(std::string_view event_type) {
  for (std::size_t i = 0; i < kKaizalaEventTypes.size(); ++i) {
    if (kKaizalaEventTypes[i] == event_type) return static_cast<EventKind>(i);
  }
  return EventKind::kCustom;
}

Result<CallbackEvent> ParseCallbackEvent(std::string_view body) {
  boost::system::error_code ec;
  json::value root = json::parse(body, ec);
  if (ec || !root.is_object()) {
    return Error{"invalid_json", "the callback body is not a JSON object", ""};
  }
  const json::object& obj = root.get_object();
  for (const char* required : {"eventType", "eventId"}) {
    if (!obj.contains(required)) return Error::Missing(required);
  }

  std::optional<Error> error;
  CallbackEvent e;
  FieldReader r(obj, "", &error);
  r.String("subscriptionId", &e.subscription_id);
  r.String("objectId", &e.object_id);
  r.String("objectType", &e.object_type);
  r.String("eventType", &e.event_type);
  r.String("eventId", &e.event_id);
  r.String("context", &e.context);
  r.String("fromUser", &e.from_user);
  r.String("fromUserId", &e.from_user_id);
  r.String("fromUserName", &e.from_user_name);
  r.String("fromUserProfilePic", &e.from_user_profile_pic);
  std::optional<std::int64_t> ts;
  r.Int("timestamp", &ts);
  e.timestamp_ms = ts.value_or(0);
  if (const json::object* data = r.Object("data")) e.data = *data;
  if (error) return *std::move(error);
  // Present but empty names nothing: no type to dispatch on, no id to deduplicate on.
  if (e.event_type.empty()) return Error::Invalid("eventType", "eventType: must not be empty");
  if (e.event_id.empty()) return Error::Invalid("eventId", "eventId: must not be empty");

  e.kind = EventKindFromName(e.event_type);
  e.typed = ReadData(e.kind, e.data, &error);
  if (error) return *std::move(error);
  return e;
}

}  // namespace hookbroker::subscribers
