// hookbroker: the daemon. Wires the parts together and owns the shutdown order:
//   start:  store → dispatcher (pending deliveries loaded) → posts publisher → outgoing
//           webhooks → ingest → REST → "ready" line
//   stop:   REST (stop accepting; no post is in progress after it) → outgoing webhooks (the
//           requests to bots in hand finish, within their timeout, and post their replies
//           through the ingest; queued messages are dropped) → ingest (finish and answer
//           the batch in progress) → posts publisher (publish what is queued) →
//           history collector (finish its step) → dispatcher (finish and record attempts in
//           flight) → store closed
#include <signal.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "broker/api_keys.h"
#include "broker/api_server.h"
#include "broker/channel_store.h"
#include "broker/clock.h"
#include "broker/config.h"
#include "broker/dispatcher.h"
#include "broker/emakin_hooks.h"
#include "broker/history_collector.h"
#include "broker/incoming_hook_keys.h"
#include "broker/incoming_webhooks.h"
#include "broker/ingest_post_sink.h"
#include "broker/ingest_server.h"
#include "broker/log.h"
#include "broker/metrics.h"
#include "broker/outgoing_hooks.h"
#include "broker/outgoing_webhook_firer.h"
#include "broker/post_publisher.h"
#include "broker/socket_sender.h"
#include "broker/store.h"

namespace hookbroker {
namespace {

int Run(const Config& config) {
  SetLogJson(config.log_json);

  // Signals are taken by sigwait() in this thread only; every thread started below inherits the
  // mask. SIGPIPE: a receiver closing its socket must not kill the broker.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  StoreOptions store_options;
  store_options.dir = config.data_dir;
  store_options.map_size_bytes = config.map_size_mb << 20;
  store_options.record_patience = config.record_patience;
  auto store = Store::Open(store_options);
  if (!store) {
    LogError("store", store.error().message);
    return 1;
  }
  LogInfo("store", "matching filter: " + std::to_string((*store)->ScopeFilterScopes()) +
                       " scopes with subscriptions, " +
                       std::to_string((*store)->ScopeFilterBytes() >> 10) + " KiB");

  std::vector<std::string> keys = config.api_keys;
  if (keys.empty()) {
    auto key = LoadOrCreateDefaultApiKey(config.data_dir);
    if (!key) {
      LogError("config", key.error().message);
      return 1;
    }
    keys.push_back(*key);
    LogInfo("config",
            "no --api-key given: using the key stored in " + config.data_dir + "/api-key");
  }
  ApiKeys api_keys(keys, store->get());
  if (Status s = api_keys.Load(); !s) {
    LogError("store", "cannot read the stored API keys: " + s.error().message);
    return 1;
  }

  SystemClock clock;
  Metrics metrics;
  CallbackAddressPolicy policy(config.callback_allow);
  SocketSenderOptions sender_options;
  sender_options.address_policy = policy;
  sender_options.ca_file = config.ca_file;
  sender_options.connect_timeout = config.connect_timeout;
  sender_options.dns_cache_ttl = config.dns_cache;
  sender_options.max_idle_per_origin = static_cast<std::size_t>(config.endpoint_concurrency);
  SocketSender sender(sender_options);

  DispatcherOptions dispatch_options;
  dispatch_options.schedule = config.retry_schedule;
  dispatch_options.workers = config.delivery_workers;
  dispatch_options.endpoint_concurrency = config.endpoint_concurrency;
  dispatch_options.max_unrecorded = config.max_unrecorded;
  dispatch_options.record_linger = config.record_linger;
  dispatch_options.request_timeout = config.callback_timeout;
  dispatch_options.breaker.failure_threshold = config.breaker_failures;
  dispatch_options.breaker.cooldown_ms = config.breaker_cooldown.count();
  dispatch_options.disable_after_ms = config.disable_after.count();
  dispatch_options.metrics = &metrics;
  Dispatcher dispatcher(**store, sender, clock, dispatch_options);
  if (Status s = dispatcher.LoadPending(); !s) {
    LogError("store", "cannot load pending deliveries: " + s.error().message);
    return 1;
  }
  const std::size_t pending = dispatcher.queued();
  dispatcher.Start();

  HistoryOptions history_options;
  history_options.retention = config.retention;
  history_options.interval = config.gc_interval;
  history_options.release_free_heap = true;
  HistoryCollector history(**store, clock, history_options);

  IngestServer ingest(**store, dispatcher, clock, metrics);
  if (Status s = ingest.Bind(config.ingest_listen); !s) {
    LogError("ingest", s.error().message);
    dispatcher.Stop();
    return 1;
  }

  ApiServerOptions api_options;
  api_options.allow_http_callbacks = config.allow_http_callbacks;
  api_options.validation_handshake = config.validation_handshake;
  api_options.address_policy = policy;
  api_options.tls_cert_file = config.api_tls_cert;
  api_options.tls_key_file = config.api_tls_key;
  // Chat (docs/CHAT.md): posts go through the ingest above, then out on the posts socket.
  PostPublisher publisher;
  IngestPostSink post_sink(ingest.context(), IngestServer::kLocalEndpoint, publisher, clock);
  ChannelStore channels(**store);
  OutgoingHooks outgoing_hooks(**store);
  if (Status s = outgoing_hooks.Load(); !s) {
    LogError("store", "cannot read the stored outgoing webhooks: " + s.error().message);
    dispatcher.Stop();
    return 1;
  }
  OutgoingWebhookOptions outgoing_options;
  outgoing_options.timeout = config.outgoing_webhook_timeout;
  outgoing_options.queue_capacity = static_cast<std::size_t>(config.outgoing_webhook_queue);
  outgoing_options.workers = config.outgoing_webhook_workers;
  OutgoingWebhookFirer outgoing(outgoing_hooks, channels, sender, post_sink, outgoing_options);
  ingest.SetObserver(&outgoing);
  ApiChatServices chat;
  chat.channels = &channels;
  chat.posts = &post_sink;
  IncomingWebhooks incoming(**store, channels, post_sink);
  chat.incoming = &incoming;
  chat.outgoing_hooks = &outgoing_hooks;
  chat.outgoing_firer = &outgoing;
  IncomingHookKeys incoming_keys(incoming);
  EmakinHooks emakin(**store, channels, incoming_keys, post_sink, clock);
  chat.emakin = &emakin;
  ApiServer api(**store, dispatcher, sender, clock, api_keys, metrics, api_options, chat);
  if (Status s = api.Bind(config.http_listen); !s) {
    LogError("api", s.error().message);
    dispatcher.Stop();
    return 1;
  }
  if (Status s = publisher.Bind(config.posts_listen); !s) {
    LogError("posts", s.error().message);
    dispatcher.Stop();
    return 1;
  }
  publisher.Start();
  outgoing.Start();
  ingest.Start();
  api.Start();
  history.Start();

  std::string allow;
  for (const auto& c : config.callback_allow_text) allow += (allow.empty() ? "" : ",") + c;
  LogInfo("broker", std::string("hookbroker ") + HOOKBROKER_VERSION + " started: data " +
                        config.data_dir + ", " + std::to_string(pending) +
                        " pending deliveries, REST " + api.url() + ", ingest " + ingest.endpoint() +
                        ", posts " + publisher.endpoint() +
                        (config.allow_http_callbacks ? ", http callbacks allowed" : "") +
                        (allow.empty() ? "" : ", callbacks allowed to " + allow));
  std::printf("hookbroker ready rest=%s ingest=%s posts=%s\n", api.url().c_str(),
              ingest.endpoint().c_str(), publisher.endpoint().c_str());
  std::fflush(stdout);

  int sig = 0;
  sigwait(&signals, &sig);
  LogInfo("broker",
          std::string("received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") + ": shutting down");
  api.Stop();
  outgoing.Stop();
  ingest.Stop();
  publisher.Stop();
  history.Stop();
  dispatcher.Stop();
  LogInfo("broker", "stopped");
  return 0;
}

}  // namespace
}  // namespace hookbroker

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto config = hookbroker::ParseConfig(args);
  if (!config) {
    std::fprintf(stderr, "hookbroker: %s\n", config.error().message.c_str());
    return 2;
  }
  if (config->show_help) {
    std::fputs(hookbroker::Usage().c_str(), stdout);
    return 0;
  }
  if (config->show_version) {
    std::printf("hookbroker %s\n", HOOKBROKER_VERSION);
    return 0;
  }
  return hookbroker::Run(*config);
}
