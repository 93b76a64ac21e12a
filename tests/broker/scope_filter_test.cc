#include "broker/scope_filter.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace hookbroker::testing {
namespace {

// Two event types with different bits: a filter holding one must say "no" to the other.
std::pair<std::string, std::string> TypesWithDifferentBits() {
  const std::vector<std::string> names = {"TextMessageCreated", "MemberAdded",   "ActionResponse",
                                          "MemberRemoved",      "SurveyCreated", "JobCreated"};
  for (const auto& a : names) {
    for (const auto& b : names) {
      if (ScopeFilter::SubscribedBit(a) != ScopeFilter::SubscribedBit(b)) return {a, b};
    }
  }
  ADD_FAILURE() << "every type has the same bit";
  return {};
}

TEST(ScopeFilterTest, AnEmptyFilterMatchesNothing) {
  ScopeFilter f;
  const std::uint64_t key = ScopeFilter::KeyOf(ObjectType::kGroup, "g");
  EXPECT_FALSE(f.MayMatch(key, ScopeFilter::EventBits("TextMessageCreated")));
  std::vector<bool> out;
  f.MayMatchMany(std::vector<ScopeFilter::Probe>{{key, ScopeFilter::EventBits("X")}}, &out);
  EXPECT_EQ(out, std::vector<bool>{false});
  EXPECT_EQ(f.scopes(), 0u);
}

TEST(ScopeFilterTest, AScopeMatchesTheTypesOfItsSubscriptionsAndNoOtherScopeDoes) {
  const auto [wanted, other] = TypesWithDifferentBits();
  ScopeFilter f;
  const std::uint64_t g1 = ScopeFilter::KeyOf(ObjectType::kGroup, "g1");
  f.Add(g1, ScopeFilter::SubscribedBit(wanted));
  EXPECT_TRUE(f.MayMatch(g1, ScopeFilter::EventBits(wanted)));
  EXPECT_FALSE(f.MayMatch(g1, ScopeFilter::EventBits(other)));
  // The same id at another scope type, and another id, are other scopes.
  EXPECT_NE(ScopeFilter::KeyOf(ObjectType::kAction, "g1"), g1);
  EXPECT_FALSE(
      f.MayMatch(ScopeFilter::KeyOf(ObjectType::kAction, "g1"), ScopeFilter::EventBits(wanted)));
  EXPECT_FALSE(
      f.MayMatch(ScopeFilter::KeyOf(ObjectType::kGroup, "g2"), ScopeFilter::EventBits(wanted)));
  // Widening adds a type; a wildcard subscription matches every type.
  f.Widen(g1, ScopeFilter::SubscribedBit(other));
  EXPECT_TRUE(f.MayMatch(g1, ScopeFilter::EventBits(other)));
  const std::uint64_t g2 = ScopeFilter::KeyOf(ObjectType::kGroup, "g2");
  f.Add(g2, ScopeFilter::SubscribedBit("*"));
  EXPECT_TRUE(f.MayMatch(g2, ScopeFilter::EventBits("AnyTypeAtAll")));
  EXPECT_EQ(f.scopes(), 2u);
}

TEST(ScopeFilterTest, AScopeStaysUntilItsLastSubscriptionIsRemoved) {
  ScopeFilter f;
  const std::uint64_t g = ScopeFilter::KeyOf(ObjectType::kGroup, "g");
  const std::uint32_t bits = ScopeFilter::EventBits("MemberAdded");
  f.Add(g, ScopeFilter::SubscribedBit("MemberAdded"));
  f.Add(g, ScopeFilter::SubscribedBit("MemberAdded"));
  f.Remove(g);
  EXPECT_TRUE(f.MayMatch(g, bits));
  f.Remove(g);
  EXPECT_FALSE(f.MayMatch(g, bits));
  EXPECT_EQ(f.scopes(), 0u);
  f.Remove(g);  // nothing left to remove: no effect
  EXPECT_EQ(f.scopes(), 0u);
}

// The table against a plain map, through adds, widens and removes of keys chosen to share home
// slots (low bits) and to wrap around the table's end, across growth: every probe answers as the
// model does, so no deletion ever hides a key that a lookup should find.
TEST(ScopeFilterTest, AgreesWithAModelThroughCollisionsRemovalsAndGrowth) {
  struct Entry {
    std::uint32_t count = 0;
    std::uint32_t bits = 0;
  };
  std::map<std::uint64_t, Entry> model;
  ScopeFilter f;
  std::mt19937_64 rng(20261130);
  // 3,000 keys over few home slots: low bits 1020..1023 and 0..3 (the end of a 1,024-slot table
  // and its start), high bits distinct.
  auto key_of = [](std::uint64_t n) { return ((n / 8 + 1) << 20) | ((1020 + n % 8) % 1024); };
  for (int step = 0; step < 60000; ++step) {
    const std::uint64_t key = key_of(rng() % 3000);
    const std::uint32_t bit = 1u << (rng() % 32);
    const unsigned op = rng() % 10;
    if (op < 5) {
      f.Add(key, bit);
      ++model[key].count;
      model[key].bits |= bit;
    } else if (op < 6) {
      f.Widen(key, bit);
      Entry& e = model[key];
      if (e.count == 0) e.count = 1;
      e.bits |= bit;
    } else {
      f.Remove(key);
      auto it = model.find(key);
      if (it != model.end() && --it->second.count == 0) model.erase(it);
    }
    if (step % 1000 == 999) {
      ASSERT_EQ(f.scopes(), model.size()) << "step " << step;
      std::vector<ScopeFilter::Probe> probes;
      for (std::uint64_t n = 0; n < 3000; ++n) probes.push_back({key_of(n), 0xffffffffu});
      std::vector<bool> many;
      f.MayMatchMany(probes, &many);
      for (std::size_t i = 0; i < probes.size(); ++i) {
        auto it = model.find(probes[i].key);
        const bool expected = it != model.end() && it->second.bits != 0;
        ASSERT_EQ(f.MayMatch(probes[i].key, 0xffffffffu), expected) << "step " << step;
        ASSERT_EQ(many[i], expected) << "step " << step;
        if (it != model.end() && step % 10000 == 9999) {
          for (int b = 0; b < 32; ++b) {
            const std::uint32_t probe_bit = 1u << b;
            ASSERT_EQ(f.MayMatch(probes[i].key, probe_bit), (it->second.bits & probe_bit) != 0);
          }
        }
      }
    }
  }
  EXPECT_GT(f.scopes(), 1024u);  // it grew past its first size
}

TEST(ScopeFilterTest, KeepsAMillionScopesInThirtyTwoMebibytes) {
  ScopeFilter f;
  for (int i = 0; i < 1000000; ++i) {
    f.Add(ScopeFilter::KeyOf(ObjectType::kGroup, "s-" + std::to_string(i)),
          ScopeFilter::SubscribedBit("TextMessageCreated"));
  }
  EXPECT_EQ(f.scopes(), 1000000u);
  EXPECT_LE(f.bytes(), 32u << 20);
  EXPECT_TRUE(f.MayMatch(ScopeFilter::KeyOf(ObjectType::kGroup, "s-999999"),
                         ScopeFilter::EventBits("TextMessageCreated")));
  EXPECT_FALSE(f.MayMatch(ScopeFilter::KeyOf(ObjectType::kGroup, "s-1000000"),
                          ScopeFilter::EventBits("TextMessageCreated")));
}

TEST(ScopeFilterTest, AProbeWithoutAScopeIsANo) {
  ScopeFilter f;
  f.Add(0, ScopeFilter::SubscribedBit("*"));  // key 0 is no scope: ignored
  f.Remove(0);
  EXPECT_EQ(f.scopes(), 0u);
  f.Add(1, ScopeFilter::SubscribedBit("*"));
  std::vector<bool> out;
  f.MayMatchMany(std::vector<ScopeFilter::Probe>{{0, 0xffffffffu}, {1, 0xffffffffu}}, &out);
  EXPECT_EQ(out, (std::vector<bool>{false, true}));
}

}  // namespace
}  // namespace hookbroker::testing
