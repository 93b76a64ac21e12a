#include <sys/stat.h>

#include "tools/bench/scenarios.h"

namespace hookbench {

Context::Context(const Options& options, std::string work_dir, Pki pki, Report* report)
    : options_(options), work_dir_(std::move(work_dir)), pki_(std::move(pki)), report_(report) {}

std::string Context::NewDir(const std::string& name) {
  const std::string dir = work_dir_ + "/" + std::to_string(++counter_) + "-" + name;
  mkdir(dir.c_str(), 0755);
  return dir;
}

BrokerConfig Context::BrokerFor(const std::string& name) {
  BrokerConfig config;
  config.binary = options_.broker_binary;
  config.data_dir = NewDir(name);
  config.log_path = config.data_dir + ".log";
  config.api_key = "hookbench-api-key-0123456789";
  config.ca_file = pki_.ca_cert;
  config.endpoint_concurrency = options_.endpoint_concurrency;
  config.delivery_workers = options_.delivery_workers;
  // The bench registers its own receivers, which are known to answer.
  config.extra = {"--no-validation-handshake"};
  return config;
}

ReceiverOptions Context::ReceiverFor(bool tls) const {
  ReceiverOptions options;
  options.tls = tls;
  options.host = options_.callback_host;
  options.cert_file = pki_.server_cert;
  options.key_file = pki_.server_key;
  // Every kept-alive connection holds a pool thread; the broker opens up to
  // --endpoint-concurrency of them, plus a spare for reconnects.
  options.threads = std::max(8, options_.endpoint_concurrency * 2 + 2);
  return options;
}

std::unique_ptr<Broker> Context::StartBroker(const BrokerConfig& config,
                                             const std::string& scenario) {
  auto broker = std::make_unique<Broker>(config);
  std::string error;
  if (!broker->Start(std::chrono::seconds(120), &error)) {
    report_->AddError(scenario, "broker did not start: " + error);
    return nullptr;
  }
  return broker;
}

void Context::Fail(const std::string& scenario, const std::string& what, Broker* broker) {
  const std::string died = broker != nullptr ? broker->Died() : "";
  report_->AddError(scenario, died.empty() ? what : what + ": " + died);
}

std::unique_ptr<Receiver> Context::StartReceiver(const ReceiverOptions& options,
                                                 const std::string& scenario) {
  auto receiver = std::make_unique<Receiver>(options);
  if (!receiver->Start()) {
    report_->AddError(scenario, "receiver did not start");
    return nullptr;
  }
  return receiver;
}

}  // namespace hookbench
