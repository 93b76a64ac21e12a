// What the producers were told: every event the broker acknowledged as accepted, when it was
// sent, and what went otherwise (no reply, error replies, wrong delivery counts).
//
// Thread-safety: every method may be called from any thread (one mutex).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "tests/crash/workload.h"

namespace hookbroker::crash {

struct AckedEvent {
  std::string id;
  std::int64_t sent_ms = 0;  // wall clock just before the request was sent
  EventKind kind = EventKind::kNoMatch;
  int cycle = 0;
};

struct LedgerCounts {
  std::size_t acked = 0;
  std::size_t unanswered_events = 0;  // in requests without a reply (the broker was killed)
  std::size_t error_replies = 0;      // {"error": ...} replies
  std::size_t bad_results = 0;        // results not "accepted", or with a wrong delivery count
  std::string first_problem;          // the first error reply or bad result, verbatim
};

class Ledger {
 public:
  void Acked(AckedEvent event);
  void Unanswered(std::size_t events);
  void ErrorReply(const std::string& reply);
  void BadResult(const std::string& what);

  std::vector<AckedEvent> Events() const;
  LedgerCounts Counts() const;

 private:
  mutable std::mutex mu_;
  std::vector<AckedEvent> events_;  // guarded by mu_
  LedgerCounts counts_;             // guarded by mu_
};

}  // namespace hookbroker::crash
