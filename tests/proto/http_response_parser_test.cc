// The callback sender's response parser: framing, reuse of the connection, and hostile input.
// Every case is fed whole and one byte at a time, which must give the same verdict.
#include "proto/http_response_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace hookbroker::testing {
namespace {

using State = HttpResponseParser::State;

class CollectBody : public HttpResponseParser::BodySink {
 public:
  explicit CollectBody(std::size_t stop_after = std::string::npos) : stop_after_(stop_after) {}
  bool Body(std::string_view bytes) override {
    body.append(bytes);
    return body.size() < stop_after_;
  }
  std::string body;

 private:
  std::size_t stop_after_;
};

struct Parsed {
  State state;
  int status;
  bool keep_alive;
  std::string body;
  std::string retry_after;
  std::string error;
  std::size_t consumed;  // of the whole input
};

Parsed Parse(const std::string& input, bool byte_by_byte, bool head_request = false,
             bool finish = false) {
  HttpResponseParser parser(head_request);
  CollectBody sink;
  std::size_t consumed = 0;
  if (byte_by_byte) {
    for (std::size_t i = 0; i < input.size() && parser.state() == State::kNeedMore; ++i) {
      std::size_t n = 0;
      parser.Feed(std::string_view(input).substr(i, 1), sink, &n);
      consumed += n;
    }
  } else {
    parser.Feed(input, sink, &consumed);
  }
  if (finish) parser.Finish();
  return {parser.state(), parser.status(), parser.keep_alive(), sink.body, parser.retry_after(),
          parser.error(), consumed};
}

// Both ways of feeding, with the same verdict.
Parsed ParseBothWays(const std::string& input, bool head_request = false, bool finish = false) {
  Parsed whole = Parse(input, false, head_request, finish);
  Parsed bytes = Parse(input, true, head_request, finish);
  const std::string shown = input.substr(0, 80);
  EXPECT_EQ(whole.state, bytes.state) << shown;
  EXPECT_EQ(whole.status, bytes.status) << shown;
  EXPECT_EQ(whole.body, bytes.body) << shown;
  EXPECT_EQ(whole.keep_alive, bytes.keep_alive) << shown;
  if (whole.state != State::kError) {
    EXPECT_EQ(whole.consumed, bytes.consumed) << shown;
  }
  return whole;
}

TEST(HttpResponseParserTest, ContentLengthBodyAndKeepAlive) {
  const std::string response =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";
  Parsed p = ParseBothWays(response + "HTTP/1.1 500 next response");
  EXPECT_EQ(p.state, State::kDone);
  EXPECT_EQ(p.status, 200);
  EXPECT_EQ(p.body, "ok");
  EXPECT_TRUE(p.keep_alive);
  EXPECT_EQ(p.consumed, response.size()) << "bytes of the next response are left alone";
}

TEST(HttpResponseParserTest, ChunkedBodyWithExtensionsAndTrailers) {
  const std::string response =
      "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;name=value\r\nhello\r\n"
      "1A\r\n" +
      std::string(26, 'z') +
      "\r\n"
      "0\r\nX-Checksum: abc\r\n\r\n";
  Parsed p = ParseBothWays(response + "tail");
  EXPECT_EQ(p.state, State::kDone);
  EXPECT_EQ(p.status, 201);
  EXPECT_EQ(p.body, "hello" + std::string(26, 'z'));
  EXPECT_TRUE(p.keep_alive);
  EXPECT_EQ(p.consumed, response.size());

  Parsed no_trailers = ParseBothWays(
      "HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, Chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n");
  EXPECT_EQ(no_trailers.state, State::kDone);
  EXPECT_EQ(no_trailers.body, "ok");
}

TEST(HttpResponseParserTest, BodyUntilTheConnectionEndsIsNeverReused) {
  const std::string response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it";
  Parsed open = ParseBothWays(response);
  EXPECT_EQ(open.state, State::kNeedMore);
  Parsed ended = ParseBothWays(response, false, /*finish=*/true);
  EXPECT_EQ(ended.state, State::kDone);
  EXPECT_EQ(ended.body, "all of it");
  EXPECT_FALSE(ended.keep_alive);
  // A transfer coding other than chunked last also runs to the end.
  Parsed gzip = ParseBothWays("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxx", false, true);
  EXPECT_EQ(gzip.state, State::kDone);
  EXPECT_FALSE(gzip.keep_alive);
}

TEST(HttpResponseParserTest, ResponsesWithoutABody) {
  for (const char* status : {"204 No Content", "304 Not Modified"}) {
    Parsed p = ParseBothWays(std::string("HTTP/1.1 ") + status + "\r\nContent-Length: 10\r\n\r\n");
    EXPECT_EQ(p.state, State::kDone) << status;
    EXPECT_TRUE(p.body.empty());
  }
  Parsed head = ParseBothWays("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", /*head=*/true);
  EXPECT_EQ(head.state, State::kDone);
  EXPECT_TRUE(head.keep_alive);
  Parsed empty = ParseBothWays("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(empty.state, State::kDone);
}

TEST(HttpResponseParserTest, InterimAnswersAreSkipped) {
  Parsed p = ParseBothWays(
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\nRetry-After: 1\r\n\r\n"
      "HTTP/1.1 429 Too Many Requests\r\nRetry-After:  30 \r\nContent-Length: 4\r\n\r\nslow");
  EXPECT_EQ(p.state, State::kDone);
  EXPECT_EQ(p.status, 429);
  EXPECT_EQ(p.retry_after, "30") << "the final answer's header, trimmed";
  EXPECT_EQ(p.body, "slow");

  std::string endless;
  for (int i = 0; i < 9; ++i) endless += "HTTP/1.1 100 Continue\r\n\r\n";
  EXPECT_EQ(ParseBothWays(endless).state, State::kError);
  EXPECT_EQ(ParseBothWays("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n").state,
            State::kError);
}

TEST(HttpResponseParserTest, WhenTheConnectionMayBeReused) {
  EXPECT_FALSE(ParseBothWays("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
                   .keep_alive);
  EXPECT_FALSE(ParseBothWays("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").keep_alive);
  EXPECT_TRUE(
      ParseBothWays("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n")
          .keep_alive);
  // Read as chunked, but never reused: a transfer coding from an HTTP/1.0 server (RFC 9112,
  // 6.1), and both framings at once (a smuggling pattern).
  for (const char* head :
       {"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked",
        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked"}) {
    Parsed p = ParseBothWays(std::string(head) + "\r\n\r\n2\r\nok\r\n0\r\n\r\n");
    EXPECT_EQ(p.state, State::kDone) << head;
    EXPECT_EQ(p.body, "ok") << head;
    EXPECT_FALSE(p.keep_alive) << head;
  }
}

TEST(HttpResponseParserTest, MalformedResponsesAreErrors) {
  const char* bad[] = {
      "HTTP/2 200 OK\r\n\r\n",
      "HTTP/1.1 20 OK\r\n\r\n",
      "HTTP/1.1 2000 OK\r\n\r\n",
      "HTTP/1.1 abc OK\r\n\r\n",
      "HTTP/1.1 700 Unknown\r\n\r\n",
      "ICY 200 OK\r\n\r\n",
      "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
      "HTTP/1.1 200 OK\r\n folded: header\r\n\r\n",
      "HTTP/1.1 200 OK\r\nbad name: x\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
      "HTTP/1.1 200 OK\r\nX: a\nb\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nok",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2 junk\r\nok\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokX\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n11111111111111111\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;a\rb\r\nok\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\nContent-Length: 2\r\n\r\nok",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: ,\r\nContent-Length: 2\r\n\r\nok",
      // A "trailer" that is another response: never swallowed as a field.
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\nHTTP/1.1 200 OK\r\n\r\n",
  };
  for (const char* input : bad) {
    Parsed p = ParseBothWays(input);
    EXPECT_EQ(p.state, State::kError) << input;
    EXPECT_FALSE(p.error.empty()) << input;
    EXPECT_FALSE(p.keep_alive) << input;
  }
  // The same content length twice is fine.
  EXPECT_EQ(
      ParseBothWays("HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nok").state,
      State::kDone);
}

TEST(HttpResponseParserTest, EverythingButTheBodyIsBounded) {
  std::string huge_head = "HTTP/1.1 200 OK\r\nX-Pad: " + std::string(40 * 1024, 'a');
  EXPECT_EQ(ParseBothWays(huge_head).state, State::kError);
  // It holds no more than the limit: the byte that reaches it without the head's end fails.
  HttpResponseParser parser;
  CollectBody sink;
  std::size_t fed = 0;
  while (parser.state() == State::kNeedMore && fed < huge_head.size()) {
    parser.Feed(std::string_view(huge_head).substr(fed++, 1), sink);
  }
  EXPECT_EQ(parser.state(), State::kError);
  EXPECT_EQ(fed, HttpResponseParser::kMaxHeadBytes);

  // At the limits exactly, the verdict does not depend on how the bytes arrive.
  const std::string start = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Pad: ";
  for (std::size_t extra : {0, 1}) {
    const std::string head =
        start + std::string(HttpResponseParser::kMaxHeadBytes - start.size() - 4 + extra, 'p') +
        "\r\n\r\n";
    EXPECT_EQ(ParseBothWays(head).state, extra == 0 ? State::kDone : State::kError) << extra;
  }
  const std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n";
  for (std::size_t extra : {0, 1}) {
    const std::string trailer =
        "T: " + std::string(HttpResponseParser::kMaxTrailerBytes - 7 + extra, 't') + "\r\n\r\n";
    EXPECT_EQ(ParseBothWays(chunked + trailer).state, extra == 0 ? State::kDone : State::kError)
        << extra;
  }

  Parsed line = ParseBothWays("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" +
                              std::string(2000, 'e'));
  EXPECT_EQ(line.state, State::kError);

  Parsed trailers = ParseBothWays("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" +
                                  std::string(20 * 1024, 't'));
  EXPECT_EQ(trailers.state, State::kError);
}

TEST(HttpResponseParserTest, IncompleteResponseAtTheEndOfTheConnection) {
  HttpResponseParser silent;
  EXPECT_EQ(silent.Finish(), State::kError);
  EXPECT_FALSE(silent.received_any()) << "a stale kept-alive connection: safe to retry";

  Parsed cut_head = ParseBothWays("HTTP/1.1 200 OK\r\nContent-", false, /*finish=*/true);
  EXPECT_EQ(cut_head.state, State::kError);
  Parsed cut_body = ParseBothWays("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nok", false, true);
  EXPECT_EQ(cut_body.state, State::kError);
  EXPECT_EQ(cut_body.status, 200);
  EXPECT_NE(cut_body.error.find("body"), std::string::npos) << cut_body.error;
}

TEST(HttpResponseParserTest, TheSinkCanStopALongBody) {
  HttpResponseParser parser;
  CollectBody sink(/*stop_after=*/10);
  const std::string response =
      "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'b');
  EXPECT_EQ(parser.Feed(response.substr(0, 45), sink), State::kNeedMore);  // 4 body bytes
  EXPECT_EQ(parser.Feed(response.substr(45), sink), State::kStopped);
  EXPECT_GE(sink.body.size(), 10u);
  EXPECT_FALSE(parser.keep_alive());
  EXPECT_EQ(parser.status(), 200);
}

}  // namespace
}  // namespace hookbroker::testing
