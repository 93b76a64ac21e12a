#include "proto/http_response_parser.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "proto/http_token.h"

namespace hookbroker {
namespace {

constexpr std::string_view kCrlf = "\r\n";

std::string_view TrimWhitespace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls fn(token) for each comma-separated element of a header value, trimmed, empty ones
// skipped.
template <typename Fn>
void ForEachListElement(std::string_view value, Fn fn) {
  while (!value.empty()) {
    const std::size_t comma = value.find(',');
    std::string_view element = TrimWhitespace(value.substr(0, comma));
    if (!element.empty()) fn(element);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
}

// A decimal Content-Length; nullopt-like false on anything else (signs, spaces, lists, overflow).
bool ParseLength(std::string_view text, std::uint64_t* out) {
  if (text.empty() || text.size() > 18) return false;  // < 10^18: no overflow
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  *out = value;
  return true;
}

// "name: value" with a token name and no NUL, CR or LF in the value (other control bytes are
// tolerated: real servers send them, and the value is only compared or kept as text).
bool ValidField(std::string_view line) {
  const std::size_t colon = line.find(':');
  if (colon == 0 || colon == std::string_view::npos) return false;
  const std::string_view name = line.substr(0, colon);
  if (!IsHttpToken(name)) return false;
  for (char c : line.substr(colon + 1)) {
    if (c == '\0' || c == '\r' || c == '\n') return false;
  }
  return true;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

HttpResponseParser::State HttpResponseParser::Fail(std::string message) {
  state_ = State::kError;
  error_ = std::move(message);
  keep_alive_ = false;
  return state_;
}

HttpResponseParser::State HttpResponseParser::Feed(std::string_view bytes, BodySink& sink,
                                                   std::size_t* consumed) {
  std::size_t pos = 0;
  Consume(bytes, sink, pos);
  if (consumed != nullptr) *consumed = pos;
  return state_;
}

void HttpResponseParser::Consume(std::string_view bytes, BodySink& sink, std::size_t& pos) {
  if (!bytes.empty()) received_any_ = true;
  // Hands body bytes to the sink; false when it stopped the parse.
  auto deliver = [&](std::size_t n) {
    const bool go_on = sink.Body(bytes.substr(pos, n));
    pos += n;
    if (!go_on) {
      state_ = State::kStopped;
      keep_alive_ = false;
    }
    return go_on;
  };
  while (state_ == State::kNeedMore && pos < bytes.size()) {
    const std::string_view rest = bytes.substr(pos);
    switch (phase_) {
      case Phase::kHead: {
        // One limit for the head, however the bytes are split: at most kMaxHeadBytes are held,
        // and the head must end within them.
        const std::size_t before = head_.size();
        head_.append(rest.substr(0, kMaxHeadBytes - before));
        const std::size_t from = before >= 3 ? before - 3 : 0;
        const std::size_t end = head_.find("\r\n\r\n", from);
        if (end == std::string::npos) {
          if (head_.size() >= kMaxHeadBytes) return (void)Fail("response head longer than 32 KiB");
          pos = bytes.size();
          break;
        }
        head_.resize(end + 4);
        pos += head_.size() - before;
        if (!ParseHead()) return;
        break;
      }
      case Phase::kLengthBody:
      case Phase::kChunkData: {
        const std::size_t n =
            static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, rest.size()));
        if (!deliver(n)) break;
        remaining_ -= n;
        if (remaining_ == 0) {
          if (phase_ == Phase::kLengthBody) {
            state_ = State::kDone;
          } else {
            phase_ = Phase::kChunkDataEnd;
            head_.clear();
          }
        }
        break;
      }
      case Phase::kCloseBody:
        deliver(rest.size());
        break;
      case Phase::kChunkSize: {
        const std::size_t newline = rest.find('\n');
        head_.append(rest.substr(0, newline == std::string_view::npos ? rest.size() : newline + 1));
        pos += newline == std::string_view::npos ? rest.size() : newline + 1;
        if (head_.size() > kMaxChunkLineBytes) return (void)Fail("chunk size line too long");
        if (newline == std::string_view::npos) break;
        if (head_.size() < 2 || head_[head_.size() - 2] != '\r') {
          return (void)Fail("chunk size line not ended by CRLF");
        }
        if (std::string_view(head_)
                .substr(0, head_.size() - 2)
                .find_first_of(std::string_view("\r\0", 2)) != std::string_view::npos) {
          return (void)Fail("control character in a chunk size line");
        }
        std::uint64_t size = 0;
        std::size_t i = 0;
        for (; i < head_.size() && HexDigit(head_[i]) >= 0; ++i) {
          if (size > (std::numeric_limits<std::uint64_t>::max() >> 4)) {
            return (void)Fail("chunk size too large");
          }
          size = (size << 4) | static_cast<std::uint64_t>(HexDigit(head_[i]));
        }
        if (i == 0) return (void)Fail("chunk size is not hexadecimal");
        // Anything after the digits must be chunk extensions (";name=value"), which are ignored.
        std::string_view tail = TrimWhitespace(std::string_view(head_).substr(i));
        tail.remove_suffix(kCrlf.size());
        tail = TrimWhitespace(tail);
        if (!tail.empty() && tail.front() != ';') return (void)Fail("malformed chunk size line");
        head_.clear();
        if (size == 0) {
          phase_ = Phase::kTrailers;
        } else {
          remaining_ = size;
          phase_ = Phase::kChunkData;
        }
        break;
      }
      case Phase::kChunkDataEnd: {
        const std::size_t want = kCrlf.size() - head_.size();
        head_.append(rest.substr(0, want));
        pos += std::min(want, rest.size());
        if (kCrlf.substr(0, head_.size()) != head_)
          return (void)Fail("chunk data not followed by CRLF");
        if (head_.size() == kCrlf.size()) {
          head_.clear();
          phase_ = Phase::kChunkSize;
        }
        break;
      }
      case Phase::kTrailers: {
        // Trailer fields are read and dropped; the section ends with an empty line.
        const std::size_t before = head_.size();
        head_.append(rest.substr(0, kMaxTrailerBytes - before));
        std::size_t end = std::string::npos;
        if (head_.size() >= 2 && head_.compare(0, 2, kCrlf) == 0) {
          end = 0;  // no trailers: the empty line right away
        } else {
          end = head_.find("\r\n\r\n", before >= 3 ? before - 3 : 0);
          if (end != std::string::npos) end += 2;
        }
        if (end == std::string::npos) {
          if (head_.size() >= kMaxTrailerBytes) {
            return (void)Fail("trailer section longer than 16 KiB");
          }
          pos = bytes.size();
          break;
        }
        pos += end + 2 - before;
        // Each trailer line must be a well-formed field (it is then dropped).
        std::string_view lines = std::string_view(head_).substr(0, end);
        while (!lines.empty()) {
          const std::size_t line_end = lines.find(kCrlf);
          if (!ValidField(lines.substr(0, line_end))) return (void)Fail("malformed trailer line");
          lines.remove_prefix(line_end + 2);
        }
        head_.clear();
        state_ = State::kDone;
        break;
      }
    }
  }
}

HttpResponseParser::State HttpResponseParser::Finish() {
  if (state_ != State::kNeedMore) return state_;
  if (phase_ == Phase::kCloseBody) {
    state_ = State::kDone;
    keep_alive_ = false;
    return state_;
  }
  if (!received_any_) return Fail("connection closed before any response");
  return Fail(has_head() ? "connection closed before the end of the response body"
                         : "connection closed before the end of the response head");
}

bool HttpResponseParser::ParseHead() {
  std::string_view head(head_);
  head.remove_suffix(kCrlf.size());  // the blank line; every line now ends with CRLF
  const std::size_t line_end = head.find(kCrlf);
  std::string_view status_line = head.substr(0, line_end);
  // HTTP-version SP 3DIGIT SP reason-phrase (the reason may be empty, its SP too in practice).
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." ||
      (status_line[7] != '0' && status_line[7] != '1') || status_line[8] != ' ' ||
      (status_line.size() > 12 && status_line[12] != ' ')) {
    Fail("not an HTTP/1.x status line");
    return false;
  }
  int status = 0;
  for (std::size_t i = 9; i < 12; ++i) {
    if (status_line[i] < '0' || status_line[i] > '9') {
      Fail("status code is not three digits");
      return false;
    }
    status = status * 10 + (status_line[i] - '0');
  }
  if (status < 100 || status > 599) {
    Fail("status code " + std::to_string(status) + " out of range");
    return false;
  }
  for (char c : status_line) {
    if (c == '\0' || c == '\r' || c == '\n') {
      Fail("control character in the status line");
      return false;
    }
  }
  const int minor = status_line[7] - '0';

  bool close = false, keep_alive_token = false, has_length = false, chunked = false;
  bool transfer_coded = false;
  std::uint64_t length = 0;
  std::string retry_after;
  std::string_view fields =
      line_end == std::string_view::npos ? std::string_view() : head.substr(line_end + 2);
  while (!fields.empty()) {
    const std::size_t end = fields.find(kCrlf);
    const std::string_view line = fields.substr(0, end);
    fields = end == std::string_view::npos ? std::string_view() : fields.substr(end + 2);
    if (!ValidField(line)) {
      // Also catches obsolete line folding (a line starting with whitespace).
      Fail("malformed header line");
      return false;
    }
    const std::size_t colon = line.find(':');
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = TrimWhitespace(line.substr(colon + 1));
    if (EqualsIgnoreAsciiCase(name, "content-length")) {
      std::uint64_t parsed = 0;
      if (!ParseLength(value, &parsed) || (has_length && parsed != length)) {
        Fail("invalid Content-Length");
        return false;
      }
      has_length = true;
      length = parsed;
    } else if (EqualsIgnoreAsciiCase(name, "transfer-encoding")) {
      // Only the last coding decides: chunked there frames the body; any other coding last
      // means the body runs to the end of the connection.
      bool any = false;
      ForEachListElement(value, [&](std::string_view coding) {
        any = true;
        chunked = EqualsIgnoreAsciiCase(coding, "chunked");
      });
      if (!any) {
        Fail("Transfer-Encoding without a coding");
        return false;
      }
      transfer_coded = true;
    } else if (EqualsIgnoreAsciiCase(name, "connection")) {
      ForEachListElement(value, [&](std::string_view option) {
        if (EqualsIgnoreAsciiCase(option, "close")) close = true;
        if (EqualsIgnoreAsciiCase(option, "keep-alive")) keep_alive_token = true;
      });
    } else if (EqualsIgnoreAsciiCase(name, "retry-after") && retry_after.empty()) {
      retry_after = std::string(value);
    }
  }

  head_.clear();
  if (status < 200) {
    // An interim answer (100 Continue, 103 Early Hints): the final one follows. 101 would switch
    // protocols, which a callback never asks for.
    if (status == 101) {
      Fail("unexpected 101 Switching Protocols");
      return false;
    }
    if (++interim_ > kMaxInterimResponses) {
      Fail("too many interim (1xx) responses");
      return false;
    }
    return true;
  }
  status_ = status;
  retry_after_ = std::move(retry_after);
  keep_alive_ = !close && (minor == 1 || keep_alive_token);
  chunked_ = transfer_coded && chunked;
  has_length_ = has_length;
  remaining_ = length;
  // Conflicting framings, or a transfer coding from an HTTP/1.0 server (RFC 9112, 6.1): the
  // body is read as the coding says, and the connection is not reused.
  if (transfer_coded && (has_length || minor == 0)) keep_alive_ = false;
  StartBody(transfer_coded);
  return true;
}

void HttpResponseParser::StartBody(bool transfer_coded) {
  if (head_request_ || status_ == 204 || status_ == 304) {
    state_ = State::kDone;
  } else if (chunked_) {
    phase_ = Phase::kChunkSize;
  } else if (transfer_coded || !has_length_) {
    phase_ = Phase::kCloseBody;
    keep_alive_ = false;
  } else if (remaining_ == 0) {
    state_ = State::kDone;
  } else {
    phase_ = Phase::kLengthBody;
  }
}

}  // namespace hookbroker
