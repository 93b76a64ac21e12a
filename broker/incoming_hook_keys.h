// IncomingHookKeys: emakin channel hooks' view of the incoming webhooks (EmakinHooks'
// ChannelHookKeys): the key in /hooks/channels/{channelId}/{key} is an incoming webhook's id.
// Thread-safety: as IncomingWebhooks (any thread). Lifecycle: borrows it; it must outlive this.
#pragma once

#include "broker/emakin_hooks.h"
#include "broker/incoming_webhooks.h"

namespace hookbroker {

class IncomingHookKeys final : public ChannelHookKeys {
 public:
  explicit IncomingHookKeys(const IncomingWebhooks& hooks) : hooks_(hooks) {}
  Result<std::optional<ChannelHook>> HookByKey(std::string_view key) const override;

 private:
  const IncomingWebhooks& hooks_;
};

}  // namespace hookbroker
