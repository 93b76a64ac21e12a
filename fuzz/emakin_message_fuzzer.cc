// Fuzz target: an emakin channel hook body (proto/emakin_message), as any caller holding a hook
// URL may send it. Properties: parsing never crashes; an accepted message has text or an
// attachment, every attachment a URL and a name, its id and references within their limits and
// free of control characters; a refusal names a code.
#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "proto/emakin_message.h"

namespace {

bool CleanId(const std::string& id) {
  if (id.empty() || id.size() > hookbroker::kMaxEmakinCaseIdLength) return false;
  for (char c : id) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hookbroker;
  boost::system::error_code ec;
  const boost::json::value body =
      boost::json::parse(std::string_view(reinterpret_cast<const char*>(data), size), ec);
  if (ec) return 0;
  Result<EmakinMessage> msg = ParseEmakinMessage(body);
  if (!msg) {
    FUZZ_CHECK(!msg.error().code.empty() && !msg.error().message.empty());
    return 0;
  }
  FUZZ_CHECK(!msg->text.empty() || !msg->attachments.empty());
  FUZZ_CHECK(msg->attachments.size() <= kMaxEmakinAttachments);
  for (const EmakinAttachment& a : msg->attachments) {
    FUZZ_CHECK(!a.url.empty() && !a.display_name.empty());
    FUZZ_CHECK(!EmakinFileName(a).empty());
  }
  FUZZ_CHECK(msg->id.empty() || CleanId(msg->id));
  FUZZ_CHECK(msg->references.size() <= kMaxEmakinReferences);
  for (const std::string& r : msg->references) FUZZ_CHECK(CleanId(r));
  return 0;
}
