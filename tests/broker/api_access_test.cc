// The access table: which requests need no key, any key, or an admin key.
#include "broker/api_access.h"

#include <gtest/gtest.h>

namespace hookbroker {
namespace {

TEST(ApiAccessTest, HealthIsOpenEverythingUnderV1AndMetricsNeedsAKey) {
  EXPECT_EQ(RequiredAccess("GET", "/healthz"), ApiAccess::kOpen);
  EXPECT_EQ(RequiredAccess("GET", "/metrics"), ApiAccess::kRead);
  EXPECT_EQ(RequiredAccess("GET", "/v1"), ApiAccess::kRead);
  EXPECT_EQ(RequiredAccess("GET", "/v1/webhook"), ApiAccess::kRead);
  EXPECT_EQ(RequiredAccess("GET", "/v1/deliveries/7"), ApiAccess::kRead);
  EXPECT_EQ(RequiredAccess("HEAD", "/v1/webhook"), ApiAccess::kRead);
  EXPECT_EQ(RequiredAccess("GET", "/v1/audit/export"), ApiAccess::kRead);
}

TEST(ApiAccessTest, EveryMethodThatChangesSomethingNeedsAnAdminKey) {
  for (const char* method : {"POST", "PATCH", "PUT", "DELETE", "OPTIONS", "PRI"}) {
    EXPECT_EQ(RequiredAccess(method, "/v1/webhook"), ApiAccess::kAdmin) << method;
    EXPECT_EQ(RequiredAccess(method, "/v1/deliveries/1/redeliver"), ApiAccess::kAdmin) << method;
    EXPECT_EQ(RequiredAccess(method, "/metrics"), ApiAccess::kAdmin) << method;
  }
}

TEST(ApiAccessTest, ReadingSecretsAndKeysNeedsAnAdminKey) {
  EXPECT_EQ(RequiredAccess("GET", "/v1/keys"), ApiAccess::kAdmin);
  EXPECT_EQ(RequiredAccess("GET", "/v1/keys/"), ApiAccess::kAdmin);
  EXPECT_EQ(RequiredAccess("GET", "/v1/keys/key_0123"), ApiAccess::kAdmin);
  EXPECT_EQ(RequiredAccess("GET", "/v1/webhook/abc/secret"), ApiAccess::kAdmin);
  EXPECT_EQ(RequiredAccess("GET", "/v1/webhook/abc/secret/"), ApiAccess::kAdmin);
  EXPECT_EQ(RequiredAccess("HEAD", "/v1/webhook/abc/secret"), ApiAccess::kAdmin);
  EXPECT_EQ(RequiredAccess("GET", "/v1/webhook/abc/stats"), ApiAccess::kRead);
  EXPECT_EQ(RequiredAccess("GET", "/v1/keysfoo"), ApiAccess::kRead);  // no such route: 404
}

TEST(ApiAccessTest, IncomingWebhookUrlsAreSecretsButPostingToOneNeedsNoKey) {
  EXPECT_EQ(RequiredAccess("GET", "/v1/hooks/incoming"), ApiAccess::kAdmin);
  EXPECT_EQ(RequiredAccess("GET", "/v1/hooks/incoming/abc"), ApiAccess::kAdmin);
  EXPECT_EQ(RequiredAccess("GET", "/v1/hooks/incoming/"), ApiAccess::kAdmin);
  EXPECT_EQ(RequiredAccess("HEAD", "/v1/hooks"), ApiAccess::kAdmin);
  EXPECT_EQ(RequiredAccess("POST", "/v1/hooks/incoming"), ApiAccess::kAdmin);
  EXPECT_EQ(RequiredAccess("POST", "/hooks/4xp9fdt77pncbef59f4k1qe83o"), ApiAccess::kOpen);
  EXPECT_EQ(RequiredAccess("GET", "/v1/channels"), ApiAccess::kRead);
  EXPECT_EQ(RequiredAccess("PUT", "/v1/channels/g1"), ApiAccess::kAdmin);
}

}  // namespace
}  // namespace hookbroker
