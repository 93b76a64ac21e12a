// CallbackHandler: everything a receiver does with one request, independent of the HTTP server:
// answers the validation handshake, verifies the callback (CallbackVerifier), parses it
// (ParseCallbackEvent), stores it exactly once (ReceivedStore) and says what to answer. Any HTTP
// framework can call Handle() and send back the CallbackResponse; hooksink does so with
// cpp-httplib.
//
// Answers: 200 text/plain X for GET ?validationToken=X; 200 {"status":"stored"|"duplicate",...}
// only after the callback is durably stored (or was already); 401 when a check fails, 400 for a
// body that is not a callback, 405 for other methods, 503 when the store fails (the broker then
// retries). Errors are JSON {"error": code, "message": ...}.
//
// The stored record (and hooksink's forwarded line) is one line of JSON:
//   {"webhookId":"msg_…","receivedAt":<ms>,"event":{…the callback body…}}
//
// Thread-safety: Handle() may be called from any thread at once; SetAfterStore() before the first
// Handle(). Lifecycle: the store must outlive the handler.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "subscribers/callback_request.h"
#include "subscribers/callback_verifier.h"
#include "subscribers/received_store.h"

namespace hookbroker::subscribers {

class CallbackHandler {
 public:
  // `now_ms` is the wall clock (Unix milliseconds); tests pass a fixed one.
  CallbackHandler(CallbackVerifier verifier, ReceivedStore* store,
                  std::function<std::int64_t()> now_ms);

  // Called with the sequence number of each newly stored callback, after its commit and before
  // the answer is sent (hooksink wakes its forwarder here).
  void SetAfterStore(std::function<void(std::uint64_t seq)> after_store);

  CallbackResponse Handle(const CallbackRequest& request) const;

 private:
  // Constant after construction (and SetAfterStore()).
  CallbackVerifier verifier_;
  ReceivedStore* store_;
  std::function<std::int64_t()> now_ms_;
  std::function<void(std::uint64_t)> after_store_;
};

// The system clock in Unix milliseconds.
std::int64_t SystemNowMs();

}  // namespace hookbroker::subscribers
