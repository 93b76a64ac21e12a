// Fuzz target: the callback bodies rendered from a stored event (proto/callback_payload), whose
// fields a producer chose (validated at ingest only for what the broker matches on).
// Properties: rendering never crashes in any format; every JSON body parses back to an object;
// the raw body is the event itself; the mattermost form body has no raw space or line break.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "proto/callback_payload.h"
#include "proto/mattermost_payload.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hookbroker;
  boost::system::error_code ec;
  const boost::json::value event =
      boost::json::parse(std::string_view(reinterpret_cast<const char*>(data), size), ec);
  if (ec || !event.is_object()) return 0;
  // The dispatcher renders from a parse of the stored bytes. An object whose serialization does
  // not parse back (a number overflowing to infinity) is refused at ingest, so is never stored.
  (void)boost::json::parse(boost::json::serialize(event), ec);
  if (ec) return 0;
  Subscription sub;
  sub.id = SubscriptionId("fuzz");
  sub.callback_token = "token";
  sub.callback_context = "ctx";
  for (PayloadFormat format :
       {PayloadFormat::kKaizala, PayloadFormat::kKommunicate, PayloadFormat::kSlack,
        PayloadFormat::kMattermost, PayloadFormat::kRaw}) {
    sub.format = format;
    for (std::string_view type : {kFormContentType, kJsonContentType}) {
      sub.content_type = type;
      const CallbackPayload p = RenderCallbackPayload(sub, event.as_object());
      if (p.content_type == kJsonContentType) {
        const boost::json::value back = boost::json::parse(p.body, ec);
        FUZZ_CHECK(!ec && back.is_object());
      } else {
        FUZZ_CHECK(format == PayloadFormat::kMattermost && p.content_type == kFormContentType);
        for (char c : p.body) FUZZ_CHECK(c != ' ' && c != '\n' && c != '\r');
      }
      if (format == PayloadFormat::kRaw) {
        FUZZ_CHECK(p.body == boost::json::serialize(event));
      }
    }
  }
  return 0;
}
