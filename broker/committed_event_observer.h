// CommittedEventObserver: told about every event the ingest has durably stored (its commit has
// returned, after fsync), once, when the event is new (not a duplicate). The outgoing webhooks
// listen here (outgoing_webhook_firer.h).
//
// Thread-safety: OnCommitted() runs on the ingest thread, between a commit and the producers'
// acknowledgements: it must not block nor do I/O (queue the work and return).
#pragma once

#include "proto/event.h"

namespace hookbroker {

class CommittedEventObserver {
 public:
  virtual ~CommittedEventObserver() = default;
  virtual void OnCommitted(const Event& event) = 0;
};

}  // namespace hookbroker
