// Appends JSON text to a string without building a document first, for the records and replies
// written once per event or per callback, where a boost::json tree and its serialization cost
// more than the bytes themselves (hookbench profiles). The output is byte for byte what
// boost::json::serialize writes for the same values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hookbroker {

// `s` as a JSON string, quotes included: `"` and `\` escaped, control characters as \b \t \n
// \f \r or \u00XX (lower-case hex); every other byte as it is.
void AppendJsonString(std::string& out, std::string_view s);

// A decimal integer.
void AppendJsonInt(std::string& out, std::int64_t value);

}  // namespace hookbroker
