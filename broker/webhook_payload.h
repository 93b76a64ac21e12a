// The body of an incoming webhook request (POST /hooks/{key}) as Mattermost, Slack and kChat
// accept it, decoded into its fields (docs/CHAT.md). Pure; no I/O.
//
// Bodies:
//   application/json (or any other type)  the JSON object;
//   application/x-www-form-urlencoded      the JSON in the form field `payload`;
//   multipart/form-data                    the fields themselves (`attachments`, `props` and
//                                          `priority` as JSON text), or a `payload` field;
//   no Content-Type                        `payload=` + JSON (kChat's documentation), or JSON.
// As Mattermost, raw control characters (newlines, tabs) inside JSON strings are tolerated.
// Unknown fields are ignored (Slack payloads carry many); a known field of the wrong type, or
// a body that is not a JSON object, is an Error.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "proto/result.h"

namespace hookbroker {

struct IncomingPayload {
  std::string text;
  std::string channel;  // "", "name", "#name" or "@username"
  std::string username;
  std::string icon_url;
  std::string icon_emoji;
  std::optional<boost::json::array> attachments;  // Slack attachments, as given
  boost::json::object props;
  std::string type;
  std::optional<boost::json::object> priority;  // {priority, requested_ack, ...}
};

// `content_type` is the request's Content-Type header ("" when absent); `multipart_fields` the
// decoded fields of a multipart body (name -> content), empty otherwise.
Result<IncomingPayload> ParseIncomingPayload(
    std::string_view content_type, std::string_view body,
    const std::map<std::string, std::string>& multipart_fields = {});

// JSON text with every raw control character inside a string escaped (\n, \t, \u00XX), so
// that Mattermost's lenient parsing can be reproduced. Text outside strings is unchanged.
std::string EscapeControlCharsInStrings(std::string_view json_text);

// application/x-www-form-urlencoded: the value of the first field `name` (percent-decoded,
// '+' as space), or nullopt.
std::optional<std::string> FormField(std::string_view body, std::string_view name);

}  // namespace hookbroker
