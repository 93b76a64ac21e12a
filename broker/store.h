// Store: everything the broker keeps, in one LMDB environment (layout: docs/STORAGE.md).
//
// Durability: every write method commits one LMDB transaction and returns only after LMDB has
// fsynced it. Callers group work into few calls (the ingest commits many events at once; the
// dispatcher records many attempts at once): the fsync, not the records, is what costs.
//
// Thread-safety: all methods may be called from any thread. Read methods use short read-only
// transactions (MDB_NOTLS); write methods serialise on LMDB's writer lock and never do network
// I/O while holding it. Values returned are copies, valid after the call.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "broker/delivery.h"
#include "proto/event.h"
#include "proto/ingest_codec.h"
#include "proto/result.h"
#include "proto/subscription.h"

typedef struct MDB_env MDB_env;

namespace hookbroker {

struct StoreOptions {
  std::string dir;
  std::uint64_t map_size_bytes = 16ULL << 30;  // address space only; the file grows as used
  unsigned max_readers = 1024;
};

// The outcome of storing one event.
struct EventCommit {
  IngestStatus status = IngestStatus::kAccepted;  // kAccepted or kDuplicate
  int deliveries = 0;
};

// What a worker needs to make one attempt, read in one transaction.
struct DeliveryJob {
  DeliveryRecord delivery;
  std::optional<Subscription> subscription;  // nullopt if it no longer exists
  std::string event_json;                    // the stored event
};

struct DeliveryFilter {
  std::optional<SubscriptionId> subscription_id;
  std::optional<EventId> event_id;
  std::optional<DeliveryStatus> status;
  std::optional<std::uint64_t> before_id;  // pagination: only ids below this
  std::size_t limit = 100;
};

struct DeliveryWithAttempts {
  DeliveryRecord delivery;
  std::vector<AttemptRecord> attempts;
};

struct DeliveryPage {
  std::vector<DeliveryWithAttempts> deliveries;  // newest first
  std::optional<std::uint64_t> next_before_id;   // set when more may follow
};

struct SubscriptionFilter {
  std::optional<ObjectType> object_type;
  std::optional<std::string> object_id;
  std::string after_id;  // pagination: ids greater than this
  std::size_t limit = 100;
};

struct SubscriptionPage {
  std::vector<Subscription> subscriptions;
  std::string next_after_id;  // empty when there are no more
};

class Store {
 public:
  // Opens (creating if needed) the environment in options.dir. Errors name the folder and LMDB's
  // reason.
  static Result<std::unique_ptr<Store>> Open(const StoreOptions& options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // --- Ingest ---------------------------------------------------------------------------------
  // Stores the events (ids and timestamps already assigned), decides their deliveries by
  // matching the active subscriptions, and commits it all in one transaction. An eventId seen
  // before (or earlier in the same call) is a duplicate and creates nothing. The new deliveries
  // are appended to *deliveries (due at now_ms). One result per event, in order.
  Result<std::vector<EventCommit>> CommitEvents(std::span<const Event> events, std::int64_t now_ms,
                                                std::vector<NewDelivery>* deliveries);

  // --- Subscriptions ----------------------------------------------------------------------------
  Status PutSubscription(const Subscription& sub);
  // nullopt when unknown or deleted.
  Result<std::optional<Subscription>> GetSubscription(const SubscriptionId& id) const;
  Result<SubscriptionPage> ListSubscriptions(const SubscriptionFilter& filter) const;
  // Marks it deleted (kept for the audit trail) and removes it from matching. false: unknown or
  // already deleted.
  Result<bool> DeleteSubscription(const SubscriptionId& id, std::int64_t now_ms);
  // The callback URL origin of each subscription ("" when unknown), in one read transaction.
  Result<std::vector<std::string>> CallbackOrigins(std::span<const SubscriptionId> ids) const;

  // --- Deliveries -------------------------------------------------------------------------------
  Result<DeliveryJob> LoadDeliveryJob(const DeliveryId& id) const;
  // Records attempts and the deliveries' new states, in one transaction.
  Status RecordAttempts(std::span<const AttemptUpdate> updates);
  // Calls fn(delivery id, subscription id, due ms) for every pending delivery, soonest first,
  // in pages of read transactions (no transaction is held while fn runs for a whole page).
  Status ForEachPending(
      const std::function<void(const DeliveryId&, const SubscriptionId&, std::int64_t)>& fn) const;
  Result<DeliveryPage> ListDeliveries(const DeliveryFilter& filter) const;
  Result<std::optional<DeliveryWithAttempts>> GetDelivery(const DeliveryId& id) const;
  Result<std::optional<std::string>> GetEventJson(const EventId& id) const;

 private:
  explicit Store(MDB_env* env);
  struct Dbs;
  MDB_env* env_;              // constant after construction
  std::unique_ptr<Dbs> dbs_;  // handles, constant after construction
};

}  // namespace hookbroker
