// Which IP addresses a callback may connect to (the SSRF guard). No I/O: the daemon resolves
// names and asks this policy about each address it is about to connect to.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "proto/result.h"

namespace hookbroker {

struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // IPv4 in bytes[0..3]

  std::string ToString() const;
  bool operator==(const IpAddress&) const = default;
};

Result<IpAddress> ParseIpAddress(std::string_view text);  // dotted quad or RFC 4291 text

struct Cidr {
  IpAddress base;
  int prefix_len = 0;
  bool Contains(const IpAddress& address) const;  // IPv4-mapped IPv6 matches IPv4 ranges
};

// "10.0.0.0/8", "::1/128"; a bare address means a single host (/32 or /128).
Result<Cidr> ParseCidr(std::string_view text);

enum class AddressClass {
  kPublic,
  kLoopback,         // 127.0.0.0/8, ::1
  kPrivate,          // 10/8, 172.16/12, 192.168/16, fc00::/7
  kLinkLocal,        // 169.254/16, fe80::/10
  kCloudMetadata,    // 169.254.169.254, fd00:ec2::254, 100.100.100.200
  kCarrierGradeNat,  // 100.64.0.0/10
  kMulticast,        // 224/4, ff00::/8
  kUnspecified,      // 0.0.0.0/8, ::
  kReserved,         // 240/4, 255.255.255.255, 192.0.0/24, 198.18/15, documentation ranges
};
std::string_view ToString(AddressClass c);
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are classified as their IPv4 address.
AddressClass Classify(const IpAddress& address);

class CallbackAddressPolicy {
 public:
  CallbackAddressPolicy() = default;
  explicit CallbackAddressPolicy(std::vector<Cidr> allow) : allow_(std::move(allow)) {}

  // Ok for a public address or one inside an allowed CIDR; otherwise Error "callback_forbidden"
  // naming the address and its class ("127.0.0.1 is a loopback address; allow it with
  // --callback-allow").
  Status Check(const IpAddress& address) const;

 private:
  std::vector<Cidr> allow_;  // constant after construction
};

}  // namespace hookbroker
