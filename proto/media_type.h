// MediaTypeForFileName: the media type a file name's extension stands for, for payloads that
// describe an attachment by its type (Kommunicate's file.contentType; Slack's image_url is given
// only for images). Events carry a file's name and URL, not its type. No I/O; pure.
#pragma once

#include <string_view>

namespace hookbroker {

// "image/png" for "a.PNG", ...; "application/octet-stream" for an unknown or missing extension.
// The name may be a URL: a query or fragment after the extension is ignored.
std::string_view MediaTypeForFileName(std::string_view name);

}  // namespace hookbroker
