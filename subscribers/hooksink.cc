#include "subscribers/hooksink.h"

#include <signal.h>

#include <chrono>
#include <iostream>
#include <utility>

namespace hookbroker::subscribers {

Result<std::unique_ptr<Hooksink>> Hooksink::Create(HooksinkOptions options) {
  Result<CallbackVerifier> verifier = CallbackVerifier::Create(options.verifier);
  if (!verifier) return verifier.error();
  Result<std::unique_ptr<ReceivedStore>> store = ReceivedStore::Open(options.data_dir);
  if (!store) return store.error();

  std::unique_ptr<Hooksink> sink(new Hooksink());
  sink->options_ = std::move(options);
  sink->store_ = std::move(*store);
  sink->forwarder_ = std::make_unique<EventForwarder>(sink->store_.get(), sink->options_.forwarder);
  sink->handler_ =
      std::make_unique<CallbackHandler>(std::move(*verifier), sink->store_.get(), SystemNowMs);
  if (sink->options_.retention_days > 0) {
    PrunerOptions pruner;
    pruner.retention = std::chrono::hours(24 * sink->options_.retention_days);
    pruner.now_ms = SystemNowMs;
    pruner.log = [](const std::string& line) { std::cerr << "hooksink: " << line << std::endl; };
    sink->pruner_ = std::make_unique<StorePruner>(sink->store_.get(), std::move(pruner));
  }
  EventForwarder* forwarder = sink->forwarder_.get();
  const bool kill_after_store = sink->options_.kill_after_store;
  sink->handler_->SetAfterStore([forwarder, kill_after_store](std::uint64_t) {
    // Fault injection: the callback is durable but unanswered, and not yet forwarded.
    if (kill_after_store) raise(SIGKILL);
    forwarder->Notify();
  });
  Hooksink* self = sink.get();
  sink->endpoint_ = std::make_unique<HttpEndpoint>(
      sink->options_.endpoint,
      [self](const CallbackRequest& request) { return self->Serve(request); });
  return sink;
}

Hooksink::~Hooksink() { Stop(); }

Status Hooksink::Start() {
  if (Status s = forwarder_->Start(); !s.ok()) return s;
  if (pruner_) pruner_->Start();
  if (Status s = endpoint_->Start(); !s.ok()) {
    forwarder_->Stop();
    if (pruner_) pruner_->Stop();
    return s;
  }
  return Status::Ok();
}

void Hooksink::Stop() {
  if (endpoint_) endpoint_->Stop();
  if (forwarder_) forwarder_->Stop();
  if (pruner_) pruner_->Stop();
}

std::string Hooksink::Url() const { return endpoint_->Url(); }

CallbackResponse Hooksink::Serve(const CallbackRequest& request) const {
  if (!options_.path.empty() && request.path != options_.path) {
    return {404, "application/json",
            R"({"error":"not_found","message":"callbacks are received on another path"})"};
  }
  return handler_->Handle(request);
}

}  // namespace hookbroker::subscribers
