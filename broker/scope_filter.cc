#include "broker/scope_filter.h"

#include <functional>

namespace hookbroker {
namespace {

constexpr std::uint32_t kAnyTypeBit = 1u << 31;
constexpr std::size_t kMinSlots = 1024;

std::uint64_t Mix(std::uint64_t x) {  // splitmix64's finalizer: every input bit moves the low bits
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

std::uint64_t ScopeFilter::KeyOf(ObjectType type, std::string_view object_id) {
  const std::uint64_t h = std::hash<std::string_view>{}(object_id) +
                          (static_cast<std::uint64_t>(type) + 1) * 0x9e3779b97f4a7c15ULL;
  const std::uint64_t key = Mix(h);
  return key == 0 ? 1 : key;
}

std::uint32_t ScopeFilter::SubscribedBit(std::string_view event_type) {
  if (event_type == "*") return kAnyTypeBit;
  return 1u << (std::hash<std::string_view>{}(event_type) % 31);
}

std::uint32_t ScopeFilter::EventBits(std::string_view event_type) {
  return SubscribedBit(event_type) | kAnyTypeBit;
}

std::size_t ScopeFilter::Find(std::uint64_t key) const {
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = key & mask;
  while (slots_[i].key != 0 && slots_[i].key != key) i = (i + 1) & mask;
  return i;
}

bool ScopeFilter::MayMatchLocked(std::uint64_t key, std::uint32_t event_bits) const {
  if (slots_.empty() || key == 0) return false;
  const Slot& s = slots_[Find(key)];
  return s.key == key && (s.bits & event_bits) != 0;
}

bool ScopeFilter::MayMatch(std::uint64_t key, std::uint32_t event_bits) const {
  std::lock_guard<std::mutex> lock(mu_);
  return MayMatchLocked(key, event_bits);
}

void ScopeFilter::MayMatchMany(std::span<const Probe> probes, std::vector<bool>* out) const {
  constexpr std::size_t kAhead = 16;  // probes in flight: enough to cover a miss to DRAM
  out->assign(probes.size(), false);
  std::lock_guard<std::mutex> lock(mu_);
  if (slots_.empty()) return;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = 0; i < probes.size(); ++i) {
    if (i + kAhead < probes.size()) __builtin_prefetch(&slots_[probes[i + kAhead].key & mask]);
    (*out)[i] = MayMatchLocked(probes[i].key, probes[i].event_bits);
  }
}

void ScopeFilter::GrowIfFull() {
  if ((used_ + 1) * 2 <= slots_.size()) return;
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? kMinSlots : old.size() * 2, Slot{});
  for (const Slot& s : old) {
    if (s.key != 0) slots_[Find(s.key)] = s;
  }
}

void ScopeFilter::Add(std::uint64_t key, std::uint32_t bits) {
  if (key == 0) return;  // no scope (KeyOf never gives 0)
  std::lock_guard<std::mutex> lock(mu_);
  GrowIfFull();
  Slot& s = slots_[Find(key)];
  if (s.key == 0) {
    s.key = key;
    ++used_;
  }
  ++s.count;
  s.bits |= bits;
}

void ScopeFilter::Widen(std::uint64_t key, std::uint32_t bits) {
  if (key == 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  GrowIfFull();
  Slot& s = slots_[Find(key)];
  if (s.key == 0) {  // not counted (never so in Store): count it, erring towards "maybe"
    s.key = key;
    s.count = 1;
    ++used_;
  }
  s.bits |= bits;
}

void ScopeFilter::Remove(std::uint64_t key) {
  if (key == 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (slots_.empty()) return;
  const std::size_t at = Find(key);
  Slot& s = slots_[at];
  if (s.key != key) return;
  if (--s.count == 0) Erase(at);
}

// Backward-shift deletion: later entries of the same probe run move up, so that a lookup never
// stops early at the freed slot.
void ScopeFilter::Erase(std::size_t at) {
  const std::size_t mask = slots_.size() - 1;
  std::size_t hole = at;
  for (std::size_t j = (at + 1) & mask; slots_[j].key != 0; j = (j + 1) & mask) {
    const std::size_t home = slots_[j].key & mask;
    if (((j - home) & mask) >= ((j - hole) & mask)) {  // the hole is on j's probe path
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole] = Slot{};
  --used_;
}

std::size_t ScopeFilter::scopes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return used_;
}

std::size_t ScopeFilter::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return slots_.capacity() * sizeof(Slot);
}

}  // namespace hookbroker
