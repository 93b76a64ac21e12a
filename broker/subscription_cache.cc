#include "broker/subscription_cache.h"

#include <algorithm>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <utility>

namespace hookbroker {

Result<Subscription> DecodeStoredSubscription(std::string_view bytes) {
  // The JSON tree lives only for the decode: in one arena, on the stack while it fits, instead
  // of an allocation per string and container.
  unsigned char arena[4096];
  boost::json::monotonic_resource mr(arena, sizeof(arena));
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(bytes, ec, &mr);
  if (ec) {
    return Error{"storage_corrupt", "stored subscription could not be decoded", ""};
  }
  return SubscriptionFromStorageJson(v);
}

SubscriptionCache::SubscriptionCache(std::size_t capacity)
    : capacity_(std::max<std::size_t>(capacity, 1)) {}

std::shared_ptr<const Subscription> SubscriptionCache::Current(std::string_view id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(id);
  if (it == index_.end()) return nullptr;
  Slot& slot = slots_[it->second];
  if (slot.version != version_.load()) return nullptr;
  slot.marks = 2;
  return slot.sub;
}

Result<std::shared_ptr<const Subscription>> SubscriptionCache::Decode(std::string_view id,
                                                                      std::string_view bytes,
                                                                      std::uint64_t version) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(id);
    if (it != index_.end()) {
      Slot& slot = slots_[it->second];
      if (slot.bytes == bytes) {
        // Both readers saw these bytes: they were stored as of the later version.
        slot.version = std::max(slot.version, version);
        slot.marks = 2;
        return slot.sub;
      }
    }
  }
  auto decoded = DecodeStoredSubscription(bytes);
  if (!decoded) return decoded.error();
  auto sub = std::make_shared<const Subscription>(std::move(decoded).value());
  std::shared_ptr<const Subscription> replaced;  // freed after the mutex is released
  std::lock_guard<std::mutex> lock(mu_);
  Slot& slot = slots_[SlotFor(id)];
  slot.bytes.assign(bytes);
  slot.version = version;  // older than the current one if these bytes were: not Current()
  replaced = std::exchange(slot.sub, sub);
  slot.marks = 1;  // survives one pass of the hand
  return sub;
}

std::size_t SubscriptionCache::SlotFor(std::string_view id) {
  auto it = index_.find(id);
  if (it != index_.end()) return it->second;
  std::size_t at;
  if (slots_.size() < capacity_) {
    at = slots_.size();
    slots_.emplace_back();
  } else {
    while (slots_[hand_].marks > 0) {
      --slots_[hand_].marks;
      hand_ = (hand_ + 1) % slots_.size();
    }
    at = hand_;
    hand_ = (hand_ + 1) % slots_.size();
    index_.erase(slots_[at].id);
  }
  slots_[at].id.assign(id);
  index_.emplace(slots_[at].id, at);
  return at;
}

std::size_t SubscriptionCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return index_.size();
}

}  // namespace hookbroker
