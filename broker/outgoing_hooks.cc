#include "broker/outgoing_hooks.h"

#include <algorithm>

#include "broker/outgoing_hook_codec.h"
#include "proto/chat_id.h"

namespace hookbroker {

OutgoingHooks::OutgoingHooks(Store& store)
    : store_(store), snapshot_(std::make_shared<const std::vector<OutgoingHook>>()) {}

Status OutgoingHooks::Load() {
  auto records = store_.ListRecords(RecordKind::kOutgoingHook);
  if (!records) return records.error();
  std::vector<OutgoingHook> hooks;
  hooks.reserve(records->size());
  for (const StoredRecord& r : *records) {
    auto hook = DecodeOutgoingHook(r.value);
    if (!hook) {
      return Error{hook.error().code, hook.error().message + " (record " + r.key + ")", ""};
    }
    hooks.push_back(std::move(hook).value());
  }
  std::lock_guard<std::mutex> lock(write_mu_);
  Publish(std::move(hooks));
  return Status::Ok();
}

Result<OutgoingHook> OutgoingHooks::Create(OutgoingHook hook, std::int64_t now_ms) {
  hook.token = NewChatId();
  hook.create_at_ms = now_ms;
  hook.update_at_ms = now_ms;
  std::lock_guard<std::mutex> lock(write_mu_);
  // 128 random bits: a collision is not expected, but InsertRecord makes one harmless.
  for (;;) {
    hook.id = OutgoingHookId(NewChatId());
    auto inserted =
        store_.InsertRecord(RecordKind::kOutgoingHook, hook.id.value(), EncodeOutgoingHook(hook));
    if (!inserted) return inserted.error();
    if (*inserted) break;
  }
  std::vector<OutgoingHook> hooks = *All();
  auto at = std::lower_bound(
      hooks.begin(), hooks.end(), hook,
      [](const OutgoingHook& a, const OutgoingHook& b) { return a.id.value() < b.id.value(); });
  hooks.insert(at, hook);
  Publish(std::move(hooks));
  return hook;
}

Result<bool> OutgoingHooks::Delete(const OutgoingHookId& id) {
  std::lock_guard<std::mutex> lock(write_mu_);
  auto deleted = store_.DeleteRecord(RecordKind::kOutgoingHook, id.value());
  if (!deleted) return deleted.error();
  std::vector<OutgoingHook> hooks = *All();
  std::erase_if(hooks, [&](const OutgoingHook& h) { return h.id == id; });
  Publish(std::move(hooks));
  return *deleted;
}

Result<std::optional<OutgoingHook>> OutgoingHooks::RegenerateToken(const OutgoingHookId& id,
                                                                   std::int64_t now_ms) {
  std::lock_guard<std::mutex> lock(write_mu_);
  std::vector<OutgoingHook> hooks = *All();
  auto it =
      std::find_if(hooks.begin(), hooks.end(), [&](const OutgoingHook& h) { return h.id == id; });
  if (it == hooks.end()) return std::optional<OutgoingHook>();
  it->token = NewChatId();
  it->update_at_ms = now_ms;
  if (Status s = store_.PutRecord(RecordKind::kOutgoingHook, id.value(), EncodeOutgoingHook(*it));
      !s) {
    return s.error();
  }
  OutgoingHook updated = *it;
  Publish(std::move(hooks));
  return std::optional<OutgoingHook>(std::move(updated));
}

OutgoingHooks::Snapshot OutgoingHooks::All() const {
  std::lock_guard<std::mutex> lock(snapshot_mu_);
  return snapshot_;
}

std::optional<OutgoingHook> OutgoingHooks::Get(const OutgoingHookId& id) const {
  Snapshot hooks = All();
  for (const OutgoingHook& h : *hooks) {
    if (h.id == id) return h;
  }
  return std::nullopt;
}

void OutgoingHooks::Publish(std::vector<OutgoingHook> hooks) {
  const std::size_t n = hooks.size();
  auto next = std::make_shared<const std::vector<OutgoingHook>>(std::move(hooks));
  std::lock_guard<std::mutex> lock(snapshot_mu_);
  snapshot_ = std::move(next);
  count_.store(n, std::memory_order_relaxed);
}

}  // namespace hookbroker
