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

// data.text, without a copy; "" when absent or not a string.
std::string_view DataText(const Event& event) {
  const json::value* v = DataOf(event).if_contains("text");
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
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
    queued_bytes_ = 0;
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

bool OutgoingWebhookFirer::MayFire(const Event& event) const {
  if (event.type != "TextMessageCreated" || hooks_.empty() || FromWebhook(event)) return false;
  const std::string_view text = DataText(event);
  const OutgoingHooks::Snapshot hooks = hooks_.All();
  for (const OutgoingHook& hook : *hooks) {
    if (MatchOutgoingHook(hook, event.group_id, text)) return true;
  }
  return false;
}

void OutgoingWebhookFirer::OnCommitted(const Event& event) {
  if (!MayFire(event)) return;
  // Built outside the lock: the workers take from the queue meanwhile.
  OutgoingMessage message = OutgoingMessageFromEvent(event);
  const std::size_t bytes = ApproximateBytes(message);
  bool stopping = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping = stopping_;
    if (!stopping && queue_.size() < options_.queue_capacity &&
        queued_bytes_ + bytes <= options_.queue_bytes) {
      queue_.push_back(Queued{std::move(message), bytes});
      queued_bytes_ += bytes;
      cv_.notify_one();
      return;
    }
  }
  const std::uint64_t n = dropped_.fetch_add(1, std::memory_order_relaxed) + 1;
  if ((n & (n - 1)) == 0) {  // 1, 2, 4, 8...: visible without flooding the log
    const std::string why = stopping ? "shutting down"
                                     : "queue full (" + std::to_string(options_.queue_capacity) +
                                           " messages, --outgoing-webhook-queue, or " +
                                           std::to_string(options_.queue_bytes) + " bytes)";
    LogWarn("outgoing", "message not offered to outgoing webhooks: " + why + "; " +
                            std::to_string(n) + " dropped so far");
  }
}

OutgoingMessage OutgoingWebhookFirer::TakeFront() {
  Queued front = std::move(queue_.front());
  queue_.pop_front();
  queued_bytes_ -= front.bytes;
  return std::move(front.message);
}

std::size_t OutgoingWebhookFirer::RunPending() {
  std::size_t handled = 0;
  for (;;) {
    OutgoingMessage message;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (queue_.empty()) return handled;
      message = TakeFront();
    }
    Fire(message);
    ++handled;
  }
}

void OutgoingWebhookFirer::WorkerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    OutgoingMessage message = TakeFront();
    lock.unlock();
    Fire(message);
    lock.lock();
  }
}

void OutgoingWebhookFirer::Fire(const OutgoingMessage& message) {
  const std::string& channel_id = message.payload.channel_id;
  auto channel = channels_.ById(channel_id);
  if (!channel) {
    LogError("outgoing", "channel lookup failed: " + channel.error().message);
    return;
  }
  // Unknown channels are not known to be public: a bot hears only what it may.
  if (!channel->has_value() || !(*channel)->is_public) return;
  const Channel& c = **channel;
  const OutgoingHooks::Snapshot hooks = hooks_.All();
  for (const OutgoingHook& hook : *hooks) {
    std::optional<std::string> trigger = MatchOutgoingHook(hook, c.id, message.payload.text);
    if (!trigger) continue;
    for (const std::string& url : hook.callback_urls) Send(hook.id, url, message, c, *trigger);
  }
}

void OutgoingWebhookFirer::Send(const OutgoingHookId& hook_id, const std::string& callback_url,
                                const OutgoingMessage& message, const Channel& channel,
                                const std::string& trigger_word) {
  const std::string where = "outgoing webhook " + hook_id.value() + " -> " + OriginOf(callback_url);
  // The hook as it is now: an earlier request to a slow bot may have taken long enough for the
  // hook to be deleted or its token regenerated, and the old token is never sent again.
  const std::optional<OutgoingHook> current = hooks_.Get(hook_id);
  if (!current) {
    unsent_.fetch_add(1, std::memory_order_relaxed);
    LogInfo("outgoing", where + ": not sent, the hook was deleted");
    return;
  }
  const OutgoingHook& hook = *current;
  auto url = ParseUrl(callback_url);
  if (!url) {  // checked when the hook was made; only a stored record edited by hand gets here
    failed_.fetch_add(1, std::memory_order_relaxed);
    LogError("outgoing", where + ": " + url.error().message);
    return;
  }
  MattermostPayload payload = message.payload;
  payload.token = hook.token;
  payload.team_id = hook.team_id.empty() ? channel.team_id : hook.team_id;
  payload.team_domain = channel.team_domain;
  if (!channel.name.empty()) payload.channel_name = channel.name;
  payload.trigger_word = trigger_word;

  HttpRequest request;
  request.url = *url;
  request.headers = {{"Accept", "application/json"}};
  request.content_type = std::string(ToString(hook.content_type));
  request.body = hook.content_type == HookContentType::kJson ? MattermostJsonBody(payload)
                                                             : MattermostFormBody(payload);
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

  const TriggeringPost trigger{
      .channel_id = channel.id, .post_id = message.payload.post_id, .root_id = message.root_id};
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
                              .dropped = load(dropped_),
                              .unsent = load(unsent_)};
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
      << "hookbroker_outgoing_webhook_requests_total{result=\"unsent\"} " << s.unsent << '\n'
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
