#include "broker/outgoing_hook_match.h"

namespace hookbroker {
namespace {

// Go's strings.Fields splits on Unicode white space; the ASCII ones cover what chat clients send.
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

}  // namespace

std::string_view FirstWord(std::string_view text) {
  std::size_t start = 0;
  while (start < text.size() && IsSpace(text[start])) ++start;
  std::size_t end = start;
  while (end < text.size() && !IsSpace(text[end])) ++end;
  return text.substr(start, end - start);
}

std::optional<std::string> MatchOutgoingHook(const OutgoingHook& hook, std::string_view channel_id,
                                             std::string_view text) {
  if (!hook.channel_id.empty() && hook.channel_id != channel_id) return std::nullopt;
  const std::string_view word = FirstWord(text);
  if (word.empty()) return std::nullopt;
  if (hook.trigger_words.empty()) return std::string();  // a channel hook (a channel is required)
  for (const std::string& trigger : hook.trigger_words) {
    const bool fires = hook.trigger_when == TriggerWhen::kFirstWordEquals
                           ? word == trigger
                           : word.starts_with(trigger);
    if (fires) return trigger;
  }
  return std::nullopt;
}

}  // namespace hookbroker
