// SubscriptionCache: decoded subscriptions, keyed by id and validated by their stored bytes.
//
// Every delivery attempt needs its subscription; decoding the stored JSON each time cost more
// than signing the callback (docs/PERFORMANCE.md). The cache keeps the last decoded form of each
// subscription with the exact bytes it came from: a lookup passes the bytes just read from LMDB
// in the caller's transaction, and gets the cached object only when they are identical, so an
// update, pause or delete is seen at the next attempt without any invalidation protocol.
//
// Thread-safety: all methods may be called from any thread (one mutex, held for a map lookup and
// a byte comparison, never while decoding or freeing a subscription).
//
// Bounded: at most `capacity` entries. When full, one entry is replaced, chosen by the clock
// (second chance) policy: a hit only sets a bit, and the hand passes over entries hit since it
// last came by. With more subscriptions than room (a million, each delivery to another one), a
// subscription decoded to find its callback origin is still there when its attempt loads it, and
// the ones a busy endpoint's retries keep hitting stay; emptying the whole cache when full, as it
// did before, dropped both and freed thousands of entries under the mutex in one go.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "proto/result.h"
#include "proto/subscription.h"

namespace hookbroker {

class SubscriptionCache {
 public:
  explicit SubscriptionCache(std::size_t capacity = 16384);

  // The subscription stored as `bytes` under `id`, decoded at most once for the same bytes.
  Result<std::shared_ptr<const Subscription>> Decode(std::string_view id, std::string_view bytes);

  std::size_t size() const;

 private:
  struct Slot {
    std::string id;
    std::string bytes;
    std::shared_ptr<const Subscription> sub;
    bool hit = false;  // since the clock's hand last passed
  };
  // The slot `id` goes into: its own, a free one, or the clock's choice. Requires mu_.
  std::size_t SlotFor(std::string_view id);

  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::vector<Slot> slots_;                             // guarded by mu_; at most capacity_
  std::unordered_map<std::string, std::size_t> index_;  // guarded by mu_; id -> slot
  std::size_t hand_ = 0;                                // guarded by mu_
};

// Decodes the stored (LMDB) form of a subscription.
Result<Subscription> DecodeStoredSubscription(std::string_view bytes);

}  // namespace hookbroker
