// A running broker with an HTTPS receiver and a test PKI, for end-to-end tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <memory>
#include <string>
#include <vector>

#include "subscribers/reference_receiver.h"
#include "tests/support/broker_process.h"
#include "tests/support/http_client.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"
#include "tests/support/zmq_producer.h"

namespace hookbroker::testing {

inline constexpr const char* kApiKey = "test-api-key-0123456789";

// A receiver like the fixture's: HTTPS with the test PKI.
inline std::unique_ptr<subscribers::ReferenceReceiver> StartReceiver(const TestPki& pki,
                                                                     int port = 0) {
  subscribers::ReceiverOptions options;
  options.tls = true;
  options.port = port;
  options.cert_file = pki.server_cert;
  options.key_file = pki.server_key;
  auto receiver = std::make_unique<subscribers::ReferenceReceiver>(options);
  EXPECT_TRUE(receiver->Start().ok());
  return receiver;
}

class BrokerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_ = MakeTestPki(dir_.File(""));
    subscribers::ReceiverOptions options;
    options.tls = true;
    options.cert_file = pki_.server_cert;
    options.key_file = pki_.server_key;
    receiver_ = std::make_unique<subscribers::ReferenceReceiver>(options);
    ASSERT_TRUE(receiver_->Start().ok());
  }

  // Flags every test broker gets; tests add their own.
  std::vector<std::string> BaseArgs() const {
    return {"--data-dir",       dir_.File("data"), "--api-key",        kApiKey,
            "--ca-file",        pki_.ca_cert,      "--callback-allow", "127.0.0.0/8",
            "--retry-schedule", "0.2,0.2,0.2"};
  }

  void StartBroker(std::vector<std::string> extra = {}) {
    // A flag in `extra` replaces the same flag of BaseArgs().
    std::vector<std::string> args;
    const std::vector<std::string> base = BaseArgs();
    for (std::size_t i = 0; i < base.size(); i += 2) {
      if (std::find(extra.begin(), extra.end(), base[i]) == extra.end()) {
        args.push_back(base[i]);
        args.push_back(base[i + 1]);
      }
    }
    args.insert(args.end(), extra.begin(), extra.end());
    broker_ = std::make_unique<BrokerProcess>(args);
    ASSERT_TRUE(broker_->Start()) << broker_->Output();
  }

  HttpReply Api(const std::string& method, const std::string& path, const std::string& body = "",
                std::map<std::string, std::string> headers = {{"accessToken", kApiKey}}) {
    return HttpCall(broker_->rest_url(), method, path, body, headers);
  }

  // Registers a webhook to the receiver and returns {webhookId, secret}.
  std::pair<std::string, std::string> Register(const std::string& object_type,
                                               const std::string& object_id,
                                               boost::json::array event_types = {"*"},
                                               boost::json::object extra = {}) {
    boost::json::object body = std::move(extra);
    body["objectType"] = object_type;
    body["objectId"] = object_id;
    body["eventTypes"] = std::move(event_types);
    if (!body.contains("callBackUrl")) body["callBackUrl"] = receiver_->BaseUrl() + "/hook";
    HttpReply r = Api("POST", "/v1/webhook", boost::json::serialize(body));
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return {};
    auto v = boost::json::parse(r.body).as_object();
    return {std::string(v.at("webhookId").as_string()), std::string(v.at("secret").as_string())};
  }

  // Publishes over a plain REQ socket and returns the parsed reply.
  boost::json::value Publish(const boost::json::value& events) {
    auto reply = RequestReply(broker_->ingest_endpoint(), boost::json::serialize(events));
    EXPECT_TRUE(reply.has_value()) << "no ingest reply";
    if (!reply) return {};
    return boost::json::parse(*reply);
  }

  TempDir dir_;
  TestPki pki_;
  std::unique_ptr<subscribers::ReferenceReceiver> receiver_;
  std::unique_ptr<BrokerProcess> broker_;
};

}  // namespace hookbroker::testing
