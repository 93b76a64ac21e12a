#include "tests/crash/ledger.h"

namespace hookbroker::crash {

void Ledger::Acked(AckedEvent event) {
  std::lock_guard<std::mutex> lock(mu_);
  events_.push_back(std::move(event));
  ++counts_.acked;
}

void Ledger::Unanswered(std::size_t events) {
  std::lock_guard<std::mutex> lock(mu_);
  counts_.unanswered_events += events;
}

void Ledger::ErrorReply(const std::string& reply) {
  std::lock_guard<std::mutex> lock(mu_);
  if (counts_.first_problem.empty()) counts_.first_problem = reply;
  ++counts_.error_replies;
}

void Ledger::BadResult(const std::string& what) {
  std::lock_guard<std::mutex> lock(mu_);
  if (counts_.first_problem.empty()) counts_.first_problem = what;
  ++counts_.bad_results;
}

std::vector<AckedEvent> Ledger::Events() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_;
}

LedgerCounts Ledger::Counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_;
}

}  // namespace hookbroker::crash
