// One line per notable thing, to stderr: "2026-11-24T09:00:00.123Z INFO  ingest: message".
// With SetLogJson(true), one JSON object per line instead: {"ts","level","component","msg"}.
// Never pass secrets (API keys, signing secrets, passwords, callback tokens) to these functions.
//
// Thread-safety: lines from different threads never interleave.
#pragma once

#include <string_view>

namespace hookbroker {

void SetLogJson(bool json);
void LogInfo(std::string_view component, std::string_view message);
void LogWarn(std::string_view component, std::string_view message);
void LogError(std::string_view component, std::string_view message);

}  // namespace hookbroker
