#include "proto/url.h"

#include <gtest/gtest.h>

#include "proto/limits.h"

namespace hookbroker {
namespace {

void ExpectUrlError(std::string_view text) {
  Result<Url> url = ParseUrl(text);
  ASSERT_FALSE(url.ok()) << text;
  EXPECT_EQ(url.error().code, "invalid_field") << text;
  EXPECT_EQ(url.error().field, "callBackUrl") << text;
  EXPECT_TRUE(url.error().message.starts_with("callBackUrl: ")) << url.error().message;
}

TEST(UrlTest, ParsesHttpsUrlWithDefaultPort) {
  Result<Url> url = ParseUrl("https://example.com/hooks/kaizala?x=1");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->scheme, "https");
  EXPECT_EQ(url->host, "example.com");
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->target, "/hooks/kaizala?x=1");
  EXPECT_FALSE(url->host_is_ipv6);
}

TEST(UrlTest, ParsesHttpUrlWithDefaultPort) {
  Result<Url> url = ParseUrl("http://example.com");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->scheme, "http");
  EXPECT_EQ(url->port, 80);
  EXPECT_EQ(url->target, "/");
}

TEST(UrlTest, LowercasesSchemeAndHost) {
  Result<Url> url = ParseUrl("HTTPS://Example.COM/Path");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->scheme, "https");
  EXPECT_EQ(url->host, "example.com");
  EXPECT_EQ(url->target, "/Path");  // the path stays as given
}

TEST(UrlTest, ParsesExplicitPort) {
  Result<Url> url = ParseUrl("https://example.com:8443/cb");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->Origin(), "https://example.com:8443");
}

TEST(UrlTest, DropsFragment) {
  Result<Url> url = ParseUrl("https://example.com/cb?a=b#section");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->target, "/cb?a=b");
}

TEST(UrlTest, QueryWithoutPathGetsRootPath) {
  Result<Url> url = ParseUrl("https://example.com?a=b");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->target, "/?a=b");
}

TEST(UrlTest, ParsesIpv4Host) {
  Result<Url> url = ParseUrl("http://192.0.2.10:8080/x");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->host, "192.0.2.10");
  EXPECT_EQ(url->port, 8080);
}

TEST(UrlTest, ParsesBracketedIpv6Host) {
  Result<Url> url = ParseUrl("https://[2001:DB8::1]:9443/cb");
  ASSERT_TRUE(url.ok());
  EXPECT_TRUE(url->host_is_ipv6);
  EXPECT_EQ(url->host, "2001:db8::1");
  EXPECT_EQ(url->port, 9443);
  EXPECT_EQ(url->HostForUrl(), "[2001:db8::1]");
  EXPECT_EQ(url->Origin(), "https://[2001:db8::1]:9443");
}

TEST(UrlTest, OriginAlwaysIncludesPort) {
  EXPECT_EQ(ParseUrl("https://example.com/a")->Origin(), "https://example.com:443");
  EXPECT_EQ(ParseUrl("http://example.com/a")->Origin(), "http://example.com:80");
}

TEST(UrlTest, RejectsOtherSchemes) {
  ExpectUrlError("ftp://example.com/");
  ExpectUrlError("file:///etc/passwd");
  ExpectUrlError("javascript://example.com/");
}

TEST(UrlTest, RejectsRelativeUrls) {
  ExpectUrlError("/hooks");
  ExpectUrlError("example.com/hooks");
  ExpectUrlError("");
}

TEST(UrlTest, RejectsUserInfo) {
  ExpectUrlError("https://user:pass@example.com/");
  ExpectUrlError("https://user@example.com/");
  ExpectUrlError("https://evil.com@127.0.0.1/");
}

TEST(UrlTest, RejectsEmptyOrMalformedHost) {
  ExpectUrlError("https:///path");
  ExpectUrlError("https://:443/");
  ExpectUrlError("https://exa_mple.com/");
  ExpectUrlError("https://example..com/");
  ExpectUrlError("https://.example.com/");
  ExpectUrlError("https://example.com./");
  ExpectUrlError("https://" + std::string(64, 'a') + ".com/");
}

TEST(UrlTest, RejectsAmbiguousNumericHosts) {
  ExpectUrlError("http://127.1/");
  ExpectUrlError("http://0x7f.0.0.1/");
  ExpectUrlError("http://0177.0.0.1/");
  ExpectUrlError("http://256.0.0.1/");
  ExpectUrlError("http://2130706433/");
}

TEST(UrlTest, RejectsMalformedIpv6) {
  ExpectUrlError("https://[::1/");
  ExpectUrlError("https://[not-ipv6]/");
  ExpectUrlError("https://[fe80::1%25eth0]/");
  ExpectUrlError("https://[::1]x/");
}

TEST(UrlTest, RejectsBadPorts) {
  ExpectUrlError("https://example.com:0/");
  ExpectUrlError("https://example.com:65536/");
  ExpectUrlError("https://example.com:/");
  ExpectUrlError("https://example.com:-1/");
  ExpectUrlError("https://example.com:+80/");
  ExpectUrlError("https://example.com:80a/");
  EXPECT_EQ(ParseUrl("https://example.com:65535/")->port, 65535);
  EXPECT_EQ(ParseUrl("https://example.com:1/")->port, 1);
}

TEST(UrlTest, RejectsSpacesControlCharactersAndBackslashes) {
  ExpectUrlError("https://example.com/a b");
  ExpectUrlError("https://example.com/a\tb");
  ExpectUrlError("https://example.com/a\r\nHost: evil");
  ExpectUrlError(std::string("https://example.com/a\0b", 23));
  ExpectUrlError("https://example.com\\@evil.com/");
  ExpectUrlError("https://example.com/caf\xc3\xa9");
}

TEST(UrlTest, EnforcesLengthLimit) {
  const std::string prefix = "https://example.com/";
  const std::string ok = prefix + std::string(limits::kMaxUrlLength - prefix.size(), 'a');
  EXPECT_TRUE(ParseUrl(ok).ok());
  ExpectUrlError(ok + "a");
}

TEST(UrlTest, AppendQueryParamStartsAQuery) {
  Result<Url> url = ParseUrl("https://example.com/cb");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(AppendQueryParam(*url, "token", "abc"), "https://example.com/cb?token=abc");
}

TEST(UrlTest, AppendQueryParamExtendsExistingQuery) {
  Result<Url> url = ParseUrl("https://example.com:8443/cb?a=1");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(AppendQueryParam(*url, "b", "2"), "https://example.com:8443/cb?a=1&b=2");
}

TEST(UrlTest, AppendQueryParamPercentEncodesValue) {
  Result<Url> url = ParseUrl("https://[::1]/cb");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(AppendQueryParam(*url, "v", "a b&c=d/é~-._"),
            "https://[::1]/cb?v=a%20b%26c%3Dd%2F%C3%A9~-._");
}

}  // namespace
}  // namespace hookbroker
