// EmakinMessage: the JSON an emakin channel web hook receives (POST /hooks/channels/{channel}/
// {key}; DIALECTS.md "emakin channel web hooks", seed 001; docs/CHAT.md "emakin channel hooks").
// No I/O; plain values and pure functions.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "proto/result.h"

namespace hookbroker {

struct EmakinAttachment {
  enum class Kind { kFile, kLink };
  Kind kind = Kind::kFile;
  std::string display_name;  // displayName; for a link without one, its URL
  std::string ext;           // files only, may be empty
  std::string url;
};

struct EmakinMessage {
  std::string text;
  std::vector<EmakinAttachment> attachments;  // `attachments`, or the older `attachment`
  std::string id;                             // opens a case when set (unique per channel)
  std::vector<std::string> references;        // earlier case ids this message updates
};

// Limits on what one message may carry.
inline constexpr std::size_t kMaxEmakinCaseIdLength = 256;
inline constexpr std::size_t kMaxEmakinReferences = 32;
inline constexpr std::size_t kMaxEmakinAttachments = 32;

// Validates a request body. Errors (code "invalid_field" / "invalid_json", field named):
// not an object; text not a string; neither text nor an attachment; attachments not an array
// or both spellings given; an attachment not an object, its @type not "file" or "link", its url
// missing; id not a non-empty string of at most kMaxEmakinCaseIdLength characters without
// control characters; references not an array of such strings. Unknown fields are ignored.
Result<EmakinMessage> ParseEmakinMessage(const boost::json::value& body);

// The file name an attachment stands for: "my file.txt" for displayName "my file" and ext "txt"
// (the name as given when it already ends with the extension, or has none).
std::string EmakinFileName(const EmakinAttachment& attachment);

}  // namespace hookbroker
