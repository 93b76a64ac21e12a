#include "proto/address_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>

namespace hookbroker {
namespace {

// Both families in one 16-byte space (IPv4 as ::ffff:a.b.c.d) so a CIDR of either family can be
// compared with an address of either family.
std::array<std::uint8_t, 16> Canonical(const IpAddress& address) {
  if (address.v6) return address.bytes;
  std::array<std::uint8_t, 16> out{};
  out[10] = 0xff;
  out[11] = 0xff;
  for (int i = 0; i < 4; ++i) out[12 + i] = address.bytes[i];
  return out;
}

bool PrefixEquals(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& b,
                  int prefix_len) {
  int full = prefix_len / 8;
  for (int i = 0; i < full; ++i) {
    if (a[i] != b[i]) return false;
  }
  const int rest = prefix_len % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

bool IsV4Mapped(const std::array<std::uint8_t, 16>& b) {
  for (int i = 0; i < 10; ++i) {
    if (b[i] != 0) return false;
  }
  return b[10] == 0xff && b[11] == 0xff;
}

bool InV4(const std::uint8_t* b, std::uint8_t a0, std::uint8_t a1, std::uint8_t a2, std::uint8_t a3,
          int prefix_len) {
  const std::array<std::uint8_t, 16> addr{0, 0, 0,    0,    0,    0,    0,    0,
                                          0, 0, 0xff, 0xff, b[0], b[1], b[2], b[3]};
  const std::array<std::uint8_t, 16> net{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a0, a1, a2, a3};
  return PrefixEquals(addr, net, 96 + prefix_len);
}

AddressClass ClassifyV4(const std::uint8_t* b) {
  // Metadata endpoints sit inside link-local and CGNAT space; naming them precisely tells the
  // operator why allowing "all link-local" would be a bad idea.
  if (InV4(b, 169, 254, 169, 254, 32) || InV4(b, 100, 100, 100, 200, 32)) {
    return AddressClass::kCloudMetadata;
  }
  if (InV4(b, 0, 0, 0, 0, 8)) return AddressClass::kUnspecified;
  if (InV4(b, 127, 0, 0, 0, 8)) return AddressClass::kLoopback;
  if (InV4(b, 10, 0, 0, 0, 8) || InV4(b, 172, 16, 0, 0, 12) || InV4(b, 192, 168, 0, 0, 16)) {
    return AddressClass::kPrivate;
  }
  if (InV4(b, 169, 254, 0, 0, 16)) return AddressClass::kLinkLocal;
  if (InV4(b, 100, 64, 0, 0, 10)) return AddressClass::kCarrierGradeNat;
  if (InV4(b, 224, 0, 0, 0, 4)) return AddressClass::kMulticast;
  if (InV4(b, 240, 0, 0, 0, 4) ||      // future use, includes 255.255.255.255
      InV4(b, 192, 0, 0, 0, 24) ||     // IETF protocol assignments
      InV4(b, 198, 18, 0, 0, 15) ||    // benchmarking
      InV4(b, 192, 0, 2, 0, 24) ||     // TEST-NET-1
      InV4(b, 198, 51, 100, 0, 24) ||  // TEST-NET-2
      InV4(b, 203, 0, 113, 0, 24)) {   // TEST-NET-3
    return AddressClass::kReserved;
  }
  return AddressClass::kPublic;
}

bool InV6(const std::array<std::uint8_t, 16>& b, std::array<std::uint8_t, 16> net, int prefix_len) {
  return PrefixEquals(b, net, prefix_len);
}

AddressClass ClassifyV6(const std::array<std::uint8_t, 16>& b) {
  if (IsV4Mapped(b)) return ClassifyV4(&b[12]);
  if (InV6(b, {}, 128)) return AddressClass::kUnspecified;
  if (InV6(b, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128)) {
    return AddressClass::kLoopback;
  }
  if (InV6(b, {0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54}, 128)) {
    return AddressClass::kCloudMetadata;
  }
  if (InV6(b, {0xfc}, 7)) return AddressClass::kPrivate;
  if (InV6(b, {0xfe, 0xc0}, 10)) return AddressClass::kPrivate;  // deprecated site-local
  if (InV6(b, {0xfe, 0x80}, 10)) return AddressClass::kLinkLocal;
  if (InV6(b, {0xff}, 8)) return AddressClass::kMulticast;
  // 6to4 (2002::/16) and well-known NAT64 (64:ff9b::/96) go through public gateways, which do
  // their own filtering; NAT64 is listed because it sits inside ::/8 below.
  if (InV6(b, {0x00, 0x64, 0xff, 0x9b}, 96)) return AddressClass::kPublic;
  if (InV6(b, {}, 8) ||                         // IPv4-compatible and other legacy forms
      InV6(b, {0x01, 0x00}, 64) ||              // discard-only
      InV6(b, {0x20, 0x01, 0x0d, 0xb8}, 32) ||  // documentation
      InV6(b, {0x3f, 0xff}, 20)) {              // documentation (RFC 9637)
    return AddressClass::kReserved;
  }
  return AddressClass::kPublic;
}

std::string_view Article(AddressClass c) { return c == AddressClass::kUnspecified ? "an" : "a"; }

}  // namespace

std::string IpAddress::ToString() const {
  if (!v6) {
    // Every callback attempt formats its allowed addresses; inet_ntop's sprintf was 1 % of the
    // broker's CPU per callback (hookbench delivery profile).
    std::string out;
    out.reserve(15);
    for (int i = 0; i < 4; ++i) {
      if (i > 0) out.push_back('.');
      char digits[3];
      int n = 0;
      unsigned value = bytes[i];
      do {
        digits[n++] = static_cast<char>('0' + value % 10);
        value /= 10;
      } while (value != 0);
      while (n > 0) out.push_back(digits[--n]);
    }
    return out;
  }
  char buf[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof(buf)) == nullptr) return {};
  return buf;
}

Result<IpAddress> ParseIpAddress(std::string_view text) {
  const std::string copy(text);
  IpAddress address;
  if (copy.size() <= INET6_ADDRSTRLEN) {
    if (inet_pton(AF_INET, copy.c_str(), address.bytes.data()) == 1) return address;
    if (inet_pton(AF_INET6, copy.c_str(), address.bytes.data()) == 1) {
      address.v6 = true;
      return address;
    }
  }
  return Error{"invalid_address", "\"" + copy + "\" is not an IPv4 or IPv6 address", ""};
}

bool Cidr::Contains(const IpAddress& address) const {
  return PrefixEquals(Canonical(base), Canonical(address), base.v6 ? prefix_len : 96 + prefix_len);
}

Result<Cidr> ParseCidr(std::string_view text) {
  const std::size_t slash = text.find('/');
  Result<IpAddress> base = ParseIpAddress(text.substr(0, slash));
  if (!base) {
    return Error::Invalid("callback-allow", "callback-allow: \"" + std::string(text) +
                                                "\" is not an IP address or CIDR range");
  }
  Cidr cidr;
  cidr.base = *base;
  const int max_len = cidr.base.v6 ? 128 : 32;
  cidr.prefix_len = max_len;
  if (slash != std::string_view::npos) {
    const std::string_view len = text.substr(slash + 1);
    const char* end = len.data() + len.size();
    int value = -1;
    auto [ptr, ec] = std::from_chars(len.data(), end, value);
    const bool digits_only = !len.empty() && len.size() <= 3 &&
                             len.find_first_not_of("0123456789") == std::string_view::npos;
    if (!digits_only || ec != std::errc() || ptr != end || value < 0 || value > max_len) {
      return Error::Invalid("callback-allow", "callback-allow: the prefix length of \"" +
                                                  std::string(text) + "\" must be 0 to " +
                                                  std::to_string(max_len));
    }
    cidr.prefix_len = value;
  }
  for (int i = 0; i < 16; ++i) {
    const int bits_kept = std::clamp(cidr.prefix_len - i * 8, 0, 8);
    cidr.base.bytes[i] &= static_cast<std::uint8_t>(0xff00 >> bits_kept);
  }
  return cidr;
}

std::string_view ToString(AddressClass c) {
  switch (c) {
    case AddressClass::kPublic:
      return "public";
    case AddressClass::kLoopback:
      return "loopback";
    case AddressClass::kPrivate:
      return "private";
    case AddressClass::kLinkLocal:
      return "link-local";
    case AddressClass::kCloudMetadata:
      return "cloud metadata";
    case AddressClass::kCarrierGradeNat:
      return "carrier-grade NAT";
    case AddressClass::kMulticast:
      return "multicast";
    case AddressClass::kUnspecified:
      return "unspecified";
    case AddressClass::kReserved:
      return "reserved";
  }
  return "reserved";
}

AddressClass Classify(const IpAddress& address) {
  return address.v6 ? ClassifyV6(address.bytes) : ClassifyV4(address.bytes.data());
}

Status CallbackAddressPolicy::Check(const IpAddress& address) const {
  const AddressClass c = Classify(address);
  if (c == AddressClass::kPublic) return Status::Ok();
  for (const Cidr& cidr : allow_) {
    if (cidr.Contains(address)) return Status::Ok();
  }
  return Error{"callback_forbidden",
               address.ToString() + " is " + std::string(Article(c)) + " " +
                   std::string(ToString(c)) +
                   " address; callbacks to it are refused unless allowed with --callback-allow",
               "callBackUrl"};
}

}  // namespace hookbroker
