// The body of a Slack-format callback: a Slack message, as posted to a Slack (or Mattermost,
// kChat, hookbroker) incoming webhook, so a subscription can forward events into a chat channel
// (docs/CHAT.md "Payload formats"). No I/O; pure.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "proto/subscription.h"

namespace hookbroker {

// Slack's control characters escaped as its message formatting requires: & < > become
// &amp; &lt; &gt;, so text from an event can never become a link or a mention.
std::string SlackEscape(std::string_view text);

// From the stored event JSON (EventJson):
//  text         EventText (event_text.h), escaped
//  username     fromUserName, icon_url fromUserProfilePic: only when the event has them (a
//               receiver that allows overrides shows the sender; others ignore them)
//  attachments  first a summary: {fallback "EVENTTYPE in GROUP: TEXT", color "#439FE0",
//               author_name (EventActor) and author_icon (fromUserProfilePic) when known,
//               title EVENTTYPE, fields [{Group: groupName or groupId}, {Event id}] (short),
//               footer "hookbroker" (+ " · CONTEXT" with a callBackContext), ts (seconds)};
//               then one per data.media entry {fallback and title: the file name, title_link:
//               its URL, image_url: the URL when the name is an image's}
// Every text field is escaped; URLs are passed as they are.
std::string BuildSlackMessage(const Subscription& sub, const boost::json::object& event_json);

}  // namespace hookbroker
