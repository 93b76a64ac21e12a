#include "proto/address_policy.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

namespace hookbroker {
namespace {

IpAddress Ip(std::string_view text) {
  Result<IpAddress> address = ParseIpAddress(text);
  EXPECT_TRUE(address.ok()) << text;
  return address.ok() ? address.value() : IpAddress{};
}

AddressClass ClassOf(std::string_view text) { return Classify(Ip(text)); }

Cidr MustCidr(std::string_view text) {
  Result<Cidr> cidr = ParseCidr(text);
  EXPECT_TRUE(cidr.ok()) << text;
  return cidr.ok() ? cidr.value() : Cidr{};
}

TEST(AddressPolicyTest, ParsesIpv4) {
  const IpAddress a = Ip("192.0.2.33");
  EXPECT_FALSE(a.v6);
  EXPECT_EQ(a.bytes[0], 192);
  EXPECT_EQ(a.bytes[3], 33);
  EXPECT_EQ(a.ToString(), "192.0.2.33");
}

TEST(AddressPolicyTest, PrintsIpv4AsInetNtopDoes) {
  // Every byte value in every position, against the C library's formatting.
  for (int position = 0; position < 4; ++position) {
    for (int value = 0; value < 256; ++value) {
      IpAddress a;
      a.bytes = {10, 20, 30, 40};
      a.bytes[position] = static_cast<std::uint8_t>(value);
      char expected[INET_ADDRSTRLEN] = {};
      ASSERT_NE(inet_ntop(AF_INET, a.bytes.data(), expected, sizeof(expected)), nullptr);
      ASSERT_EQ(a.ToString(), expected) << "byte " << position << " = " << value;
      ASSERT_EQ(Ip(expected).bytes, a.bytes);
    }
  }
}

TEST(AddressPolicyTest, ParsesIpv6AndPrintsCanonicalForm) {
  const IpAddress a = Ip("2001:0DB8:0000::0001");
  EXPECT_TRUE(a.v6);
  EXPECT_EQ(a.ToString(), "2001:db8::1");
  EXPECT_EQ(Ip("::ffff:10.1.2.3").ToString(), "::ffff:10.1.2.3");
}

TEST(AddressPolicyTest, RejectsNonAddresses) {
  for (std::string_view text : {"", "example.com", "1.2.3", "1.2.3.4.5", "256.1.1.1", "::1::2",
                                "fe80::1%eth0", "1.2.3.4 ", "01.2.3.4"}) {
    Result<IpAddress> address = ParseIpAddress(text);
    ASSERT_FALSE(address.ok()) << text;
    EXPECT_FALSE(address.error().code.empty());
  }
}

TEST(AddressPolicyTest, ClassifiesPublicAddresses) {
  EXPECT_EQ(ClassOf("8.8.8.8"), AddressClass::kPublic);
  EXPECT_EQ(ClassOf("172.32.0.1"), AddressClass::kPublic);
  EXPECT_EQ(ClassOf("100.128.0.1"), AddressClass::kPublic);
  EXPECT_EQ(ClassOf("2606:4700:4700::1111"), AddressClass::kPublic);
}

TEST(AddressPolicyTest, ClassifiesLoopback) {
  EXPECT_EQ(ClassOf("127.0.0.1"), AddressClass::kLoopback);
  EXPECT_EQ(ClassOf("127.255.255.254"), AddressClass::kLoopback);
  EXPECT_EQ(ClassOf("::1"), AddressClass::kLoopback);
}

TEST(AddressPolicyTest, ClassifiesPrivateRanges) {
  EXPECT_EQ(ClassOf("10.0.0.1"), AddressClass::kPrivate);
  EXPECT_EQ(ClassOf("172.16.0.1"), AddressClass::kPrivate);
  EXPECT_EQ(ClassOf("172.31.255.255"), AddressClass::kPrivate);
  EXPECT_EQ(ClassOf("192.168.1.1"), AddressClass::kPrivate);
  EXPECT_EQ(ClassOf("fc00::1"), AddressClass::kPrivate);
  EXPECT_EQ(ClassOf("fdff::1"), AddressClass::kPrivate);
}

TEST(AddressPolicyTest, ClassifiesLinkLocal) {
  EXPECT_EQ(ClassOf("169.254.1.1"), AddressClass::kLinkLocal);
  EXPECT_EQ(ClassOf("fe80::1"), AddressClass::kLinkLocal);
  EXPECT_EQ(ClassOf("febf::1"), AddressClass::kLinkLocal);
}

TEST(AddressPolicyTest, ClassifiesCloudMetadataBeforeLinkLocalAndPrivate) {
  EXPECT_EQ(ClassOf("169.254.169.254"), AddressClass::kCloudMetadata);
  EXPECT_EQ(ClassOf("100.100.100.200"), AddressClass::kCloudMetadata);
  EXPECT_EQ(ClassOf("fd00:ec2::254"), AddressClass::kCloudMetadata);
}

TEST(AddressPolicyTest, ClassifiesCarrierGradeNat) {
  EXPECT_EQ(ClassOf("100.64.0.1"), AddressClass::kCarrierGradeNat);
  EXPECT_EQ(ClassOf("100.127.255.255"), AddressClass::kCarrierGradeNat);
}

TEST(AddressPolicyTest, ClassifiesMulticast) {
  EXPECT_EQ(ClassOf("224.0.0.1"), AddressClass::kMulticast);
  EXPECT_EQ(ClassOf("239.255.255.255"), AddressClass::kMulticast);
  EXPECT_EQ(ClassOf("ff02::1"), AddressClass::kMulticast);
}

TEST(AddressPolicyTest, ClassifiesUnspecified) {
  EXPECT_EQ(ClassOf("0.0.0.0"), AddressClass::kUnspecified);
  EXPECT_EQ(ClassOf("0.1.2.3"), AddressClass::kUnspecified);
  EXPECT_EQ(ClassOf("::"), AddressClass::kUnspecified);
}

TEST(AddressPolicyTest, ClassifiesReservedRanges) {
  for (std::string_view text :
       {"240.0.0.1", "255.255.255.255", "192.0.0.8", "198.18.0.1", "198.19.255.255", "192.0.2.1",
        "198.51.100.1", "203.0.113.1", "2001:db8::1", "100::1", "::2", "3fff::1"}) {
    EXPECT_EQ(ClassOf(text), AddressClass::kReserved) << text;
  }
}

TEST(AddressPolicyTest, ClassifiesIpv4MappedIpv6AsItsIpv4Address) {
  EXPECT_EQ(ClassOf("::ffff:127.0.0.1"), AddressClass::kLoopback);
  EXPECT_EQ(ClassOf("::ffff:10.0.0.1"), AddressClass::kPrivate);
  EXPECT_EQ(ClassOf("::ffff:169.254.169.254"), AddressClass::kCloudMetadata);
  EXPECT_EQ(ClassOf("::ffff:a9fe:a9fe"), AddressClass::kCloudMetadata);
  EXPECT_EQ(ClassOf("::ffff:0.0.0.0"), AddressClass::kUnspecified);
  EXPECT_EQ(ClassOf("::ffff:8.8.8.8"), AddressClass::kPublic);
}

TEST(AddressPolicyTest, Treats6to4AndNat64AsPublic) {
  EXPECT_EQ(ClassOf("2002:c000:0204::1"), AddressClass::kPublic);
  EXPECT_EQ(ClassOf("64:ff9b::808:808"), AddressClass::kPublic);
}

TEST(AddressPolicyTest, NamesEveryClass) {
  EXPECT_EQ(ToString(AddressClass::kPublic), "public");
  EXPECT_EQ(ToString(AddressClass::kLoopback), "loopback");
  EXPECT_EQ(ToString(AddressClass::kPrivate), "private");
  EXPECT_EQ(ToString(AddressClass::kLinkLocal), "link-local");
  EXPECT_EQ(ToString(AddressClass::kCloudMetadata), "cloud metadata");
  EXPECT_EQ(ToString(AddressClass::kCarrierGradeNat), "carrier-grade NAT");
  EXPECT_EQ(ToString(AddressClass::kMulticast), "multicast");
  EXPECT_EQ(ToString(AddressClass::kUnspecified), "unspecified");
  EXPECT_EQ(ToString(AddressClass::kReserved), "reserved");
}

TEST(AddressPolicyTest, CidrContainsAddressesInRange) {
  const Cidr cidr = MustCidr("10.0.0.0/8");
  EXPECT_TRUE(cidr.Contains(Ip("10.255.0.1")));
  EXPECT_FALSE(cidr.Contains(Ip("11.0.0.1")));
}

TEST(AddressPolicyTest, Ipv4CidrMatchesIpv4MappedIpv6) {
  const Cidr cidr = MustCidr("192.168.0.0/16");
  EXPECT_TRUE(cidr.Contains(Ip("::ffff:192.168.5.5")));
  EXPECT_FALSE(cidr.Contains(Ip("::ffff:192.169.5.5")));
  EXPECT_FALSE(cidr.Contains(Ip("::c0a8:505")));  // IPv4-compatible, not mapped
}

TEST(AddressPolicyTest, Ipv6CidrMatchesIpv6) {
  const Cidr cidr = MustCidr("fd00::/8");
  EXPECT_TRUE(cidr.Contains(Ip("fd12:3456::1")));
  EXPECT_FALSE(cidr.Contains(Ip("fe80::1")));
  EXPECT_FALSE(cidr.Contains(Ip("10.0.0.1")));
}

TEST(AddressPolicyTest, BareAddressIsSingleHostCidr) {
  const Cidr v4 = MustCidr("127.0.0.1");
  EXPECT_EQ(v4.prefix_len, 32);
  EXPECT_TRUE(v4.Contains(Ip("127.0.0.1")));
  EXPECT_FALSE(v4.Contains(Ip("127.0.0.2")));
  const Cidr v6 = MustCidr("::1");
  EXPECT_EQ(v6.prefix_len, 128);
  EXPECT_TRUE(v6.Contains(Ip("::1")));
}

TEST(AddressPolicyTest, ZeroPrefixMatchesWholeFamily) {
  EXPECT_TRUE(MustCidr("0.0.0.0/0").Contains(Ip("203.0.113.9")));
  EXPECT_TRUE(MustCidr("::/0").Contains(Ip("2001:db8::9")));
}

TEST(AddressPolicyTest, ParseCidrMasksHostBits) {
  const Cidr cidr = MustCidr("10.1.2.3/8");
  EXPECT_EQ(cidr.base, Ip("10.0.0.0"));
  EXPECT_EQ(MustCidr("2001:db8:ffff::1/33").base, Ip("2001:db8:8000::"));
  EXPECT_EQ(MustCidr("192.168.1.255/23").base, Ip("192.168.0.0"));
}

TEST(AddressPolicyTest, ParseCidrValidatesPrefixBounds) {
  EXPECT_TRUE(ParseCidr("10.0.0.0/32").ok());
  EXPECT_TRUE(ParseCidr("::/128").ok());
  for (std::string_view text : {"10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/", "10.0.0.0/a",
                                "10.0.0.0/8/8", "nonsense/8", "10.0.0.0/ 8"}) {
    Result<Cidr> cidr = ParseCidr(text);
    ASSERT_FALSE(cidr.ok()) << text;
    EXPECT_EQ(cidr.error().field, "callback-allow") << text;
  }
}

TEST(AddressPolicyTest, CheckAllowsPublicAddresses) {
  const CallbackAddressPolicy policy;
  EXPECT_TRUE(policy.Check(Ip("8.8.8.8")).ok());
  EXPECT_TRUE(policy.Check(Ip("2606:4700::1")).ok());
}

TEST(AddressPolicyTest, CheckRefusesNonPublicAddressesWithExplanation) {
  const CallbackAddressPolicy policy;
  const Status status = policy.Check(Ip("127.0.0.1"));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, "callback_forbidden");
  EXPECT_EQ(status.error().field, "callBackUrl");
  EXPECT_EQ(status.error().message,
            "127.0.0.1 is a loopback address; callbacks to it are refused unless allowed with "
            "--callback-allow");
  const Status metadata = policy.Check(Ip("169.254.169.254"));
  ASSERT_FALSE(metadata.ok());
  EXPECT_NE(metadata.error().message.find("cloud metadata"), std::string::npos);
  const Status mapped = policy.Check(Ip("::ffff:10.0.0.1"));
  ASSERT_FALSE(mapped.ok());
  EXPECT_NE(mapped.error().message.find("private"), std::string::npos);
}

TEST(AddressPolicyTest, CheckAllowsAddressesInsideAllowedCidrs) {
  const CallbackAddressPolicy policy({MustCidr("127.0.0.0/8"), MustCidr("fd00::/8")});
  EXPECT_TRUE(policy.Check(Ip("127.0.0.1")).ok());
  EXPECT_TRUE(policy.Check(Ip("::ffff:127.0.0.1")).ok());
  EXPECT_TRUE(policy.Check(Ip("fd01::5")).ok());
  EXPECT_FALSE(policy.Check(Ip("10.0.0.1")).ok());
  EXPECT_FALSE(policy.Check(Ip("::1")).ok());
}

}  // namespace
}  // namespace hookbroker
