// StatsWriteBack: subscription counters (subscription_stats) kept in memory and journalled,
// written to their table in batches.
//
// Nearly every write changes a subscription's counters: a new delivery raises its pending count, a
// recorded attempt moves it to delivered or failed. Written in place, each change dirties the
// B-tree leaf that holds the subscription's record. With a few subscriptions a commit's changes
// share a few leaves; with a million, each change is a page of its own to write and fsync, in
// every commit (docs/PERFORMANCE.md, scenario 6).
//
// So a write transaction does not touch subscription_stats. The records it changed stay in memory
// and are appended to `stats_journal` in the same transaction: sequential keys, so a commit adds
// to the journal's last leaf whatever the subscriptions. Once the oldest journalled change is
// `interval` old, or `max_records` records are held, the next transaction that changes counters
// writes every held record to subscription_stats (in key order) and empties the journal: a
// write-back. While no transaction changes counters, the store's own thread writes them back when
// they are due (Store::WriteBackStats), so that the first commit after a quiet spell does not pay
// for it. Counters are therefore as durable as the commit that changed them; a store opened
// after a crash writes back what the journal holds (Recover) before anything reads them.
//
// Readers (Store::GetSubscriptionStats) ask Held() first, then read the table.
//
// Thread-safety: a Changes holds the write-back's writer lock from its construction to its
// destruction. Construct it inside an LMDB write transaction (after mdb_txn_begin), so the lock
// order is always LMDB's writer lock, then this one; it keeps the next transaction from reading
// the held records before Committed() has put this one's in. Held() may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "broker/store_codec.h"
#include "broker/string_map.h"
#include "lmdb.h"

namespace hookbroker {

struct StatsWriteBackOptions {
  // Write back once the oldest held change is this old. 0: in the transaction that changes them,
  // as if there were no write-back.
  std::chrono::milliseconds interval{1000};
  // ... or once this many records are held. Bounds memory (about 2 MiB) and the write-back
  // transaction, which holds LMDB's writer lock while it writes: with many subscriptions each
  // record is a leaf of its own (10,000 took 44-84 ms on the benchmark machine).
  std::size_t max_records = 8192;
};

class StatsWriteBack {
 public:
  StatsWriteBack(MDB_dbi stats, MDB_dbi journal, StatsWriteBackOptions options);
  StatsWriteBack(const StatsWriteBack&) = delete;
  StatsWriteBack& operator=(const StatsWriteBack&) = delete;

  // Takes what the journal holds (a store that did not close left it: a crash) into the held
  // records, in journal order, the last record of a subscription winning. For Store::Open,
  // before anything else writes; it then writes them back like any others. Returns an LMDB code,
  // or -1 when a journal entry cannot be decoded; *records is how many records are now held.
  int Recover(MDB_txn* txn, std::size_t* records);

  // The subscription's counters if they are held (changed since the last write-back).
  std::optional<codec::StatsRecord> Held(std::string_view subscription_id) const;
  std::size_t HeldCount() const;
  // True when the oldest held change is `interval` old: time for a write-back.
  bool Due() const;
  // How often to ask Due() while no transaction changes counters: a quarter of the interval,
  // between 1 ms and 250 ms.
  std::chrono::milliseconds PollPeriod() const;

  // One write transaction's changes of counters.
  class Changes {
   public:
    Changes(StatsWriteBack* owner, MDB_txn* txn);
    Changes(const Changes&) = delete;
    Changes& operator=(const Changes&) = delete;

    // Reads the subscription's counters (held, or from the table), lets `change` change them and
    // keeps the result for Write(). An LMDB code.
    template <typename F>
    int Update(std::string_view subscription_id, F&& change) {
      auto it = staged_.find(subscription_id);
      if (it == staged_.end()) {
        codec::StatsRecord current;
        if (int rc = owner_->Read(txn_, subscription_id, &current); rc != 0) return rc;
        it = staged_.emplace(std::string(subscription_id), current).first;
      }
      change(it->second);
      return 0;
    }

    // Before the transaction commits: journals the changes, or writes everything held back when
    // the interval or the record limit says so.
    int Write();
    // Before the transaction commits: writes everything held back, whatever the interval (a clean
    // close, which then leaves nothing for the next open to recover).
    int WriteBack();
    // After the transaction committed. Without it (an abort), the changes are forgotten.
    void Committed();

   private:
    StatsWriteBack* owner_;
    MDB_txn* txn_;
    std::unique_lock<std::mutex> writer_;
    StringMap<codec::StatsRecord> staged_;
    bool wrote_back_ = false;
    std::uint64_t next_seq_ = 0;
  };

 private:
  int Read(MDB_txn* txn, std::string_view subscription_id, codec::StatsRecord* out) const;

  const MDB_dbi stats_;
  const MDB_dbi journal_;
  const StatsWriteBackOptions options_;

  std::mutex writer_mu_;  // held by a Changes for its transaction
  // Changed only with both locks held; read under either.
  mutable std::mutex held_mu_;
  StringMap<codec::StatsRecord> held_;
  // Changed with both locks held (Committed); read under either.
  std::uint64_t next_seq_ = 0;  // the journal's next key; 0: it is empty
  std::chrono::steady_clock::time_point oldest_{};

  // Whether the oldest held change is `interval` old. Requires either lock.
  bool IntervalElapsed() const;
};

}  // namespace hookbroker
