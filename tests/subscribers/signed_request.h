// Hand-made callbacks for the subscribers tests: a request signed as the broker signs one.
#pragma once

#include <cstdint>
#include <string>

#include "proto/signature.h"
#include "subscribers/callback_request.h"

namespace hookbroker::testing {

// Two valid secrets (24+ byte keys), for rotation tests.
inline const std::string kSecretA = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
// base64 of "second-secret-for-hooksink-tests"
inline const std::string kSecretB = "whsec_c2Vjb25kLXNlY3JldC1mb3ItaG9va3NpbmstdGVzdHM=";

inline const std::string kTextBody =
    R"({"subscriptionId":"s-1","objectId":"g1","objectType":"Group",)"
    R"("eventType":"TextMessageCreated","eventId":"e-1","data":{"text":"hello"},)"
    R"("fromUser":"+911234","timestamp":1700000000000})";

// A POST signed with `secret` at `timestamp_s`, as the broker sends it.
inline subscribers::CallbackRequest SignedRequest(const std::string& secret,
                                                  const std::string& webhook_id,
                                                  std::int64_t timestamp_s,
                                                  const std::string& body = kTextBody) {
  subscribers::CallbackRequest r;
  r.method = "POST";
  r.path = "/hook";
  r.body = body;
  r.headers["content-type"] = "application/json";
  r.headers["webhook-id"] = webhook_id;
  r.headers["webhook-timestamp"] = std::to_string(timestamp_s);
  r.headers["webhook-signature"] =
      SignWebhook(DecodeWebhookSecret(secret).value(), webhook_id, timestamp_s, body);
  return r;
}

}  // namespace hookbroker::testing
