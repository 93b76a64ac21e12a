#include "broker/subscription_cache.h"

#include <boost/json/parse.hpp>

namespace hookbroker {

Result<Subscription> DecodeStoredSubscription(std::string_view bytes) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(bytes, ec);
  if (ec) {
    return Error{"storage_corrupt", "stored subscription could not be decoded", ""};
  }
  return SubscriptionFromStorageJson(v);
}

Result<std::shared_ptr<const Subscription>> SubscriptionCache::Decode(std::string_view id,
                                                                      std::string_view bytes) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(std::string(id));
    if (it != entries_.end() && it->second.bytes == bytes) return it->second.sub;
  }
  auto decoded = DecodeStoredSubscription(bytes);
  if (!decoded) return decoded.error();
  auto sub = std::make_shared<const Subscription>(std::move(decoded).value());
  std::lock_guard<std::mutex> lock(mu_);
  if (entries_.size() >= capacity_) entries_.clear();
  entries_.insert_or_assign(std::string(id), Entry{std::string(bytes), sub});
  return sub;
}

std::size_t SubscriptionCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace hookbroker
