// Limits on outside input, in one place so that the codecs, the daemon and the docs agree.
#pragma once

#include <cstddef>

namespace hookbroker::limits {

// Ingest (ZeroMQ).
inline constexpr std::size_t kMaxIngestFrameBytes = 4 * 1024 * 1024;
inline constexpr std::size_t kMaxBatchEvents = 1000;
inline constexpr std::size_t kMaxEventIdLength = 128;
inline constexpr std::size_t kMaxObjectIdLength = 256;         // groupId, actionPackageId, actionId
inline constexpr std::size_t kMaxUserFieldLength = 2048;       // fromUser, fromUserName, ...
inline constexpr std::size_t kMaxEventDataBytes = 256 * 1024;  // serialized `data`
inline constexpr std::size_t kMaxJsonDepth = 32;

// REST.
inline constexpr std::size_t kMaxRequestBodyBytes = 64 * 1024;
inline constexpr std::size_t kMaxUrlLength = 2048;
inline constexpr std::size_t kMaxCallbackTokenLength = 1024;
inline constexpr std::size_t kMaxCallbackContextLength = 4096;
inline constexpr std::size_t kMaxEventTypesPerSubscription = 64;
inline constexpr std::size_t kMaxAuthFieldLength = 512;

// Delivery.
inline constexpr std::size_t kResponseExcerptBytes = 1024;

}  // namespace hookbroker::limits
