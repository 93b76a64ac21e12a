// HttpResponseParser: reads one HTTP/1.x response from the bytes of a connection, as they come.
// Outside input: a callback endpoint is anyone's server, so every length is bounded and every
// malformed byte is an error, never a guess.
//
// It understands what an HTTP/1.1 client must (RFC 9112): interim 1xx answers before the final
// one, a body framed by Content-Length, by the chunked transfer coding or by the end of the
// connection, responses that never have a body (to HEAD, 204, 304), and whether the connection
// may serve another request afterwards. No I/O: the sender feeds it and acts on its verdict.
//
//   HttpResponseParser parser(/*head_request=*/false);
//   while (parser.state() == HttpResponseParser::State::kNeedMore) {
//     n = recv(...);  if (n == 0) { parser.Finish(); break; }
//     parser.Feed({buf, n}, sink);  // body bytes go to sink.Body(); sink may stop the parse
//   }
//
// Thread-safety: none; one parser per response.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hookbroker {

class HttpResponseParser {
 public:
  enum class State {
    kNeedMore,  // feed more bytes (or Finish() when the connection ended)
    kDone,      // the whole response has been read
    kStopped,   // the body sink asked to stop; the connection cannot be reused
    kError,     // not a valid HTTP/1.x response (error() says why)
  };

  // Receives the body's bytes (after chunked decoding). Returning false stops the parse.
  class BodySink {
   public:
    virtual ~BodySink() = default;
    virtual bool Body(std::string_view bytes) = 0;
  };

  // Limits on what an endpoint may send besides the body (the sink bounds the body itself).
  static constexpr std::size_t kMaxHeadBytes = 32 * 1024;     // status line and headers
  static constexpr std::size_t kMaxInterimResponses = 8;      // 1xx answers before the final
  static constexpr std::size_t kMaxChunkLineBytes = 1024;     // size line with extensions
  static constexpr std::size_t kMaxTrailerBytes = 16 * 1024;  // trailer fields after the body

  // head_request: the request was HEAD, so the response has no body whatever it says.
  explicit HttpResponseParser(bool head_request = false) : head_request_(head_request) {}

  // Consumes bytes of the connection. Returns the state afterwards; bytes after the end of the
  // response (kDone) are not consumed: *consumed, when given, says how many were (after kError
  // the count means nothing: the connection is dropped).
  State Feed(std::string_view bytes, BodySink& sink, std::size_t* consumed = nullptr);
  // The connection ended. Completes a body framed by the connection's end; anything else that
  // is incomplete becomes an error.
  State Finish();

  State state() const { return state_; }
  const std::string& error() const { return error_; }
  // True once the final status line and headers have been read.
  bool has_head() const { return status_ >= 200; }
  int status() const { return status_; }
  const std::string& retry_after() const { return retry_after_; }
  // After kDone: whether the connection may carry the next request.
  bool keep_alive() const { return keep_alive_; }
  // Whether any byte at all arrived (a reused connection that ends before the first byte was
  // closed by the peer while idle, and the request may be sent again on a fresh one).
  bool received_any() const { return received_any_; }

 private:
  enum class Phase {
    kHead,
    kLengthBody,
    kChunkSize,
    kChunkData,
    kChunkDataEnd,
    kTrailers,
    kCloseBody
  };

  State Fail(std::string message);
  // Feed() without the bookkeeping: advances `pos` over what it consumes.
  void Consume(std::string_view bytes, BodySink& sink, std::size_t& pos);
  // Parses the head in head_ (ending with the blank line). Sets up the body phase.
  bool ParseHead();
  // Moves to the body phase the head announced, or finishes the response.
  void StartBody(bool transfer_coded);

  const bool head_request_;
  State state_ = State::kNeedMore;
  Phase phase_ = Phase::kHead;
  std::string error_;
  std::string head_;  // the head so far; then the current chunk-size line or trailers
  std::size_t interim_ = 0;
  int status_ = 0;
  bool keep_alive_ = true;
  bool chunked_ = false;
  bool has_length_ = false;
  bool received_any_ = false;
  std::uint64_t remaining_ = 0;  // of the Content-Length body or of the current chunk
  std::string retry_after_;
};

}  // namespace hookbroker
