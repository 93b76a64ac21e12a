// HostResolver: how long a name's answer is kept, what is never kept, and the bound on names.
// A fake clock and a scripted lookup: no DNS, no sleeping.
#include "broker/host_resolver.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/broker/broker_test_util.h"

namespace hookbroker::testing {
namespace {

using namespace std::chrono_literals;

// Answers from a table; counts lookups per name. A name not in the table does not resolve.
class ScriptedLookup {
 public:
  void Set(const std::string& host, const std::string& address) {
    std::lock_guard<std::mutex> lock(mu_);
    table_[host] = *ParseIpAddress(address);
  }
  void Forget(const std::string& host) {
    std::lock_guard<std::mutex> lock(mu_);
    table_.erase(host);
  }
  int Count(const std::string& host) {
    std::lock_guard<std::mutex> lock(mu_);
    return counts_[host];
  }
  HostResolver::Lookup Fn() {
    return [this](const std::string& host) -> Result<std::vector<IpAddress>> {
      std::lock_guard<std::mutex> lock(mu_);
      ++counts_[host];
      auto it = table_.find(host);
      if (it == table_.end()) return Error{"dns_error", "cannot resolve host " + host, ""};
      return std::vector<IpAddress>{it->second};
    };
  }

 private:
  std::mutex mu_;
  std::map<std::string, IpAddress> table_;
  std::map<std::string, int> counts_;
};

std::string First(const Result<std::vector<IpAddress>>& r) {
  return r && !r->empty() ? r->front().ToString() : "(none)";
}

class HostResolverTest : public ::testing::Test {
 protected:
  std::unique_ptr<HostResolver> Make(std::chrono::milliseconds ttl, std::size_t max_hosts = 10000) {
    return std::make_unique<HostResolver>(ttl, clock_, dns_.Fn(), max_hosts);
  }

  FakeClock clock_{1'000'000};
  ScriptedLookup dns_;
};

TEST_F(HostResolverTest, AnAnswerIsKeptForTheTtlThenLookedUpAgain) {
  dns_.Set("hooks.example", "203.0.113.5");
  auto resolver = Make(30s);
  EXPECT_EQ(First(resolver->Resolve("hooks.example")), "203.0.113.5");
  dns_.Set("hooks.example", "203.0.113.6");  // the record changes
  clock_.Advance(29'999);
  EXPECT_EQ(First(resolver->Resolve("hooks.example")), "203.0.113.5") << "still remembered";
  EXPECT_EQ(dns_.Count("hooks.example"), 1);
  clock_.Advance(1);
  EXPECT_EQ(First(resolver->Resolve("hooks.example")), "203.0.113.6") << "30 s on: asked again";
  EXPECT_EQ(dns_.Count("hooks.example"), 2);
  EXPECT_EQ(First(resolver->Resolve("hooks.example")), "203.0.113.6");
  EXPECT_EQ(dns_.Count("hooks.example"), 2);
}

// The sender demotes an address that refused while another of the name's answered: later
// connections try it last, until the name is looked up again.
TEST_F(HostResolverTest, ADemotedAddressComesLastUntilTheNameIsLookedUpAgain) {
  int lookups = 0;
  HostResolver resolver(30s, clock_, [&](const std::string&) -> Result<std::vector<IpAddress>> {
    ++lookups;
    return std::vector<IpAddress>{*ParseIpAddress("2001:db8::1"), *ParseIpAddress("203.0.113.5"),
                                  *ParseIpAddress("203.0.113.6")};
  });
  auto order = [&] {
    std::string out;
    auto r = resolver.Resolve("hooks.example");
    for (const IpAddress& a : r.value()) out += (out.empty() ? "" : " ") + a.ToString();
    return out;
  };
  EXPECT_EQ(order(), "2001:db8::1 203.0.113.5 203.0.113.6");
  resolver.Demote("hooks.example", *ParseIpAddress("2001:db8::1"));
  EXPECT_EQ(order(), "203.0.113.5 203.0.113.6 2001:db8::1");
  resolver.Demote("hooks.example", *ParseIpAddress("198.51.100.9"));     // not among them
  resolver.Demote("elsewhere.example", *ParseIpAddress("203.0.113.5"));  // not remembered
  EXPECT_EQ(order(), "203.0.113.5 203.0.113.6 2001:db8::1");
  EXPECT_EQ(lookups, 1);
  clock_.Advance(30'000);
  EXPECT_EQ(order(), "2001:db8::1 203.0.113.5 203.0.113.6") << "a fresh answer, in its own order";
  EXPECT_EQ(lookups, 2);
}

TEST_F(HostResolverTest, AFailureIsNotKeptAndAKeptAnswerOutlivesNoTtl) {
  auto resolver = Make(30s);
  auto failed = resolver->Resolve("late.example");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, "dns_error");
  dns_.Set("late.example", "198.51.100.7");
  EXPECT_EQ(First(resolver->Resolve("late.example")), "198.51.100.7") << "the next call asks";
  EXPECT_EQ(dns_.Count("late.example"), 2);
  // Once the name stops resolving, the kept answer serves until its time is up, then the error.
  dns_.Forget("late.example");
  clock_.Advance(10'000);
  EXPECT_EQ(First(resolver->Resolve("late.example")), "198.51.100.7");
  clock_.Advance(20'000);
  EXPECT_FALSE(resolver->Resolve("late.example").ok());
}

TEST_F(HostResolverTest, ZeroTtlAsksEveryTimeAndLiteralsNeverAsk) {
  dns_.Set("hooks.example", "203.0.113.5");
  auto resolver = Make(0ms);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(First(resolver->Resolve("hooks.example")), "203.0.113.5");
  EXPECT_EQ(dns_.Count("hooks.example"), 3);
  EXPECT_EQ(resolver->cached(), 0u);
  EXPECT_EQ(First(resolver->Resolve("192.0.2.9")), "192.0.2.9");
  EXPECT_EQ(First(resolver->Resolve("::1")), "::1");
  EXPECT_EQ(dns_.Count("192.0.2.9"), 0);
  EXPECT_EQ(dns_.Count("::1"), 0);
}

// A wall clock set back must not make an answer last longer than its TTL.
TEST_F(HostResolverTest, AClockSetBackExpiresTheAnswer) {
  dns_.Set("hooks.example", "203.0.113.5");
  auto resolver = Make(30s);
  ASSERT_TRUE(resolver->Resolve("hooks.example").ok());
  clock_.Set(999'000);
  ASSERT_TRUE(resolver->Resolve("hooks.example").ok());
  EXPECT_EQ(dns_.Count("hooks.example"), 2);
}

TEST_F(HostResolverTest, AtMostMaxHostsAreKeptExpiredOnesGoFirst) {
  for (int i = 0; i < 5; ++i) dns_.Set("h" + std::to_string(i), "203.0.113." + std::to_string(i));
  auto resolver = Make(30s, /*max_hosts=*/3);
  ASSERT_TRUE(resolver->Resolve("h0").ok());
  clock_.Advance(20'000);
  ASSERT_TRUE(resolver->Resolve("h1").ok());
  ASSERT_TRUE(resolver->Resolve("h2").ok());
  EXPECT_EQ(resolver->cached(), 3u);
  clock_.Advance(15'000);  // h0 has expired, h1 and h2 have not
  ASSERT_TRUE(resolver->Resolve("h3").ok());
  EXPECT_EQ(resolver->cached(), 3u);
  ASSERT_TRUE(resolver->Resolve("h1").ok());
  EXPECT_EQ(dns_.Count("h1"), 1) << "a fresh entry is kept when an expired one can go";
  // Full of fresh entries: all go, and the new one is kept.
  ASSERT_TRUE(resolver->Resolve("h4").ok());
  EXPECT_EQ(resolver->cached(), 1u);
  ASSERT_TRUE(resolver->Resolve("h4").ok());
  EXPECT_EQ(dns_.Count("h4"), 1);
}

TEST_F(HostResolverTest, AForgottenNameIsLookedUpAgain) {
  dns_.Set("hooks.example", "203.0.113.5");
  auto resolver = Make(30s);
  ASSERT_TRUE(resolver->Resolve("hooks.example").ok());
  resolver->Forget("hooks.example");
  dns_.Set("hooks.example", "203.0.113.6");
  EXPECT_EQ(First(resolver->Resolve("hooks.example")), "203.0.113.6");
  EXPECT_EQ(dns_.Count("hooks.example"), 2);
  resolver->Forget("never.seen");  // nothing to forget: no harm
  EXPECT_EQ(resolver->cached(), 1u);
}

// The TTL counts from when the lookup began, and a lookup that began earlier (a slow one) does
// not replace the answer of one that began later.
TEST_F(HostResolverTest, AnAnswerCountsFromItsLookupsStartAndNeverReplacesANewerOne) {
  std::function<void()> during_lookup;
  int lookups = 0;
  HostResolver resolver(30s, clock_, [&](const std::string&) -> Result<std::vector<IpAddress>> {
    ++lookups;
    const std::string address = "203.0.113." + std::to_string(lookups);
    if (during_lookup) {
      auto inner = std::move(during_lookup);
      during_lookup = nullptr;
      inner();
    }
    return std::vector<IpAddress>{*ParseIpAddress(address)};
  });
  // A slow lookup (began at t) finishes 10 s later: kept until t + 30 s, not t + 40 s.
  during_lookup = [&] { clock_.Advance(10'000); };
  ASSERT_EQ(First(resolver.Resolve("hooks.example")), "203.0.113.1");
  clock_.Advance(19'999);
  EXPECT_EQ(First(resolver.Resolve("hooks.example")), "203.0.113.1");
  clock_.Advance(1);
  // Expired. This lookup (began now) is overtaken, while it runs, by one that begins 1 ms later
  // and finishes first: the later one's answer stays.
  during_lookup = [&] {
    clock_.Advance(1);
    EXPECT_EQ(First(resolver.Resolve("hooks.example")), "203.0.113.3");
  };
  EXPECT_EQ(First(resolver.Resolve("hooks.example")), "203.0.113.2");
  EXPECT_EQ(First(resolver.Resolve("hooks.example")), "203.0.113.3") << "the newer answer stays";
  EXPECT_EQ(lookups, 3);
}

TEST_F(HostResolverTest, ConcurrentCallersAllGetTheAnswer) {
  dns_.Set("hooks.example", "203.0.113.5");
  auto resolver = Make(30s);
  std::atomic<int> right{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        if (First(resolver->Resolve("hooks.example")) == "203.0.113.5") ++right;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(right.load(), 4000);
  // Only callers that missed together looked it up: at most one per thread.
  EXPECT_GE(dns_.Count("hooks.example"), 1);
  EXPECT_LE(dns_.Count("hooks.example"), 4);
}

}  // namespace
}  // namespace hookbroker::testing
