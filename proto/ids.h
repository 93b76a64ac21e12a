// Strong identifier types: a SubscriptionId can never be passed where an EventId belongs.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>

namespace hookbroker {

template <typename T, typename Tag>
class NamedType {
 public:
  NamedType() = default;
  explicit NamedType(T value) : value_(std::move(value)) {}
  const T& value() const { return value_; }
  auto operator<=>(const NamedType&) const = default;

 private:
  T value_{};
};

// A subscription (Kaizala "webhookId"): a UUID-shaped random string chosen by the broker.
using SubscriptionId = NamedType<std::string, struct SubscriptionIdTag>;
// An event's id: chosen by the producer (at most 128 characters) or assigned by the broker.
using EventId = NamedType<std::string, struct EventIdTag>;
// A delivery (one event to one subscription): a sequence number, unique per data folder.
using DeliveryId = NamedType<std::uint64_t, struct DeliveryIdTag>;

}  // namespace hookbroker

template <typename T, typename Tag>
struct std::hash<hookbroker::NamedType<T, Tag>> {
  size_t operator()(const hookbroker::NamedType<T, Tag>& id) const noexcept {
    return std::hash<T>{}(id.value());
  }
};
