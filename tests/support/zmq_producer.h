// A minimal ZeroMQ producer speaking only the ingest contract (docs/INGEST.md): a REQ socket,
// one frame out, one frame back.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace hookbroker::testing {

// Sends `frame` on a fresh REQ socket connected to `endpoint` and returns the reply frame, or
// nullopt when none arrives within `timeout`.
std::optional<std::string> RequestReply(
    const std::string& endpoint, const std::string& frame,
    std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace hookbroker::testing
