#include "broker/outgoing_webhook_firer.h"

#include <sstream>

#include "broker/log.h"
#include "broker/outgoing_hook_match.h"
#include "broker/outgoing_hook_reply.h"
#include "proto/mattermost_payload.h"

namespace hookbroker {
namespace {

namespace json = boost::json;

const json::object& DataOf(const Event& event) {
  static const json::object kEmpty;
  const json::value* data = event.source.if_contains("data");
  return data != nullptr && data->is_object() ? data->get_object() : kEmpty;
}

std::string DataString(const Event& event, std::string_view key) {
  const json::value* v = DataOf(event).if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

// A webhook's or a bot's post: firing on it could make two bots answer each other forever.
bool FromWebhook(const Event& event) {
  const json::value* props = DataOf(event).if_contains("props");
  if (props == nullptr || !props->is_object()) return false;
  const json::value* mark = props->get_object().if_contains("from_webhook");
  return mark != nullptr && mark->is_string() && mark->get_string() == "true";
}

// Logs name the callback's origin only: a URL's path or query may hold a secret.
std::string OriginOf(const std::string& url) {
  auto parsed = ParseUrl(url);
  return parsed ? parsed->Origin() : std::string("(invalid URL)");
}

}  // namespace

OutgoingWebhookFirer::OutgoingWebhookFirer(OutgoingHooks& hooks, const ChannelDirectory& channels,
                                           HttpSender& sender, PostSink& sink,
                                           OutgoingWebhookOptions options)
    : hooks_(hooks), channels_(channels), sender_(sender), sink_(sink), options_(options) {}

OutgoingWebhookFirer::~OutgoingWebhookFirer() { Stop(); }

void OutgoingWebhookFirer::Start() {
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

void OutgoingWebhookFirer::Stop() {
  std::size_t abandoned = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
    abandoned = queue_.size();
    queue_.clear();
  }
  cv_.notify_all();
  for (std::thread& t : workers_) t.join();
  workers_.clear();
  if (abandoned > 0) {
    dropped_.fetch_add(abandoned, std::memory_order_relaxed);
    LogWarn("outgoing", std::to_string(abandoned) +
                            " messages were not offered to outgoing webhooks (shutting down)");
  }
}

void OutgoingWebhookFirer::OnCommitted(const Event& event) {
  if (event.type != "TextMessageCreated" || hooks_.empty() || FromWebhook(event)) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_ && queue_.size() < options_.queue_capacity) {
      queue_.push_back(event);
      cv_.notify_one();
      return;
    }
  }
  const std::uint64_t n = dropped_.fetch_add(1, std::memory_order_relaxed) + 1;
  if ((n & (n - 1)) == 0) {  // 1, 2, 4, 8...: visible without flooding the log
    LogWarn("outgoing", "outgoing webhook queue full (" + std::to_string(options_.queue_capacity) +
                            "): message dropped; " + std::to_string(n) + " dropped so far");
  }
}

std::size_t OutgoingWebhookFirer::RunPending() {
  std::size_t handled = 0;
  for (;;) {
    Event event;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (queue_.empty()) return handled;
      event = std::move(queue_.front());
      queue_.pop_front();
    }
    Fire(event);
    ++handled;
  }
}

void OutgoingWebhookFirer::WorkerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    Event event = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    Fire(event);
    lock.lock();
  }
}

void OutgoingWebhookFirer::Fire(const Event& event) {
  auto channel = channels_.ById(event.group_id);
  if (!channel) {
    LogError("outgoing", "channel lookup failed: " + channel.error().message);
    return;
  }
  // Unknown channels are not known to be public: a bot hears only what it may.
  if (!channel->has_value() || !(*channel)->is_public) return;
  const Channel& c = **channel;
  const std::string text = DataString(event, "text");
  const OutgoingHooks::Snapshot hooks = hooks_.All();
  for (const OutgoingHook& hook : *hooks) {
    std::optional<std::string> trigger = MatchOutgoingHook(hook, c.id, text);
    if (!trigger) continue;
    const MattermostPayload payload = MattermostPayloadFromEvent(
        event,
        MattermostChannelNames{.name = c.name,
                               .team_id = hook.team_id.empty() ? c.team_id : hook.team_id,
                               .team_domain = c.team_domain},
        hook.token, *trigger);
    const std::string body = hook.content_type == HookContentType::kJson
                                 ? MattermostJsonBody(payload)
                                 : MattermostFormBody(payload);
    for (const std::string& url : hook.callback_urls) Send(hook, url, body, event);
  }
}

void OutgoingWebhookFirer::Send(const OutgoingHook& hook, const std::string& callback_url,
                                const std::string& body, const Event& event) {
  const std::string where = "outgoing webhook " + hook.id.value() + " -> " + OriginOf(callback_url);
  auto url = ParseUrl(callback_url);
  if (!url) {  // checked when the hook was made; only a stored record edited by hand gets here
    failed_.fetch_add(1, std::memory_order_relaxed);
    LogError("outgoing", where + ": " + url.error().message);
    return;
  }
  HttpRequest request;
  request.url = *url;
  request.headers = {{"Accept", "application/json"}};
  request.content_type = std::string(ToString(hook.content_type));
  request.body = body;
  request.timeout = options_.timeout;
  request.read_body_bytes = kMaxOutgoingReplyBytes;
  fired_.fetch_add(1, std::memory_order_relaxed);
  const HttpResult result = sender_.Send(request);

  std::string failure;
  if (result.kind != HttpResult::Kind::kResponse) {
    failure = result.error;
  } else if (result.status < 200 || result.status > 299) {
    failure = "answered HTTP " + std::to_string(result.status);
  } else if (result.body_cut) {
    failure = "the reply is longer than " + std::to_string(kMaxOutgoingReplyBytes) + " bytes";
  }
  if (!failure.empty()) {
    failed_.fetch_add(1, std::memory_order_relaxed);
    LogWarn("outgoing", where + ": " + failure);
    return;
  }

  const TriggeringPost trigger{.channel_id = event.group_id,
                               .post_id = DataString(event, "postId").empty()
                                              ? event.id.value()
                                              : DataString(event, "postId"),
                               .root_id = DataString(event, "rootId")};
  auto posts = ChatPostsFromReply(result.body, hook, trigger, options_.allow_overrides);
  if (!posts) {
    const bool refused = posts.error().code == "refused_type";
    (refused ? refused_ : failed_).fetch_add(1, std::memory_order_relaxed);
    LogWarn("outgoing",
            where + (refused ? ": reply refused: " : ": reply not used: ") + posts.error().message);
    return;
  }
  if (posts->empty()) return;
  replied_.fetch_add(1, std::memory_order_relaxed);
  for (ChatPost& post : *posts) {
    auto stored = sink_.Post(std::move(post));
    if (!stored) {
      post_errors_.fetch_add(1, std::memory_order_relaxed);
      LogError("outgoing", where + ": the reply could not be posted: " + stored.error().message);
      return;
    }
  }
}

OutgoingWebhookStats OutgoingWebhookFirer::stats() const {
  auto load = [](const std::atomic<std::uint64_t>& v) { return v.load(std::memory_order_relaxed); };
  return OutgoingWebhookStats{.fired = load(fired_),
                              .failed = load(failed_),
                              .replied = load(replied_),
                              .refused = load(refused_),
                              .post_errors = load(post_errors_),
                              .dropped = load(dropped_)};
}

std::string OutgoingWebhookFirer::RenderMetrics() const {
  const OutgoingWebhookStats s = stats();
  std::ostringstream out;
  out << "# HELP hookbroker_outgoing_webhook_requests_total Outgoing webhook requests to bots, "
         "by result.\n"
         "# TYPE hookbroker_outgoing_webhook_requests_total counter\n"
      << "hookbroker_outgoing_webhook_requests_total{result=\"fired\"} " << s.fired << '\n'
      << "hookbroker_outgoing_webhook_requests_total{result=\"failed\"} " << s.failed << '\n'
      << "hookbroker_outgoing_webhook_requests_total{result=\"replied\"} " << s.replied << '\n'
      << "hookbroker_outgoing_webhook_requests_total{result=\"refused\"} " << s.refused << '\n'
      << "# HELP hookbroker_outgoing_webhook_post_errors_total Bot replies the post sink could "
         "not take.\n"
         "# TYPE hookbroker_outgoing_webhook_post_errors_total counter\n"
      << "hookbroker_outgoing_webhook_post_errors_total " << s.post_errors << '\n'
      << "# HELP hookbroker_outgoing_webhook_dropped_total Messages not offered to outgoing "
         "webhooks (queue full, or shutting down).\n"
         "# TYPE hookbroker_outgoing_webhook_dropped_total counter\n"
      << "hookbroker_outgoing_webhook_dropped_total " << s.dropped << '\n';
  return out.str();
}

}  // namespace hookbroker
