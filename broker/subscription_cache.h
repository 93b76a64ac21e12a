// SubscriptionCache: decoded subscriptions, keyed by id and validated by their stored bytes.
//
// Every delivery attempt needs its subscription; decoding the stored JSON each time cost more
// than signing the callback (docs/PERFORMANCE.md). The cache keeps the last decoded form of each
// subscription with the exact bytes it came from: a lookup passes the bytes just read from LMDB
// in the caller's transaction, and gets the cached object only when they are identical, so an
// update, pause or delete is seen at the next attempt.
//
// Reading those bytes is itself a B-tree descent, and with a million subscriptions one through
// pages nobody has touched for a while: the first read of a new delivery's subscription (for its
// callback origin) and the second (for its attempt) were each one (docs/PERFORMANCE.md, scenario
// 6). So the cache also has a version, raised by Changed() after every commit that wrote a
// subscription, and each entry the version read before the transaction its bytes came from.
// Current() returns an entry whose version is the cache's: no write of a subscription has called
// Changed() since those bytes were read, so they are the stored ones (or were until a commit
// whose Changed() is still to come), and the caller need not read them. A change is seen by every
// Current() after its writer's Changed(), which the store calls right after the commit, before
// the write returns to its caller; between the two, an attempt may still get the subscription as
// it was, like one whose transaction began just before the commit.
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

#include <atomic>
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

  // The current version. Read it before beginning the transaction whose bytes go to Decode.
  std::uint64_t Version() const { return version_.load(); }

  // The subscription cached for `id` if no subscription has been written since its bytes were
  // read (its entry's version is the current one); null otherwise, and the caller reads them.
  std::shared_ptr<const Subscription> Current(std::string_view id);

  // The subscription stored as `bytes` under `id`, read in a transaction that began after
  // Version() returned `version`; decoded again only if those bytes are not the ones cached for
  // `id` (changed, never cached, or replaced since).
  Result<std::shared_ptr<const Subscription>> Decode(std::string_view id, std::string_view bytes,
                                                     std::uint64_t version);

  // After a transaction that wrote a subscription committed: no entry is Current() until its
  // bytes have been read and passed to Decode again.
  void Changed() { version_.fetch_add(1); }

  std::size_t size() const;

 private:
  struct Slot {
    std::string id;
    std::string bytes;
    std::shared_ptr<const Subscription> sub;
    std::uint64_t version = 0;  // Version() before the transaction `bytes` were read in
    std::uint8_t marks = 0;     // 1 when placed, 2 when hit; the clock's hand takes one a pass
  };
  // The slot `id` goes into: its own, a free one, or the clock's choice. Requires mu_.
  std::size_t SlotFor(std::string_view id);

  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::vector<Slot> slots_;       // guarded by mu_; at most capacity_
  StringMap<std::size_t> index_;  // guarded by mu_; id -> slot
  std::size_t hand_ = 0;          // guarded by mu_
  std::atomic<std::uint64_t> version_{0};
};

// Decodes the stored (LMDB) form of a subscription.
Result<Subscription> DecodeStoredSubscription(std::string_view bytes);

}  // namespace hookbroker
