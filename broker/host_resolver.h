// HostResolver: a host name's addresses, remembered for a while.
//
// Without it every callback to https://api.example.com/... asked the system resolver again:
// getaddrinfo() has no cache of its own, so each attempt cost a DNS round trip (measured on the
// development machine: 18 µs for a name in /etc/hosts, 100 ms for one its DNS server answered)
// and the broker sent the resolver a query per callback. Answers are now kept for `ttl` (the
// daemon's --dns-cache-seconds, default 30 s: getaddrinfo() does not report the record's own
// TTL, and 30 s is shorter than most). A name that does not resolve is not remembered: the next
// attempt asks again. An IP literal is its own answer and never reaches the lookup.
//
// The SSRF guard is not weakened: what is kept is the lookup's answer, and the caller checks
// every address it is about to connect to against the policy on every attempt
// (callback_address.h). A name that starts resolving elsewhere is seen within `ttl`.
//
// The sender tries a name's allowed addresses in order. It forgets the name when none of them
// accepts a connection, so that the next attempt asks again (the name may have moved) instead of
// trying the same addresses for the rest of the TTL; and when one does after others failed, it
// demotes the failed ones to the end of the remembered answer, so that later connections do not
// wait on them first (up to --connect-timeout each) until the name is looked up again.
//
// Callers that miss at the same moment each look the name up; an answer never replaces one from a
// lookup that began later, and its TTL counts from when its lookup began. At most `max_hosts`
// names are kept: when full, expired entries go, and if that leaves no room for a quarter of
// them (at least one), all go, so that a full cache is swept at most once per quarter of its size.
//
// Thread-safety: Resolve() may be called from many threads at once; the lookup runs without
// the lock held.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "broker/clock.h"
#include "proto/address_policy.h"
#include "proto/result.h"

namespace hookbroker {

class HostResolver {
 public:
  // Every address of `host`, in the resolver's order; Error "dns_error" when it has none.
  using Lookup = std::function<Result<std::vector<IpAddress>>(const std::string& host)>;

  // The system's resolver (getaddrinfo), asked every time.
  static Result<std::vector<IpAddress>> SystemLookup(const std::string& host);

  // ttl 0: nothing is remembered, every Resolve() asks `lookup`.
  HostResolver(std::chrono::milliseconds ttl, const Clock& clock, Lookup lookup = SystemLookup,
               std::size_t max_hosts = 10000);

  Result<std::vector<IpAddress>> Resolve(const std::string& host);
  // The next Resolve() of `host` looks it up again.
  void Forget(const std::string& host);
  // If `host`'s answer is remembered and holds `address`, moves it after the others (their order
  // kept). The answer's age is unchanged.
  void Demote(const std::string& host, const IpAddress& address);

  std::size_t cached() const;  // names remembered now (expired or not)

 private:
  struct Entry {
    std::vector<IpAddress> addresses;
    std::int64_t resolved_ms = 0;  // when the lookup that gave `addresses` began
  };
  // Requires mu_. An entry resolved in the future (the wall clock went back) has expired too.
  bool Fresh(const Entry& entry, std::int64_t now_ms) const;

  const std::int64_t ttl_ms_;
  const Clock& clock_;
  const Lookup lookup_;
  const std::size_t max_hosts_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // guarded by mu_
};

}  // namespace hookbroker
