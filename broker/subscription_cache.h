// SubscriptionCache: decoded subscriptions, keyed by id and validated by their stored bytes.
//
// Every delivery attempt needs its subscription; decoding the stored JSON each time cost more
// than signing the callback (docs/PERFORMANCE.md). The cache keeps the last decoded form of each
// subscription with the exact bytes it came from: a lookup passes the bytes just read from LMDB
// in the caller's transaction, and gets the cached object only when they are identical, so an
// update, pause or delete is seen at the next attempt without any invalidation protocol.
//
// Thread-safety: all methods may be called from any thread (one mutex, held for a map lookup and
// a byte comparison, never while decoding). Bounded: at most `capacity` entries; when full, it is
// emptied (cheaper than LRU bookkeeping on every hit, and a refill costs one decode each).
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "proto/result.h"
#include "proto/subscription.h"

namespace hookbroker {

class SubscriptionCache {
 public:
  explicit SubscriptionCache(std::size_t capacity = 16384) : capacity_(capacity) {}

  // The subscription stored as `bytes` under `id`, decoded at most once for the same bytes.
  Result<std::shared_ptr<const Subscription>> Decode(std::string_view id, std::string_view bytes);

  std::size_t size() const;

 private:
  struct Entry {
    std::string bytes;
    std::shared_ptr<const Subscription> sub;
  };
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // guarded by mu_
};

// Decodes the stored (LMDB) form of a subscription.
Result<Subscription> DecodeStoredSubscription(std::string_view bytes);

}  // namespace hookbroker
