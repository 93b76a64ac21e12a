// ChannelStore: the channels the broker knows (chat_post.h's ChannelDirectory), kept in the
// Store's records table (kind kChannel, key = channel id, value = channel_codec's JSON).
//
// Names are unique: Put() refuses a name another channel holds. The check and the write are
// serialised by a mutex in this object, which is the only writer of channel records (one per
// daemon). ByName() reads every channel record: channels are few (tens to thousands) and looked
// up once per incoming webhook post.
//
// Thread-safety: every method may be called from any thread. Lifecycle: borrows the Store, which
// must outlive it.
#pragma once

#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "broker/chat_post.h"
#include "broker/store.h"
#include "proto/result.h"

namespace hookbroker {

class ChannelStore final : public ChannelDirectory {
 public:
  explicit ChannelStore(Store& store) : store_(store) {}

  Result<std::optional<Channel>> ById(std::string_view id) const override;
  Result<std::optional<Channel>> ByName(std::string_view name) const override;
  // Every channel, ordered by id.
  Result<std::vector<Channel>> List() const;

  struct PutOutcome {
    bool created = false;  // false: an existing channel was replaced
  };
  // Creates or replaces the channel with this id. Error "conflict" (field "name") when another
  // channel has the name; storage errors as Store's.
  Result<PutOutcome> Put(const Channel& channel);
  // false when there was no such channel.
  Result<bool> Delete(std::string_view id);

 private:
  Store& store_;
  std::mutex write_mu_;  // serialises Put's name check with its write
};

}  // namespace hookbroker
