// Limits on outside input, in one place so that the codecs, the daemon and the docs agree.
#pragma once

#include <cstddef>

namespace hookbroker::limits {

// Ingest (ZeroMQ).
inline constexpr std::size_t kMaxIngestFrameBytes = 4 * 1024 * 1024;
// A ZeroMQ frame larger than this is not even read: ZeroMQ drops the producer's connection
// (ZMQ_MAXMSGSIZE). From kMaxIngestFrameBytes + 1 up to this, the producer gets an error reply.
// It bounds what one queued message can cost, so keep it small.
inline constexpr std::size_t kMaxIngestMessageBytes = 2 * kMaxIngestFrameBytes;
// Frames in one request message as the producer sends it: routing envelope, the empty delimiter
// and the body. More are read and dropped (ZeroMQ delivers a message whole) and answered with an
// error.
inline constexpr std::size_t kMaxIngestRequestFrames = 8;
inline constexpr std::size_t kMaxBatchEvents = 1000;
inline constexpr std::size_t kMaxEventIdLength = 128;
inline constexpr std::size_t kMaxObjectIdLength = 256;         // groupId, actionPackageId, actionId
inline constexpr std::size_t kMaxUserFieldLength = 2048;       // fromUser, fromUserName, ...
inline constexpr std::size_t kMaxEventDataBytes = 256 * 1024;  // serialized `data`
// The whole event object serialized, the fields the broker does not know included: they are
// stored and shown with the event, so `data` alone does not bound what one event costs.
inline constexpr std::size_t kMaxEventBytes = 320 * 1024;
inline constexpr std::size_t kMaxJsonDepth = 32;

// REST.
inline constexpr std::size_t kMaxRequestBodyBytes = 64 * 1024;
// The request line and each header line, CRLF included: longer ones are answered 414 and 400.
// cpp-httplib 0.11.4 has the same value compiled in (CPPHTTPLIB_REQUEST_URI_MAX_LENGTH,
// CPPHTTPLIB_HEADER_MAX_LENGTH) but checks it only once a line has ended; the REST listener cuts a
// line off as soon as it passes it (broker/bounded_http_server.h).
inline constexpr std::size_t kMaxHttpLineBytes = 8192;
// Header lines after the request line, and the request line with all its header lines: past
// either the request is answered 400 and the connection closed (broker/bounded_http_server.h
// enforces both, and the line length, as the bytes arrive).
inline constexpr std::size_t kMaxHttpHeaderLines = 100;
inline constexpr std::size_t kMaxHttpHeaderBytes = 64 * 1024;
inline constexpr std::size_t kMaxUrlLength = 2048;
inline constexpr std::size_t kMaxCallbackTokenLength = 1024;
inline constexpr std::size_t kMaxCallbackContextLength = 4096;
inline constexpr std::size_t kMaxEventTypesPerSubscription = 64;
inline constexpr std::size_t kMaxAuthFieldLength = 512;

// Delivery.
inline constexpr std::size_t kResponseExcerptBytes = 1024;

}  // namespace hookbroker::limits
