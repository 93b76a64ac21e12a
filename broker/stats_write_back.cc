#include "broker/stats_write_back.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "broker/lmdb_txn.h"

namespace hookbroker {
namespace {

using codec::DecodeStats;
using codec::EncodeStats;
using codec::StatsRecord;
using codec::U64Key;
using lmdb::Cursor;
using lmdb::GetValue;
using lmdb::Put;

// A journal entry holds the records of up to this many subscriptions, so that entries stay under
// LMDB's largest in-page value (about 2 KiB with 4 KiB pages) and need no overflow pages: with
// the broker's 36-character ids, 8 records are 1,600 bytes.
constexpr int kRecordsPerEntry = 8;

// Entry: repeated (u16 id length, id, u16 record length, EncodeStats record), big-endian lengths.
void AppendBytes(std::string& out, std::string_view bytes) {
  out.push_back(static_cast<char>((bytes.size() >> 8) & 0xff));
  out.push_back(static_cast<char>(bytes.size() & 0xff));
  out.append(bytes);
}

bool TakeBytes(std::string_view& in, std::string_view* out) {
  if (in.size() < 2) return false;
  const std::size_t n = (static_cast<std::size_t>(static_cast<unsigned char>(in[0])) << 8) |
                        static_cast<unsigned char>(in[1]);
  if (in.size() - 2 < n) return false;
  *out = in.substr(2, n);
  in.remove_prefix(2 + n);
  return true;
}

// Writes the records to subscription_stats in key order: neighbouring records share leaves, and
// LMDB's cursor stays on the path it needs next.
int WriteRecords(MDB_txn* txn, MDB_dbi stats,
                 std::vector<std::pair<std::string_view, const StatsRecord*>>& records) {
  std::sort(records.begin(), records.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [id, record] : records) {
    if (int rc = Put(txn, stats, id, EncodeStats(*record)); rc != 0) return rc;
  }
  return 0;
}

}  // namespace

StatsWriteBack::StatsWriteBack(MDB_dbi stats, MDB_dbi journal, StatsWriteBackOptions options)
    : stats_(stats), journal_(journal), options_(options) {}

int StatsWriteBack::Recover(MDB_txn* txn, std::size_t* records) {
  std::scoped_lock lock(writer_mu_, held_mu_);
  Cursor c(txn, journal_);
  if (c.rc() != 0) return c.rc();
  for (bool ok = c.First(); ok; ok = c.Next()) {  // in journal order: the last record wins
    if (c.key().size() != 8) return -1;
    next_seq_ = codec::ReadU64(c.key()) + 1;
    std::string_view entry = c.value();
    while (!entry.empty()) {
      std::string_view id;
      std::string_view bytes;
      StatsRecord record;
      if (!TakeBytes(entry, &id) || !TakeBytes(entry, &bytes) || id.empty() ||
          !DecodeStats(bytes, &record)) {
        return -1;
      }
      held_.insert_or_assign(std::string(id), record);
    }
  }
  oldest_ = std::chrono::steady_clock::now();
  *records = held_.size();
  return 0;
}

std::optional<StatsRecord> StatsWriteBack::Held(std::string_view subscription_id) const {
  std::lock_guard<std::mutex> lock(held_mu_);
  auto it = held_.find(subscription_id);
  if (it == held_.end()) return std::nullopt;
  return it->second;
}

bool StatsWriteBack::Due() const {
  std::lock_guard<std::mutex> lock(held_mu_);
  return IntervalElapsed();
}

bool StatsWriteBack::IntervalElapsed() const {
  return next_seq_ > 0 && std::chrono::steady_clock::now() - oldest_ >= options_.interval;
}

std::chrono::milliseconds StatsWriteBack::PollPeriod() const {
  return std::clamp(options_.interval / 4, std::chrono::milliseconds(1),
                    std::chrono::milliseconds(250));
}

std::size_t StatsWriteBack::HeldCount() const {
  std::lock_guard<std::mutex> lock(held_mu_);
  return held_.size();
}

int StatsWriteBack::Read(MDB_txn* txn, std::string_view subscription_id, StatsRecord* out) const {
  // The caller holds writer_mu_: held_ cannot change meanwhile.
  if (auto it = held_.find(subscription_id); it != held_.end()) {
    *out = it->second;
    return 0;
  }
  std::string_view bytes;
  int rc = GetValue(txn, stats_, subscription_id, &bytes);
  if (rc == MDB_NOTFOUND) return 0;
  if (rc != 0) return rc;
  // An undecodable record restarts from zero, as it always has: counters are not worth refusing
  // deliveries for.
  if (!DecodeStats(bytes, out)) *out = StatsRecord{};
  return 0;
}

StatsWriteBack::Changes::Changes(StatsWriteBack* owner, MDB_txn* txn)
    : owner_(owner), txn_(txn), writer_(owner->writer_mu_) {}

int StatsWriteBack::Changes::Write() {
  if (staged_.empty()) return 0;
  const StatsWriteBack& o = *owner_;
  const bool due = o.options_.interval.count() <= 0 ||
                   o.held_.size() + staged_.size() >= o.options_.max_records || o.IntervalElapsed();
  if (due) return WriteBack();
  next_seq_ = o.next_seq_;
  std::string entry;
  int in_entry = 0;
  auto append_entry = [&]() -> int {
    int rc = Put(txn_, o.journal_, U64Key(next_seq_), entry, MDB_APPEND);
    ++next_seq_;
    entry.clear();
    in_entry = 0;
    return rc;
  };
  for (const auto& [id, record] : staged_) {
    if (id.size() > 0xffff) return MDB_BAD_VALSIZE;  // the entry's length field
    AppendBytes(entry, id);
    AppendBytes(entry, EncodeStats(record));
    if (++in_entry == kRecordsPerEntry) {
      if (int rc = append_entry(); rc != 0) return rc;
    }
  }
  if (in_entry > 0) return append_entry();
  return 0;
}

int StatsWriteBack::Changes::WriteBack() {
  const StatsWriteBack& o = *owner_;
  std::vector<std::pair<std::string_view, const StatsRecord*>> records;
  records.reserve(o.held_.size() + staged_.size());
  for (const auto& [id, record] : o.held_) {
    if (!staged_.contains(id)) records.emplace_back(id, &record);
  }
  for (const auto& [id, record] : staged_) records.emplace_back(id, &record);
  if (int rc = WriteRecords(txn_, o.stats_, records); rc != 0) return rc;
  if (o.next_seq_ > 0) {
    if (int rc = mdb_drop(txn_, o.journal_, 0); rc != 0) return rc;
  }
  wrote_back_ = true;
  return 0;
}

void StatsWriteBack::Changes::Committed() {
  StatsWriteBack& o = *owner_;
  std::lock_guard<std::mutex> lock(o.held_mu_);
  if (wrote_back_) {
    o.held_.clear();
    o.next_seq_ = 0;
    return;
  }
  if (staged_.empty()) return;
  if (o.next_seq_ == 0) o.oldest_ = std::chrono::steady_clock::now();
  o.next_seq_ = next_seq_;
  while (!staged_.empty()) {
    auto node = staged_.extract(staged_.begin());
    o.held_.insert_or_assign(std::move(node.key()), node.mapped());
  }
}

}  // namespace hookbroker
