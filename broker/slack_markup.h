// Slack's message markup translated to Markdown, as Mattermost does for incoming webhooks:
//   <https://x|text>   -> [text](https://x)      (any URL scheme: http, https, mailto, ...)
//   <https://x>        -> https://x
//   <!channel> <!here> <!all> (also with a |label) -> @channel @here @all
// Anything else between < and > (user and channel references, dates) is left as it is. Pure.
#pragma once

#include <boost/json/array.hpp>
#include <string>
#include <string_view>

namespace hookbroker {

std::string SlackToMarkdown(std::string_view text);

// The same, applied to the text parts of Slack attachments (pretext, text, title, and each
// field's value), in place. Entries that are not objects, and other fields, are left alone.
void SlackAttachmentsToMarkdown(boost::json::array& attachments);

}  // namespace hookbroker
