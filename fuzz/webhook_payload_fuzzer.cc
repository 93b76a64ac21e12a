// Fuzz target: an incoming webhook request body (broker/webhook_payload), as anyone holding a
// hook's URL sends it, and what the broker makes of it (broker/webhook_post, slack_markup,
// message_split). The first byte picks the content type (JSON, form, none, multipart with the
// rest split into name\0value\0 fields).
// Properties: decoding never crashes; a decoded payload's posts carry the bot marking, hold at
// most kMaxPostCodePoints code points each, and together spell the translated text exactly;
// the lenient JSON rewrite is idempotent and changes only bodies with control characters.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "broker/message_split.h"
#include "broker/slack_markup.h"
#include "broker/webhook_payload.h"
#include "broker/webhook_post.h"
#include "fuzz/fuzz_check.h"

namespace {

std::size_t CodePoints(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hookbroker;
  if (size == 0) return 0;
  static constexpr const char* kTypes[] = {"application/json", "application/x-www-form-urlencoded",
                                           "", "multipart/form-data; boundary=x"};
  const char* type = kTypes[data[0] % 4];
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::map<std::string, std::string> fields;
  if (data[0] % 4 == 3) {
    std::string_view rest = body;
    while (!rest.empty()) {
      const std::size_t a = rest.find('\0');
      const std::string_view name = rest.substr(0, a);
      rest = a == std::string_view::npos ? std::string_view() : rest.substr(a + 1);
      const std::size_t b = rest.find('\0');
      fields[std::string(name)] = std::string(rest.substr(0, b));
      rest = b == std::string_view::npos ? std::string_view() : rest.substr(b + 1);
    }
  }

  // The lenient rewrite leaves nothing to rewrite a second time, and touches nothing in a body
  // without control characters.
  const std::string escaped = EscapeControlCharsInStrings(body);
  FUZZ_CHECK(EscapeControlCharsInStrings(escaped) == escaped);
  bool has_control = false;
  for (char c : body) has_control |= static_cast<unsigned char>(c) < 0x20;
  if (!has_control) FUZZ_CHECK(escaped == body);

  Result<IncomingPayload> payload = ParseIncomingPayload(type, body, fields);
  if (!payload) {
    FUZZ_CHECK(payload.error().code == "invalid_payload");
    return 0;
  }
  const std::string text = SlackToMarkdown(payload->text);
  IncomingHook hook;
  hook.channel_id = "g";
  Channel channel;
  channel.id = "g";
  const std::vector<ChatPost> posts = BuildWebhookPosts(hook, channel, std::move(*payload));
  FUZZ_CHECK(!posts.empty());
  std::string joined;
  for (const ChatPost& p : posts) {
    FUZZ_CHECK(CodePoints(p.message) <= kMaxPostCodePoints);
    FUZZ_CHECK(p.props.at("from_webhook") == "true");
    joined += p.message;
  }
  FUZZ_CHECK(joined == text);
  return 0;
}
