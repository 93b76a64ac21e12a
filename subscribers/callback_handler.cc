#include "subscribers/callback_handler.h"

#include <boost/json.hpp>
#include <chrono>
#include <utility>

#include "subscribers/callback_event.h"

namespace hookbroker::subscribers {
namespace {

namespace json = boost::json;

// A validation token longer than this is not the broker's (it sends 32 characters); echoing
// arbitrary amounts back would make the receiver an amplifier.
constexpr std::size_t kMaxValidationToken = 256;

CallbackResponse ErrorResponse(int status, const Error& error) {
  return {status, "application/json",
          json::serialize(json::object{{"error", error.code}, {"message", error.message}})};
}

}  // namespace

std::int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

CallbackHandler::CallbackHandler(CallbackVerifier verifier, ReceivedStore* store,
                                 std::function<std::int64_t()> now_ms)
    : verifier_(std::move(verifier)), store_(store), now_ms_(std::move(now_ms)) {}

void CallbackHandler::SetAfterStore(std::function<void(std::uint64_t)> after_store) {
  after_store_ = std::move(after_store);
}

CallbackResponse CallbackHandler::Handle(const CallbackRequest& request) const {
  if (std::optional<std::string> token = ValidationToken(request)) {
    if (token->size() > kMaxValidationToken) {
      return ErrorResponse(400, Error::Invalid("validationToken", "validationToken is too long"));
    }
    return {200, "text/plain", *token};
  }
  if (request.method != "POST") {
    return ErrorResponse(405,
                         Error{"method_not_allowed",
                               "callbacks are POSTed; GET only answers ?validationToken=", ""});
  }
  const std::int64_t now_ms = now_ms_();
  if (Status s = verifier_.Verify(request, now_ms / 1000); !s.ok()) {
    return ErrorResponse(401, s.error());
  }
  Result<CallbackEvent> event = ParseCallbackEvent(request.body);
  if (!event) return ErrorResponse(400, event.error());

  const std::string& webhook_id = *request.Header("webhook-id");  // Verify() checked it is there
  std::string record = json::serialize(json::object{
      {"webhookId", webhook_id}, {"receivedAt", now_ms}, {"event", json::parse(request.body)}});
  Result<StoreOutcome> stored = store_->StoreOnce(webhook_id, record, now_ms);
  if (!stored) return ErrorResponse(503, stored.error());
  if (!stored->duplicate && after_store_) after_store_(stored->seq);
  return {200, "application/json",
          json::serialize(json::object{{"status", stored->duplicate ? "duplicate" : "stored"},
                                       {"webhookId", webhook_id},
                                       {"seq", stored->seq}})};
}

}  // namespace hookbroker::subscribers
