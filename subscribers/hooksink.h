// Hooksink: the ready receiver. Serves HTTP(S) through HttpEndpoint, answers every request with a
// CallbackHandler over a ReceivedStore in --data-dir, and hands stored events on with an
// EventForwarder. The `hooksink` executable is a thin main around this class.
//
// Shutdown order (Stop): stop accepting and wait for in-flight requests, then stop the forwarder
// (it finishes the event in hand) and the pruner, then close the store.
//
// Threads: the endpoint's workers, the forwarder's thread and the pruner's thread. Lifecycle:
// Create(), Start(), Stop() (or the destructor).
#pragma once

#include <memory>
#include <string>

#include "proto/result.h"
#include "subscribers/callback_handler.h"
#include "subscribers/event_forwarder.h"
#include "subscribers/hooksink_options.h"
#include "subscribers/http_endpoint.h"
#include "subscribers/received_store.h"
#include "subscribers/store_pruner.h"

namespace hookbroker::subscribers {

class Hooksink {
 public:
  // Opens the store and checks the secrets. Errors as ReceivedStore::Open and
  // CallbackVerifier::Create.
  static Result<std::unique_ptr<Hooksink>> Create(HooksinkOptions options);
  ~Hooksink();
  Hooksink(const Hooksink&) = delete;
  Hooksink& operator=(const Hooksink&) = delete;

  // Starts forwarding (what an earlier run left first), then serving.
  Status Start();
  void Stop();

  std::string Url() const;  // "http(s)://HOST:PORT", after Start()

 private:
  Hooksink() = default;
  CallbackResponse Serve(const CallbackRequest& request) const;

  // Constant after Create(). Declared in reverse shutdown order.
  HooksinkOptions options_;
  std::unique_ptr<ReceivedStore> store_;
  std::unique_ptr<EventForwarder> forwarder_;
  std::unique_ptr<StorePruner> pruner_;  // null with --retention-days 0
  std::unique_ptr<CallbackHandler> handler_;
  std::unique_ptr<HttpEndpoint> endpoint_;
};

}  // namespace hookbroker::subscribers
