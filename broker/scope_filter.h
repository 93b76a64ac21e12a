// ScopeFilter: which scopes (a group, an action package, an action) may hold a subscription for
// an event type, answered from memory.
//
// Matching an event reads scope_index in LMDB with one B-tree descent per scope of the event. With
// many subscriptions that index is far larger than the CPU caches, and the descent is most of an
// event's cost even when the scope has no subscription for the event's type (docs/PERFORMANCE.md,
// scenario 6). The filter lets the ingest skip the descent when nothing there can match.
//
// It is a superset, never a false "no": a scope with a live subscription for a type always
// answers "maybe" for that type, so skipping the descent on "no" never loses a delivery. A "maybe"
// that is wrong only costs the descent, which is what decides. It may say "maybe" wrongly when
//   - two scopes share a 64-bit key (they then share an entry: their counts add, their type bits
//     unite);
//   - two event types share one of the 31 type bits;
//   - a subscription's types narrowed, or one of several at a scope went away: an entry's bits
//     only widen, and are cleared when its last subscription leaves;
//   - a subscription expired (validity is checked by the descent, not here).
//
// Store keeps it in step with scope_index (store.cc: SubscriptionChanges): it is built from
// scope_index when the store opens, an added subscription counts before its transaction commits,
// a removed one after. Between those points the filter errs only towards "maybe".
//
// Memory: 16 bytes per slot, at most half the slots used: 32 MiB for 1,000,000 scopes.
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <string_view>
#include <vector>

#include "proto/subscription.h"

namespace hookbroker {

class ScopeFilter {
 public:
  // A scope's key: a hash of its type and object id, never 0.
  static std::uint64_t KeyOf(ObjectType type, std::string_view object_id);
  // The bit of one event type of a subscription; "*" (every type) has a bit of its own.
  static std::uint32_t SubscribedBit(std::string_view event_type);
  // The bits that an event of this type matches: its own and "*".
  static std::uint32_t EventBits(std::string_view event_type);

  // False only if no live subscription at `key` can want an event with these EventBits.
  bool MayMatch(std::uint64_t key, std::uint32_t event_bits) const;

  struct Probe {
    std::uint64_t key = 0;  // 0: no scope (the answer is false)
    std::uint32_t event_bits = 0;
  };
  // MayMatch for each probe, into (*out)[i]. It prefetches the slots of the probes ahead, so that
  // the cache misses of a large table overlap instead of following one another.
  void MayMatchMany(std::span<const Probe> probes, std::vector<bool>* out) const;

  // Key 0 means no scope: MayMatch says no, and Add, Widen and Remove ignore it.
  // One more subscription at `key`, for the types in `bits` (SubscribedBit, or-ed).
  void Add(std::uint64_t key, std::uint32_t bits);
  // A subscription already counted at `key` now also wants `bits`. (Counted if it was not.)
  void Widen(std::uint64_t key, std::uint32_t bits);
  // One subscription fewer at `key`; the entry goes with its last one.
  void Remove(std::uint64_t key);

  std::size_t scopes() const;  // entries in use
  std::size_t bytes() const;   // the table's memory

 private:
  struct Slot {
    std::uint64_t key = 0;  // 0: empty
    std::uint32_t count = 0;
    std::uint32_t bits = 0;
  };
  std::size_t Find(std::uint64_t key) const;  // the slot holding key, or the empty one to use
  bool MayMatchLocked(std::uint64_t key, std::uint32_t event_bits) const;
  void GrowIfFull();
  void Erase(std::size_t at);

  mutable std::mutex mu_;
  std::vector<Slot> slots_;  // guarded by mu_; size a power of two, or 0
  std::size_t used_ = 0;     // guarded by mu_
};

}  // namespace hookbroker
