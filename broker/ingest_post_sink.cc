#include "broker/ingest_post_sink.h"

#include <boost/json.hpp>
#include <zmq.hpp>

#include "broker/chat_id.h"
#include "broker/chat_post_json.h"
#include "broker/log.h"
#include "broker/post_event.h"

namespace hookbroker {
namespace {

namespace json = boost::json;

enum class Stored { kNew, kDuplicate };

// The ingest's reply to a one-event request (docs/INGEST.md).
Result<Stored> ReadAck(std::string_view reply) {
  boost::system::error_code ec;
  json::value v = json::parse(reply, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  if (o == nullptr) return Error{"not_stored", "the ingest's reply is not JSON", ""};
  if (const json::value* e = o->if_contains("error"); e != nullptr && e->is_string()) {
    return Error{"not_stored", std::string(e->get_string()), ""};
  }
  const json::value* results = o->if_contains("results");
  if (results == nullptr || !results->is_array() || results->get_array().size() != 1 ||
      !results->get_array()[0].is_object()) {
    return Error{"not_stored", "the ingest's reply has no result", ""};
  }
  const json::object& r = results->get_array()[0].get_object();
  const json::value* status = r.if_contains("status");
  if (status != nullptr && *status == "accepted") return Stored::kNew;
  if (status != nullptr && *status == "duplicate") return Stored::kDuplicate;
  const json::value* why = r.if_contains("error");
  return Error{"invalid_post",
               why != nullptr && why->is_string() ? std::string(why->get_string())
                                                  : std::string("the ingest refused the post"),
               ""};
}

}  // namespace

IngestPostSink::IngestPostSink(zmq::context_t& context, std::string ingest_endpoint,
                               PostPublisher& publisher, const Clock& clock,
                               std::chrono::milliseconds ack_timeout)
    : context_(context),
      endpoint_(std::move(ingest_endpoint)),
      publisher_(publisher),
      clock_(clock),
      ack_timeout_(ack_timeout) {}

Result<ChatPost> IngestPostSink::Post(ChatPost post) {
  if (post.id.empty()) post.id = NewChatId();
  if (post.create_at_ms == 0) post.create_at_ms = clock_.NowMs();
  const std::string request = json::serialize(PostToEvent(post));

  std::string reply;
  try {
    zmq::socket_t dealer(context_, zmq::socket_type::dealer);
    dealer.set(zmq::sockopt::linger, 0);
    dealer.set(zmq::sockopt::rcvtimeo, static_cast<int>(ack_timeout_.count()));
    dealer.connect(endpoint_);
    // As a REQ socket would frame it: the empty delimiter, then the body.
    dealer.send(zmq::message_t(), zmq::send_flags::sndmore);
    dealer.send(zmq::buffer(request), zmq::send_flags::none);
    for (;;) {
      zmq::message_t frame;
      if (!dealer.recv(frame, zmq::recv_flags::none)) {
        return Error{"not_stored",
                     "the ingest did not acknowledge the post within " +
                         std::to_string(ack_timeout_.count()) + " ms",
                     ""};
      }
      if (frame.size() == 0 && frame.more()) continue;  // the delimiter
      reply = frame.to_string();
      while (frame.more()) (void)dealer.recv(frame, zmq::recv_flags::none);
      break;
    }
  } catch (const zmq::error_t& e) {
    return Error{"not_stored", std::string("cannot reach the ingest: ") + e.what(), ""};
  }

  auto stored = ReadAck(reply);
  if (!stored) return stored.error();
  if (*stored == Stored::kNew &&
      !publisher_.Publish(post.channel_id, json::serialize(ChatPostToJson(post)))) {
    LogError("posts", "post " + post.id + " stored but not published: the posts queue is full");
  }
  return post;
}

}  // namespace hookbroker
