// Fuzz target: what outgoing webhooks decode from outside (broker/outgoing_hook*.h): a bot's
// reply (from any callback URL a hook names) and a create request (REST clients), also read as a
// stored record.
// Properties: never crashes; every post a reply makes is in the triggering channel, marked
// from_webhook "true", at most 16383 characters, never of a system_ type, and a comment only
// under the triggering post; every refusal names its reason; a hook that parses has a callback
// URL and a channel or a trigger word, and its stored form reads back the same.
#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "broker/message_split.h"
#include "broker/outgoing_hook.h"
#include "broker/outgoing_hook_codec.h"
#include "broker/outgoing_hook_reply.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hookbroker;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  OutgoingHook hook;
  hook.id = OutgoingHookId("rh46h9uxyx7t618w6qnuaozftr");
  hook.username = "builder";
  const TriggeringPost trigger{.channel_id = "town", .post_id = "p1", .root_id = ""};
  auto posts = ChatPostsFromReply(input, hook, trigger, true);
  if (posts) {
    for (const ChatPost& p : *posts) {
      FUZZ_CHECK(p.channel_id == "town");
      FUZZ_CHECK(p.root_id.empty() || p.root_id == "p1");
      FUZZ_CHECK(!p.type.starts_with("system_"));
      FUZZ_CHECK(p.message.size() <= 4 * kMaxPostCodePoints);
      const boost::json::value* mark = p.props.if_contains("from_webhook");
      FUZZ_CHECK(mark != nullptr && mark->is_string() && mark->get_string() == "true");
    }
  } else {
    FUZZ_CHECK(posts.error().code == "invalid_reply" || posts.error().code == "refused_type");
  }

  boost::system::error_code ec;
  boost::json::value body = boost::json::parse(input, ec);
  if (ec) return 0;
  auto parsed = ParseOutgoingHookRequest(body, OutgoingHookPolicy{.allow_http_callbacks = true});
  if (!parsed) {
    FUZZ_CHECK(!parsed.error().code.empty());
    return 0;
  }
  FUZZ_CHECK(!parsed->callback_urls.empty());
  FUZZ_CHECK(!parsed->channel_id.empty() || !parsed->trigger_words.empty());
  parsed->id = OutgoingHookId("rh46h9uxyx7t618w6qnuaozftr");
  parsed->token = "zmigewsanbbsdf59xnmduzypjc";
  auto back = DecodeOutgoingHook(EncodeOutgoingHook(*parsed));
  FUZZ_CHECK(back.ok());
  FUZZ_CHECK(back->callback_urls == parsed->callback_urls);
  FUZZ_CHECK(back->trigger_words == parsed->trigger_words);
  FUZZ_CHECK(back->channel_id == parsed->channel_id);
  return 0;
}
