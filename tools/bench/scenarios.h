// The seven scenarios of the benchmark (docs/PERFORMANCE.md). Each starts what it needs (fresh
// broker with its own data folder, receivers, producers), adds its rows to the report and stops
// everything again; a failure becomes an ERROR row and the next scenario still runs.
#pragma once

#include <memory>
#include <string>

#include "tools/bench/broker.h"
#include "tools/bench/options.h"
#include "tools/bench/pki.h"
#include "tools/bench/receiver.h"
#include "tools/bench/report.h"

namespace hookbench {

class Context {
 public:
  Context(const Options& options, std::string work_dir, Pki pki, Report* report);

  const Options& options() const { return options_; }
  Report& report() { return *report_; }
  const std::string& work_dir() const { return work_dir_; }
  const std::string& ca_file() const { return pki_.ca_cert; }
  // A new empty folder under the work folder.
  std::string NewDir(const std::string& name);
  // Broker settings with a fresh data folder named `name` and its log next to it.
  BrokerConfig BrokerFor(const std::string& name);
  // Receiver settings sized for the broker's endpoint concurrency (plus wrk or spare threads).
  ReceiverOptions ReceiverFor(bool tls) const;
  // Starts a broker (or reports an ERROR row for `scenario` and returns nullptr).
  std::unique_ptr<Broker> StartBroker(const BrokerConfig& config, const std::string& scenario);
  // An ERROR row; when `broker` has died meanwhile, the row says so (with its log's last lines).
  void Fail(const std::string& scenario, const std::string& what, Broker* broker);
  std::unique_ptr<Receiver> StartReceiver(const ReceiverOptions& options,
                                          const std::string& scenario);

  // Figures later scenarios compare against (0 until measured).
  double wrk_http_rate = 0;     // 2: wrk → receiver, HTTP
  double broker_http_rate = 0;  // 2: broker → receiver, HTTP

 private:
  const Options& options_;
  std::string work_dir_;
  Pki pki_;
  Report* report_;
  int counter_ = 0;
};

void RunIngestScenario(Context& context);     // 1. durable ingest vs raw LMDB
void RunDeliveryScenario(Context& context);   // 2. callbacks/s vs wrk, HTTP and HTTPS
void RunLatencyScenario(Context& context);    // 3. publish-to-callback at a steady rate
void RunFanoutScenario(Context& context);     // 4. one event to many subscriptions
void RunIsolationScenario(Context& context);  // 5. one hanging endpoint among healthy ones
void RunScaleScenario(Context& context);      // 6. many stored subscriptions
void RunBacklogScenario(Context& context);    // 7. restart with pending deliveries
void RunSoakScenario(Context& context);       // 8. long steady load (only with --soak-minutes)

}  // namespace hookbench
