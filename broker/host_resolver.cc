#include "broker/host_resolver.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <utility>

namespace hookbroker {

Result<std::vector<IpAddress>> HostResolver::SystemLookup(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &list);
  if (rc != 0) {
    return Error{"dns_error", "cannot resolve host " + host + ": " + gai_strerror(rc),
                 "callBackUrl"};
  }
  std::vector<IpAddress> addresses;
  for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    const void* src =
        ai->ai_family == AF_INET6
            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr)
            : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr);
    if (inet_ntop(ai->ai_family, src, text, sizeof text) == nullptr) continue;
    if (auto ip = ParseIpAddress(text)) {
      if (std::find(addresses.begin(), addresses.end(), *ip) == addresses.end()) {
        addresses.push_back(*ip);
      }
    }
  }
  freeaddrinfo(list);
  if (addresses.empty()) {
    return Error{"dns_error", "host " + host + " has no address", "callBackUrl"};
  }
  return addresses;
}

HostResolver::HostResolver(std::chrono::milliseconds ttl, const Clock& clock, Lookup lookup,
                           std::size_t max_hosts)
    : ttl_ms_(std::max<std::int64_t>(ttl.count(), 0)),
      clock_(clock),
      lookup_(std::move(lookup)),
      max_hosts_(std::max<std::size_t>(max_hosts, 1)) {}

bool HostResolver::Fresh(const Entry& entry, std::int64_t now_ms) const {
  return entry.resolved_ms <= now_ms && now_ms - entry.resolved_ms < ttl_ms_;
}

Result<std::vector<IpAddress>> HostResolver::Resolve(const std::string& host) {
  if (auto literal = ParseIpAddress(host)) return std::vector<IpAddress>{*literal};
  if (ttl_ms_ > 0) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(host);
    if (it != entries_.end() && Fresh(it->second, clock_.NowMs())) return it->second.addresses;
  }
  const std::int64_t began = clock_.NowMs();
  Result<std::vector<IpAddress>> answer = lookup_(host);
  if (!answer || ttl_ms_ == 0) return answer;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(host);
  if (it != entries_.end()) {
    // Replace the entry unless its lookup began after this one: then its answer is newer.
    if (it->second.resolved_ms <= began) it->second = Entry{*answer, began};
    return answer;
  }
  if (entries_.size() >= max_hosts_) {
    const std::int64_t now = clock_.NowMs();
    std::erase_if(entries_, [&](const auto& e) { return !Fresh(e.second, now); });
    // Room for a quarter of the names (at least one) before the next sweep.
    if (entries_.size() > max_hosts_ - std::max<std::size_t>(1, max_hosts_ / 4)) entries_.clear();
  }
  entries_.emplace(host, Entry{*answer, began});
  return answer;
}

void HostResolver::Forget(const std::string& host) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.erase(host);
}

void HostResolver::Demote(const std::string& host, const IpAddress& address) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(host);
  if (it == entries_.end()) return;
  std::vector<IpAddress>& addresses = it->second.addresses;
  std::stable_partition(addresses.begin(), addresses.end(),
                        [&](const IpAddress& a) { return !(a == address); });
}

std::size_t HostResolver::cached() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace hookbroker
