// SubscriptionCache: decoded subscriptions, keyed by id and validated by their stored bytes.
//
// Every delivery attempt needs its subscription; decoding the stored JSON each time cost more
// than signing the callback (docs/PERFORMANCE.md). The cache keeps the last decoded form of each
// subscription with the exact bytes it came from: a lookup passes the bytes just read from LMDB
// in the caller's transaction, and gets the cached object only when they are identical, so an
// update, pause or delete is seen at the next attempt without any invalidation protocol.
//
// Thread-safety: all methods may be called from any thread. One mutex, held on a hit for a map
// lookup and a byte comparison, and on a miss for placing the entry (the clock's sweep, the index
// update, a copy of the bytes); never while decoding or freeing a subscription.
//
// Bounded: at most `capacity` entries. When full, one entry is replaced, chosen by a clock with
// two marks: an entry gets one mark when it is placed and two whenever it is hit; the hand takes
// one mark from each entry it passes and replaces the first one it finds without any. So a new
// entry survives one pass of the hand, and one that is hit survives two. With more subscriptions
// than room (a million, each delivery to another one), a subscription decoded to find its
// callback origin is then usually still there when its attempt loads it, and the ones a busy
// endpoint's retries keep hitting stay. Emptying the whole cache when full, as it did before,
// dropped both and freed thousands of entries under the mutex in one go.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "broker/string_map.h"
#include "proto/result.h"
#include "proto/subscription.h"

namespace hookbroker {

class SubscriptionCache {
 public:
  explicit SubscriptionCache(std::size_t capacity = 16384);

  // The subscription stored as `bytes` under `id`; decoded again only if those bytes are not the
  // ones cached for `id` (changed, never cached, or replaced since).
  Result<std::shared_ptr<const Subscription>> Decode(std::string_view id, std::string_view bytes);

  std::size_t size() const;

 private:
  struct Slot {
    std::string id;
    std::string bytes;
    std::shared_ptr<const Subscription> sub;
    std::uint8_t marks = 0;  // 1 when placed, 2 when hit; the clock's hand takes one a pass
  };
  // The slot `id` goes into: its own, a free one, or the clock's choice. Requires mu_.
  std::size_t SlotFor(std::string_view id);

  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::vector<Slot> slots_;       // guarded by mu_; at most capacity_
  StringMap<std::size_t> index_;  // guarded by mu_; id -> slot
  std::size_t hand_ = 0;          // guarded by mu_
};

// Decodes the stored (LMDB) form of a subscription.
Result<Subscription> DecodeStoredSubscription(std::string_view bytes);

}  // namespace hookbroker
