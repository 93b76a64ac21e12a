// CallbackEvent: a hookbroker (Kaizala-format) callback body parsed into typed fields: the
// envelope, and `data` as one struct per Kaizala event type. Custom event types, and the
// undocumented GroupAdded/GroupRemoved, keep `data` as raw JSON. No I/O.
//
// Parsing is lenient where Kaizala is: a documented field may be absent (it is left empty), but a
// field present with the wrong JSON type is an error naming it ("data.text: must be a string").
// The raw `data` object is always kept too, so fields not modelled here are not lost.
//
// Thread-safety: plain values.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "proto/result.h"

namespace hookbroker::subscribers {

// The 13 Kaizala event types, and kCustom for any other name.
enum class EventKind {
  kActionCreated,
  kActionResponse,
  kSurveyCreated,
  kJobCreated,
  kSurveyResponse,
  kJobResponse,
  kTextMessageCreated,
  kAttachmentCreated,
  kAnnouncement,
  kMemberAdded,
  kMemberRemoved,
  kGroupAdded,
  kGroupRemoved,
  kCustom,
};

// kCustom for a name that is not one of the 13.
EventKind EventKindFromName(std::string_view event_type);

struct Media {
  std::string media_url;        // mediaUrl
  std::string media_file_name;  // mediaFileName
};

// TextMessageCreated
struct TextMessageData {
  std::string text;
};

// AttachmentCreated
struct AttachmentData {
  std::vector<Media> media;
  std::string action_type;  // actionType
  std::string caption;
};

// Announcement
struct AnnouncementData {
  std::string title;
  std::string text;
  std::vector<Media> media;
};

// JobCreated
struct JobCreatedData {
  std::string title;
  std::optional<std::int64_t> due_date;  // dueDate, epoch ms
  std::string action_id;
  std::string group_id;
  std::vector<std::string> assigned_to;  // assignedTo
};

// JobResponse (responseDetails.response)
struct JobResponseData {
  std::string action_id;
  std::string group_id;
  std::string response_id;
  std::string assignee;
  std::string assignee_name;
  std::string assignee_profile_pic;
  bool is_completed = false;
};

// One answered question of responseDetails.responseWithQuestions.
struct QuestionAnswer {
  std::string title;
  std::string type;
  boost::json::array options;  // as sent: strings or objects
  boost::json::value answer;   // as sent: string, number, array, ...
};

// ActionCreated, SurveyCreated, ActionResponse, SurveyResponse
struct ActionData {
  std::string action_id;
  std::string group_id;
  std::string response_id;
  bool is_update_response = false;
  std::string responder;
  std::string responder_name;
  std::string responder_profile_pic;
  bool is_anonymous = false;
  std::vector<QuestionAnswer> questions;  // responseDetails.responseWithQuestions
};

// MemberAdded, MemberRemoved
struct MemberData {
  std::string member;
  std::string member_name;
  std::string member_profile_pic;
  std::string type;
};

// GroupAdded, GroupRemoved (Kaizala does not document their data) and custom types.
struct RawData {
  boost::json::object json;
};

using EventData = std::variant<TextMessageData, AttachmentData, AnnouncementData, JobCreatedData,
                               JobResponseData, ActionData, MemberData, RawData>;

struct CallbackEvent {
  std::string subscription_id;  // subscriptionId
  std::string object_id;        // objectId
  std::string object_type;      // objectType: Group, ActionPackage, Action
  std::string event_type;       // eventType, as sent
  EventKind kind = EventKind::kCustom;
  std::string event_id;  // eventId
  std::string context;   // the webhook's callBackContext
  std::string from_user;
  std::string from_user_id;
  std::string from_user_name;
  std::string from_user_profile_pic;
  std::int64_t timestamp_ms = 0;
  boost::json::object data;  // the raw data object
  EventData typed;           // the variant member matching `kind`
};

// Parses a callback body. Errors: "invalid_json" (not a JSON object), "missing_field"
// (eventType, eventId), "invalid_field" (a field of the wrong type, or an empty eventType or
// eventId; `field` names it).
Result<CallbackEvent> ParseCallbackEvent(std::string_view body);

}  // namespace hookbroker::subscribers
