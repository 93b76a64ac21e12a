// OutgoingHooks: the outgoing (trigger word) webhooks the broker keeps, stored in the Store's
// records table (kind kOutgoingHook, key = hook id, value = outgoing_hook_codec's JSON) and held
// in memory as an immutable snapshot, so the firing path matches every message without a store
// read or a JSON decode.
//
// Thread-safety: every method may be called from any thread. Writers (the REST handlers) are
// serialised by a mutex and write the store before they publish a new snapshot; readers take
// the current snapshot (a shared_ptr copy) and keep it as long as they like.
// Lifecycle: borrows the Store, which must outlive it; Load() once before use.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "broker/outgoing_hook.h"
#include "broker/store.h"
#include "proto/result.h"

namespace hookbroker {

class OutgoingHooks {
 public:
  using Snapshot = std::shared_ptr<const std::vector<OutgoingHook>>;

  explicit OutgoingHooks(Store& store);

  // Reads every stored hook. A record that does not decode is an error (the data folder was
  // written by something else): the daemon refuses to start rather than silently drop hooks.
  Status Load();

  // Stores `hook` with a new id and token and create/update times `now_ms`; returns it.
  Result<OutgoingHook> Create(OutgoingHook hook, std::int64_t now_ms);
  // false when there was no such hook.
  Result<bool> Delete(const OutgoingHookId& id);
  // A new token for the hook (the old one stops being sent at once); nullopt when unknown.
  Result<std::optional<OutgoingHook>> RegenerateToken(const OutgoingHookId& id,
                                                      std::int64_t now_ms);

  // Every hook, ordered by id; never null.
  Snapshot All() const;
  std::optional<OutgoingHook> Get(const OutgoingHookId& id) const;
  // Cheap: lets the ingest thread skip queueing events when there is no hook at all.
  bool empty() const { return count_.load(std::memory_order_relaxed) == 0; }

 private:
  void Publish(std::vector<OutgoingHook> hooks);  // write_mu_ held

  Store& store_;
  std::mutex write_mu_;  // serialises writers: store write, then Publish
  mutable std::mutex snapshot_mu_;
  Snapshot snapshot_;  // guarded by snapshot_mu_
  std::atomic<std::size_t> count_{0};
};

}  // namespace hookbroker
