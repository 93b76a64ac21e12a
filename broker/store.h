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

#include <array>
#include <atomic>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "broker/api_key_record.h"
#include "broker/commit_group.h"
#include "broker/delivery.h"
#include "broker/stats_write_back.h"
#include "proto/event.h"
#include "proto/ingest_codec.h"
#include "proto/result.h"
#include "proto/subscription.h"

typedef struct MDB_env MDB_env;

namespace hookbroker {

class FolderLock;
class ScopeFilter;
class StatsFlusher;
class SubscriptionCache;
class SubscriptionChanges;

struct StoreOptions {
  std::string dir;
  std::uint64_t map_size_bytes = 16ULL << 30;  // address space only; the file grows as used
  unsigned max_readers = 1024;
  // Changed subscription counters are held in memory and journalled, and written to
  // subscription_stats once the oldest change is this old (0: at once) or this many records are
  // held (stats_write_back.h).
  std::chrono::milliseconds stats_write_back_interval{1000};
  std::size_t stats_write_back_records = 8192;
  // How long a commit of attempt records (RecordAttempts) may wait to share the ingest's next
  // commit, when the ingest is committing or committed less than this long ago
  // (commit_group.h): one fsync instead of two. 0: it never waits for the ingest (only for a
  // commit already under way: LMDB has one writer). The broker's --record-patience-ms.
  std::chrono::microseconds record_patience{4000};
};

// The outcome of storing one event.
struct EventCommit {
  IngestStatus status = IngestStatus::kAccepted;  // kAccepted or kDuplicate
  int deliveries = 0;
};

// What a worker needs to make one attempt, read in one transaction.
struct DeliveryJob {
  DeliveryRecord delivery;
  // Null if it no longer exists. Shared with the store's cache of decoded subscriptions: never
  // changed after it is made.
  std::shared_ptr<const Subscription> subscription;
  std::string event_json;  // the stored event
};

struct DisabledSubscription {
  SubscriptionId id;
  std::string reason;
};

struct DeliveryFilter {
  std::optional<SubscriptionId> subscription_id;
  std::optional<EventId> event_id;
  std::optional<std::string> event_type;
  std::optional<DeliveryStatus> status;
  std::optional<std::int64_t> since_ms;    // created at or after
  std::optional<std::int64_t> until_ms;    // created at or before
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

// Lifetime counters of one subscription (not lowered by history expiry).
struct SubscriptionStats {
  std::int64_t pending = 0;
  std::int64_t delivered = 0;
  std::int64_t failed = 0;
  std::int64_t attempts = 0;
  std::int64_t last_success_ms = 0;                         // 0: never
  std::int64_t last_failure_ms = 0;                         // 0: never
  std::array<std::int64_t, kLatencyBucketCount> latency{};  // answered attempts per bucket
};

struct AttemptLogFilter {
  std::optional<std::int64_t> since_ms;  // recorded at or after
  std::optional<std::int64_t> until_ms;  // recorded at or before
  std::string after_cursor;              // only entries after this cursor
  std::optional<SubscriptionId> subscription_id;
  std::size_t limit = 100;
};

struct AttemptLogEntry {
  std::string cursor;  // opaque (hex), for AttemptLogFilter::after_cursor
  DeliveryRecord delivery;
  AttemptRecord attempt;
};

struct AttemptLogPage {
  std::vector<AttemptLogEntry> entries;  // oldest first
  std::string last_cursor;               // the cursor to continue from (the input when empty)
};

// What one garbage collection step removed.
// Where a garbage collection pass has got to: each step continues after these keys, so entries
// that must stay (pending deliveries, events they refer to) are passed over once per pass, not
// once per step.
struct GcPosition {
  std::string delivery_key;
  std::string event_key;
};

struct GcResult {
  std::size_t deliveries = 0;
  std::size_t events = 0;
  bool more = false;  // the step stopped at its budget: call again with the same position
};

struct StoreInfo {
  std::uint64_t file_bytes = 0;                // data.mdb size
  std::uint64_t map_bytes = 0;                 // configured map size
  std::uint64_t used_bytes = 0;                // pages in use × page size
  std::uint64_t pending = 0;                   // pending deliveries
  std::int64_t oldest_pending_created_ms = 0;  // 0 when none
  // Fsynced commits of events and attempt records since the store opened, and the writes they
  // held: more writes than commits means the recorder's attempt records shared the ingest's
  // commits.
  std::uint64_t group_commits = 0;
  std::uint64_t group_writes = 0;
};

struct SubscriptionFilter {
  std::optional<ObjectType> object_type;
  std::optional<std::string> object_id;
  std::string after_id;  // pagination: ids greater than this
  std::size_t limit = 100;
};

// The kinds of chat record (Store::PutRecord); the value is the key prefix in the table, so it
// must never change for a kind.
enum class RecordKind : char {
  kChannel = 'c',       // a chat channel (Kaizala group) known to the broker
  kIncomingHook = 'i',  // an incoming webhook: /hooks/{key}
  kOutgoingHook = 'o',  // an outgoing (trigger word) webhook
  kCase = 'k',          // an emakin case: channel and case id -> the post that opened it
};

struct StoredRecord {
  std::string key;
  std::string value;
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
  // PutSubscription() for many, in one transaction (bulk seeding: tools/bench). Keep batches to
  // some thousands: one transaction holds every dirty page in memory.
  Status PutSubscriptions(std::span<const Subscription> subs);
  // nullopt when unknown or deleted.
  Result<std::optional<Subscription>> GetSubscription(const SubscriptionId& id) const;
  Result<SubscriptionPage> ListSubscriptions(const SubscriptionFilter& filter) const;
  // Marks it deleted (kept for the audit trail) and removes it from matching. false: unknown or
  // already deleted.
  Result<bool> DeleteSubscription(const SubscriptionId& id, std::int64_t now_ms);
  // Reads, changes and writes back a live subscription in one transaction (matching sees the new
  // event types and validity at once). nullopt when unknown or deleted; an Error from `change`
  // is returned with nothing written.
  Result<std::optional<Subscription>> UpdateSubscription(
      const SubscriptionId& id, const std::function<Status(Subscription&)>& change);
  Result<std::optional<SubscriptionStats>> GetSubscriptionStats(const SubscriptionId& id) const;
  // The callback URL origin of each subscription ("" when unknown), in one read transaction.
  Result<std::vector<std::string>> CallbackOrigins(std::span<const SubscriptionId> ids) const;

  // --- Deliveries -------------------------------------------------------------------------------
  Result<DeliveryJob> LoadDeliveryJob(const DeliveryId& id) const;
  // Records attempts and the deliveries' new states, in one transaction. In the same
  // transaction it disables (Subscription::disabled_ms, out of matching) the subscription of an
  // update that asks for it (AttemptUpdate::disable_subscription) and, when disable_after_ms > 0,
  // every subscription whose callbacks have failed without a success for that long. Those it
  // disabled are appended to *disabled when given.
  Status RecordAttempts(std::span<const AttemptUpdate> updates, std::int64_t disable_after_ms = 0,
                        std::vector<DisabledSubscription>* disabled = nullptr);
  // Calls fn for every pending delivery, soonest due first, in pages of read transactions (no
  // transaction is held while fn runs).
  Status ForEachPending(const std::function<void(const NewDelivery&)>& fn) const;
  Result<DeliveryPage> ListDeliveries(const DeliveryFilter& filter) const;
  Result<std::optional<DeliveryWithAttempts>> GetDelivery(const DeliveryId& id) const;
  Result<std::optional<std::string>> GetEventJson(const EventId& id) const;

  // A delivered or failed delivery back to pending, due at now_ms, starting a new round of the
  // retry schedule. nullopt when unknown; Error "conflict" when it is still pending.
  Result<std::optional<DeliveryRecord>> Requeue(const DeliveryId& id, std::int64_t now_ms);
  // Requeue() for every delivery of a subscription created in [since, until] that failed (or,
  // with include_delivered, was delivered), in transactions of at most 1000. Appends the
  // requeued deliveries to *requeued as each transaction commits, so that after an error the
  // caller still has (and must queue) those already requeued.
  Status Replay(const SubscriptionId& id, std::int64_t since_ms, std::int64_t until_ms,
                bool include_delivered, std::int64_t now_ms, std::vector<NewDelivery>* requeued);

  // Attempts in the order they were recorded.
  Result<AttemptLogPage> ListAttemptLog(const AttemptLogFilter& filter) const;

  // Removes, in one transaction inspecting at most 4 × `budget` deliveries and events, final
  // deliveries created before cutoff_ms (with their attempts and index entries), then events
  // received before cutoff_ms that no delivery refers to any more.
  // `position` carries the pass from step to step (start a pass with an empty one).
  Result<GcResult> CollectGarbage(std::int64_t cutoff_ms, std::size_t budget, GcPosition* position);
  // Ends an expiry pass that removed something: records its time (meta/last_expiry_ms) in a
  // transaction of its own. That commit is what makes the pages the pass's last step freed
  // reusable: LMDB keeps the snapshot before the latest commit intact, so pages freed by the
  // latest commit stay unusable until another write commits. Without it, a map filled by ingest
  // stayed full after expiry had emptied it, for as long as nothing else committed (every ingest
  // attempt failing, and so never committing).
  Status FinishExpiryPass(std::int64_t now_ms);

  Result<StoreInfo> Info() const;

  // --- API keys (hashes only; api_keys.h) ---------------------------------------------------
  // Adds a key; an id already stored is an error (storage_error), nothing is replaced.
  Status PutApiKey(const ApiKeyRecord& key);
  // Every stored key, revoked ones included, ordered by id.
  Result<std::vector<ApiKeyRecord>> ListApiKeys() const;
  // Marks the key revoked at now_ms (kept for the record). nullopt when unknown or already
  // revoked.
  Result<std::optional<ApiKeyRecord>> RevokeApiKey(const ApiKeyId& id, std::int64_t now_ms);

  // --- Chat records (channels, incoming and outgoing webhooks, emakin cases) -----------------
  // Small records the chat features keep: one table, keyed by kind and key; the value is the
  // caller's encoding (JSON). Each call is one transaction, fsynced on commit.
  // Upserts.
  Status PutRecord(RecordKind kind, std::string_view key, std::string_view value);
  // Adds the record unless the key is taken: false (and nothing written) when it is.
  Result<bool> InsertRecord(RecordKind kind, std::string_view key, std::string_view value);
  Result<std::optional<std::string>> GetRecord(RecordKind kind, std::string_view key) const;
  // Every record of one kind, ordered by key.
  Result<std::vector<StoredRecord>> ListRecords(RecordKind kind) const;
  // false when there was no such record.
  Result<bool> DeleteRecord(RecordKind kind, std::string_view key);

  // --- Matching's in-memory filter (scope_filter.h) -------------------------------------------
  std::size_t ScopeFilterScopes() const;  // scopes with at least one live subscription
  std::size_t ScopeFilterBytes() const;

  // Subscriptions whose counters changed since they were last written back (stats_write_back.h).
  std::size_t StatsHeld() const;
  // Writes them all back now (the destructor does, so that the next open has nothing to recover).
  Status WriteBackStats();

  // The commit group's own counts: commits led (failed ones too), writes they held, writes
  // waiting now (commit_group.h; for tests). StoreInfo counts the fsynced commits.
  CommitGroup::Counts WriteGroupCounts() const { return commit_group_->counts(); }

 private:
  Store(MDB_env* env, std::uint64_t map_size);
  // The hot writes go through the commit group, so that the ingest's and the recorder's share
  // a commit when they meet (commit_group.h).
  struct GroupWrite;
  void CommitWrites(std::span<CommitGroup::Member* const> group);
  Status CommitTogether(std::span<CommitGroup::Member* const> group);
  Status WriteEvents(MDB_txn* t, StatsWriteBack::Changes& stats, std::span<const Event> events,
                     std::int64_t now_ms, std::vector<EventCommit>* results,
                     std::vector<NewDelivery>* deliveries);
  Status WriteAttempts(MDB_txn* t, StatsWriteBack::Changes& stats,
                       std::span<const AttemptUpdate> updates, std::int64_t disable_after_ms,
                       SubscriptionChanges* sub_changes,
                       std::vector<DisabledSubscription>* to_disable);
  Status LoadScopeFilter();  // from scope_index, when the store opens
  Status RecoverStats();     // writes back the stats journal, when the store opens
  // When the store closes: writes the delivery counter to meta/next_delivery_id and puts
  // schema_version back from "2 (open)" to "2": the mark tells a folder left by a crash.
  Status MarkClosed();
  struct Dbs;
  MDB_env* env_;                  // constant after construction
  const std::uint64_t map_size_;  // constant after construction
  std::unique_ptr<Dbs> dbs_;      // handles, constant after construction
  // Decoded subscriptions for the delivery path (LoadDeliveryJob, CallbackOrigins).
  std::unique_ptr<SubscriptionCache> sub_cache_;
  // Which scopes may match an event type, kept in step with scope_index (scope_filter.h).
  std::unique_ptr<ScopeFilter> scope_filter_;
  // Subscription counters changed since they were last written to subscription_stats.
  std::unique_ptr<StatsWriteBack> stats_write_back_;
  // Writes them back when due while nothing else does; stopped first when the store closes.
  std::unique_ptr<StatsFlusher> stats_flusher_;
  std::unique_ptr<CommitGroup> commit_group_;
  // Commits made through it, and the writes they held (StoreInfo).
  std::atomic<std::uint64_t> group_commits_{0};
  std::atomic<std::uint64_t> group_writes_{0};
  // The next delivery id. Counted in memory, so that an ingest commit does not write meta (a
  // page of its own in every commit); taken at open as the larger of meta/next_delivery_id and
  // the last delivery's id + 1. Ids only grow; one that a transaction took and did not commit is
  // skipped or given again, never having been seen. Changed only inside write transactions
  // (LMDB's one writer), read by the expiry's.
  std::atomic<std::uint64_t> next_delivery_id_{1};
  // The next event's key in event_log: the log's last key + 1 when the store opens, then counted
  // here by the one transaction at a time that writes events.
  std::atomic<std::uint64_t> next_event_seq_{1};
  std::unique_ptr<FolderLock> lock_;  // the data folder's, held for the store's life
};

}  // namespace hookbroker
