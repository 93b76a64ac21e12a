// Fuzz target: a REST body as POST /v1/webhook and PATCH /v1/webhook/{id} decode it
// (proto/subscription), and the stored form the store reads back.
// Properties: nothing crashes; an accepted registration survives the storage round trip
// unchanged; a rejected patch leaves the subscription unchanged; an accepted patch leaves a
// subscription that is itself a valid registration.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "proto/limits.h"
#include "proto/subscription.h"

namespace {

using namespace hookbroker;

constexpr std::int64_t kNowMs = 1700000000000;

Subscription Existing() {
  boost::json::value body =
      boost::json::parse(R"({"objectId":"g1","objectType":"Group","eventTypes":["MemberAdded"],)"
                         R"("callBackUrl":"https://receiver.example/hook","callBackToken":"tok",)"
                         R"("auth":{"username":"u","password":"p"}})");
  Result<Subscription> sub = ParseSubscriptionRequest(body, RequestPolicy{}, kNowMs);
  FUZZ_CHECK(sub.ok());
  sub->id = SubscriptionId("6f1c1c1e-0000-4000-8000-000000000001");
  sub->secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  return std::move(sub).value();
}

std::string Stored(const Subscription& sub) {
  return boost::json::serialize(SubscriptionToStorageJson(sub));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  boost::json::parse_options options;
  options.max_depth = limits::kMaxJsonDepth;
  boost::json::error_code ec;
  const boost::json::value body = boost::json::parse(
      std::string_view(reinterpret_cast<const char*>(data), size), ec, {}, options);
  if (ec) return 0;

  for (bool allow_http : {false, true}) {
    RequestPolicy policy;
    policy.allow_http_callbacks = allow_http;
    Result<Subscription> created = ParseSubscriptionRequest(body, policy, kNowMs);
    if (created) {
      FUZZ_CHECK(created->validity_ms > kNowMs);
      FUZZ_CHECK(!created->event_types.empty());
      created->id = SubscriptionId("id");
      Result<Subscription> reread =
          SubscriptionFromStorageJson(SubscriptionToStorageJson(*created));
      FUZZ_CHECK(reread.ok() && Stored(*reread) == Stored(*created));
      (void)SubscriptionToApiJson(*created);
      (void)created->auth.HeaderValue();
    }

    Subscription sub = Existing();
    const std::string before = Stored(sub);
    bool url_changed = false;
    Status patched = ApplySubscriptionPatch(body, policy, kNowMs, &sub, &url_changed);
    if (!patched) {
      FUZZ_CHECK(Stored(sub) == before);
    } else {
      FUZZ_CHECK(url_changed == (sub.callback_url != Existing().callback_url));
      FUZZ_CHECK(sub.object_id == "g1" && sub.secret == Existing().secret);
      // An empty patch re-validates the whole subscription as a registration.
      const std::string after = Stored(sub);
      bool changed_again = false;
      FUZZ_CHECK(
          ApplySubscriptionPatch(boost::json::object(), policy, kNowMs, &sub, &changed_again).ok());
      FUZZ_CHECK(!changed_again && Stored(sub) == after);
    }
  }

  // The stored form, as a corrupt or foreign record would present it.
  Result<Subscription> stored = SubscriptionFromStorageJson(body);
  if (stored) (void)SubscriptionToApiJson(*stored);
  return 0;
}
