// ReleaseFreeHeap gives back memory that free() keeps: a burst of small blocks freed in the middle
// of an arena (a live block above them pins the arena's top, as in the broker's soak).
#include "broker/heap_release.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace hookbroker {
namespace {

// This process's RssAnon in KiB (anonymous resident memory: the heap), from /proc/self/status.
long RssAnonKiB() {
  std::ifstream status("/proc/self/status");
  std::string key;
  long value = -1;
  while (status >> key) {
    if (key == "RssAnon:") {
      status >> value;
      return value;
    }
    status.ignore(1 << 12, '\n');
  }
  return value;
}

TEST(HeapReleaseTest, ReturnsFreedMiddleOfTheHeapToTheKernel) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // The sanitizers replace malloc with their own allocator, which keeps freed memory in
  // quarantine: glibc's malloc_trim has nothing of theirs to release.
  GTEST_SKIP() << "glibc malloc is replaced by the sanitizer's allocator";
#endif
  constexpr std::size_t kBlock = 1024;        // far below the mmap threshold: served from an arena
  constexpr std::size_t kBlocks = 64 * 1024;  // 64 MiB
  constexpr long kBurstKiB = static_cast<long>(kBlock * kBlocks / 1024);
  std::vector<std::unique_ptr<char[]>> kept;
  // A thread of its own, as the broker's ingest and workers: the burst goes to a thread arena.
  std::thread([&] {
    std::vector<std::unique_ptr<char[]>> burst(kBlocks);
    for (auto& b : burst) {
      b = std::make_unique<char[]>(kBlock);
      b[0] = 1;  // touched: resident
    }
    kept.push_back(std::make_unique<char[]>(kBlock));  // above the burst: pins the arena's top
    kept.back()[0] = 1;
  }).join();
  const long after_free = RssAnonKiB();
  ASSERT_GT(after_free, kBurstKiB / 2) << "free() already gave the burst back: nothing to test";

  EXPECT_TRUE(ReleaseFreeHeap());
  const long after_release = RssAnonKiB();
  EXPECT_LT(after_release, after_free - kBurstKiB / 2)
      << "RssAnon " << after_free << " KiB after free(), " << after_release
      << " KiB after ReleaseFreeHeap()";
}

}  // namespace
}  // namespace hookbroker
