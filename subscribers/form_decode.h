// Decoding of application/x-www-form-urlencoded bodies ("a=1&b=two+words&c=%23x"). No I/O.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "proto/result.h"

namespace hookbroker::subscribers {

// Name → value, '+' as space and %XX decoded; a repeated name keeps its first value. Errors:
// "invalid_form" for a malformed %-escape.
Result<std::map<std::string, std::string>> DecodeForm(std::string_view body);

}  // namespace hookbroker::subscribers
