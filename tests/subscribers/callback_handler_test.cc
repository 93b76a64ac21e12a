#include "subscribers/callback_handler.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <vector>

#include "tests/subscribers/signed_request.h"
#include "tests/support/temp_dir.h"

namespace hookbroker::testing {
namespace {

namespace json = boost::json;
using subscribers::CallbackHandler;
using subscribers::CallbackRequest;
using subscribers::CallbackResponse;
using subscribers::CallbackVerifier;
using subscribers::ReceivedStore;

constexpr std::int64_t kNowS = 1'700'000'000;

class CallbackHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(ReceivedStore::Open(dir_.File("store")).value());
    auto verifier = CallbackVerifier::Create({.secrets = {kSecretA}, .callback_token = "tok"});
    ASSERT_TRUE(verifier.ok());
    handler_ = std::make_unique<CallbackHandler>(std::move(*verifier), store_.get(),
                                                 [this] { return now_ms_; });
    handler_->SetAfterStore([this](std::uint64_t seq) { after_store_.push_back(seq); });
  }

  CallbackRequest Good(const std::string& id) {
    CallbackRequest r = SignedRequest(kSecretA, id, kNowS);
    r.headers["kz-callback-token"] = "tok";
    return r;
  }

  static std::string ErrorCode(const CallbackResponse& r) {
    return std::string(json::parse(r.body).at("error").as_string());
  }

  TempDir dir_;
  std::unique_ptr<ReceivedStore> store_;
  std::unique_ptr<CallbackHandler> handler_;
  std::int64_t now_ms_ = kNowS * 1000 + 250;
  std::vector<std::uint64_t> after_store_;
};

TEST_F(CallbackHandlerTest, EchoesTheValidationToken) {
  CallbackResponse r =
      handler_->Handle({.method = "GET", .path = "/hook", .query = {{"validationToken", "abc"}}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain");
  EXPECT_EQ(r.body, "abc");
  CallbackResponse too_long = handler_->Handle(
      {.method = "GET", .path = "/hook", .query = {{"validationToken", std::string(300, 'x')}}});
  EXPECT_EQ(too_long.status, 400);
}

TEST_F(CallbackHandlerTest, StoresAVerifiedCallbackBeforeAnswering200) {
  CallbackResponse r = handler_->Handle(Good("msg_1"));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).at("status").as_string(), "stored");
  EXPECT_EQ(after_store_, std::vector<std::uint64_t>{1});
  auto stored = store_->ReadAfter(0, 10);
  ASSERT_EQ(stored->size(), 1u);
  json::object record = json::parse(stored->at(0).record).as_object();
  EXPECT_EQ(record.at("webhookId").as_string(), "msg_1");
  EXPECT_EQ(record.at("receivedAt").as_int64(), now_ms_);
  EXPECT_EQ(record.at("event").at("data").at("text").as_string(), "hello");
  EXPECT_EQ(stored->at(0).record.find('\n'), std::string::npos);  // one line
}

TEST_F(CallbackHandlerTest, ARedeliveryIsAnsweredDuplicateAndNotStoredAgain) {
  ASSERT_EQ(handler_->Handle(Good("msg_1")).status, 200);
  // The broker's retry: same webhook-id, a later timestamp, a fresh signature.
  now_ms_ += 30'000;
  CallbackRequest retry = SignedRequest(kSecretA, "msg_1", kNowS + 30);
  retry.headers["kz-callback-token"] = "tok";
  CallbackResponse r = handler_->Handle(retry);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body).at("status").as_string(), "duplicate");
  EXPECT_EQ(*store_->Count(), 1u);
  EXPECT_EQ(after_store_.size(), 1u);  // not handed on twice
}

TEST_F(CallbackHandlerTest, AReplayOutsideTheToleranceIsRefused) {
  ASSERT_EQ(handler_->Handle(Good("msg_1")).status, 200);
  now_ms_ += 301'000;  // the same signed request, replayed 5 min 1 s later
  CallbackResponse r = handler_->Handle(Good("msg_1"));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(ErrorCode(r), "stale_timestamp");
}

TEST_F(CallbackHandlerTest, RefusesWhatFailsACheckWithoutStoringIt) {
  CallbackRequest wrong_sig = SignedRequest(kSecretB, "msg_1", kNowS);
  wrong_sig.headers["kz-callback-token"] = "tok";
  CallbackResponse r1 = handler_->Handle(wrong_sig);
  EXPECT_EQ(r1.status, 401);
  EXPECT_EQ(ErrorCode(r1), "invalid_signature");

  CallbackRequest wrong_token = Good("msg_2");
  wrong_token.headers["kz-callback-token"] = "other";
  CallbackResponse r2 = handler_->Handle(wrong_token);
  EXPECT_EQ(r2.status, 401);
  EXPECT_EQ(ErrorCode(r2), "invalid_token");

  CallbackRequest stale = SignedRequest(kSecretA, "msg_3", kNowS - 400);
  stale.headers["kz-callback-token"] = "tok";
  EXPECT_EQ(ErrorCode(handler_->Handle(stale)), "stale_timestamp");

  EXPECT_EQ(*store_->Count(), 0u);
  EXPECT_TRUE(after_store_.empty());
}

TEST_F(CallbackHandlerTest, ASignedBodyThatIsNotACallbackIs400) {
  CallbackRequest r = SignedRequest(kSecretA, "msg_1", kNowS, R"({"hello":"world"})");
  r.headers["kz-callback-token"] = "tok";
  CallbackResponse answer = handler_->Handle(r);
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(ErrorCode(answer), "missing_field");
  EXPECT_EQ(*store_->Count(), 0u);
}

TEST_F(CallbackHandlerTest, OtherMethodsAre405) {
  CallbackRequest put = Good("msg_1");
  put.method = "PUT";
  EXPECT_EQ(handler_->Handle(put).status, 405);
  EXPECT_EQ(handler_->Handle({.method = "GET", .path = "/hook"}).status, 405);
}

}  // namespace
}  // namespace hookbroker::testing
