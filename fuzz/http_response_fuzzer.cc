// Fuzz target: a callback endpoint's answer as the sender reads it (proto/http_response_parser).
// Properties: parsing never crashes; the verdict, status and body do not depend on how the bytes
// are split across reads; a finished response has a final status; a failed one never keeps the
// connection; nothing past the end of the response is consumed twice.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "proto/http_response_parser.h"

namespace {

using hookbroker::HttpResponseParser;

class Collect final : public HttpResponseParser::BodySink {
 public:
  // Stops past a limit, like the sender, keeping exactly the bytes up to it: how the reads were
  // split must not change what is kept.
  bool Body(std::string_view bytes) override {
    body.append(bytes.substr(0, kLimit - body.size()));
    return body.size() < kLimit;
  }
  static constexpr std::size_t kLimit = 16 * 1024;
  std::string body;
};

struct Verdict {
  HttpResponseParser::State state;
  int status;
  bool keep_alive;
  std::string body;
};

// Feeds `input` in pieces of `piece` bytes (0: whole), then ends the connection.
Verdict Parse(std::string_view input, bool head_request, std::size_t piece) {
  HttpResponseParser parser(head_request);
  Collect sink;
  std::size_t fed = 0;
  while (fed < input.size() && parser.state() == HttpResponseParser::State::kNeedMore) {
    const std::string_view chunk = input.substr(fed, piece == 0 ? input.size() : piece);
    std::size_t consumed = 0;
    parser.Feed(chunk, sink, &consumed);
    FUZZ_CHECK(consumed <= chunk.size());
    if (parser.state() != HttpResponseParser::State::kError) {
      // Only the last piece may be partly consumed (the response ended inside it).
      FUZZ_CHECK(consumed == chunk.size() ||
                 parser.state() != HttpResponseParser::State::kNeedMore);
    }
    fed += chunk.size();
  }
  parser.Finish();
  const auto state = parser.state();
  FUZZ_CHECK(state != HttpResponseParser::State::kNeedMore);
  if (state == HttpResponseParser::State::kDone) {
    FUZZ_CHECK(parser.status() >= 200 && parser.status() <= 599);
  }
  if (state == HttpResponseParser::State::kError) {
    FUZZ_CHECK(!parser.keep_alive());
    FUZZ_CHECK(!parser.error().empty());
  }
  return {state, parser.status(), parser.keep_alive(), sink.body};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool head_request = (data[0] & 0x80) != 0;
  const std::size_t piece = 1 + (data[0] & 0x3f);
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const Verdict whole = Parse(input, head_request, 0);
  const Verdict split = Parse(input, head_request, piece);
  FUZZ_CHECK(whole.state == split.state);
  FUZZ_CHECK(whole.status == split.status);
  FUZZ_CHECK(whole.keep_alive == split.keep_alive);
  FUZZ_CHECK(whole.body == split.body);
  return 0;
}
