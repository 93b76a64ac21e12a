// EventText: one event as the line a person would read in a chat ("Asha added Ravi"), for the
// formats whose receivers show a message rather than process an event (slack, kommunicate).
// No I/O; pure functions, safe from any thread.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

namespace hookbroker {

// Who did it: fromUserName, else fromUserId, else fromUser, else "".
std::string_view EventActor(const boost::json::object& event_json);

// The text of the event, from its stored JSON (EventJson) and its `data` as DIALECTS.md gives it
// per Kaizala type:
//  - TextMessageCreated: data.text, as written
//  - AttachmentCreated: data.caption, else data.text, else "shared FILE[, FILE...]"
//  - Announcement: data.title and data.text, on two lines when both are there
//  - JobCreated, ActionCreated, SurveyCreated: "new job: TITLE", "new action ACTIONID", ...
//  - JobResponse, ActionResponse, SurveyResponse: "NAME completed job ACTIONID", "NAME responded
//    to survey ACTIONID", ...
//  - MemberAdded, MemberRemoved: "MEMBER joined the group" / "MEMBER left the group"
//  - GroupAdded, GroupRemoved and any custom type: data.text when it is a string, else the type
// Never empty: when nothing else is known, the event type (or "event").
std::string EventText(const boost::json::object& event_json);

}  // namespace hookbroker
