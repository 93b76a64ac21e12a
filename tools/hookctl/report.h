// What went wrong, told as one line on stderr starting "hookctl: ", and the exit code that goes
// with it (exit_code.h).
#pragma once

#include <string_view>

#include "tools/hookctl/api_client.h"
#include "tools/hookctl/settings.h"

namespace hookctl {

// Prints "hookctl: MESSAGE" and returns `exit_code`, so that callers can `return Fail(...)`.
int Fail(int exit_code, std::string_view message);

// For a reply that is not the success the caller wanted: no answer → 3, 401 → 4, 404 → 5,
// anything else → 1 (with the broker's message, and the field for a 400).
int ReportApiFailure(const ApiReply& reply, const Settings& settings);

}  // namespace hookctl
