#include "broker/incoming_hook_keys.h"

namespace hookbroker {

Result<std::optional<ChannelHook>> IncomingHookKeys::HookByKey(std::string_view key) const {
  Result<std::optional<IncomingHook>> hook = hooks_.Get(key);
  if (!hook) return hook.error();
  if (!*hook) return std::optional<ChannelHook>();
  const IncomingHook& h = **hook;
  return std::optional<ChannelHook>(
      ChannelHook{h.channel_id, h.user_id, h.display_name, h.username, h.icon_url});
}

}  // namespace hookbroker
