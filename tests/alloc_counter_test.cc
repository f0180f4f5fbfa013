// The counting layer counts each allocation call once, exactly, per thread.
#include "benches/harness/alloc_counter.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <thread>
#include <vector>

namespace hotpath::harness {
namespace {

// Keeps the compiler from eliding an allocation/free pair.
void Escape(void* p) { asm volatile("" : : "g"(p) : "memory"); }

class AllocCounterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!AllocCountingEnabled())
      GTEST_SKIP() << "sanitizer build: counting off";
  }
};

TEST_F(AllocCounterTest, MallocFamilyCountsOnceEach) {
  const AllocStats start = ThreadAllocStats();
  void* a = std::malloc(100);
  Escape(a);
  void* b = std::calloc(10, 8);
  Escape(b);
  void* c = std::realloc(nullptr, 50);
  Escape(c);
  c = std::realloc(c, 200);  // one allocation, and the old block is freed
  Escape(c);
  void* d = nullptr;
  ASSERT_EQ(posix_memalign(&d, 64, 128), 0);
  Escape(d);
  void* e = aligned_alloc(64, 256);
  Escape(e);
  void* f = memalign(32, 96);
  Escape(f);
  void* g = valloc(10);
  Escape(g);
  const AllocStats mid = ThreadAllocStats() - start;
  EXPECT_EQ(mid.allocs, 8U);
  EXPECT_EQ(mid.bytes, 100U + 80 + 50 + 200 + 128 + 256 + 96 + 10);
  EXPECT_EQ(mid.frees, 1U);
  for (void* p : {a, b, c, d, e, f, g}) std::free(p);
  std::free(nullptr);  // not a free of anything
  const AllocStats end = ThreadAllocStats() - start;
  EXPECT_EQ(end.allocs, 8U);
  EXPECT_EQ(end.frees, 8U);
}

struct alignas(64) Aligned {
  char bytes[64];
};

TEST_F(AllocCounterTest, EveryOperatorNewFormCountsOnce) {
  const AllocStats start = ThreadAllocStats();
  int* one = new int(7);
  Escape(one);
  int* many = new int[10];
  Escape(many);
  auto* aligned = new Aligned;
  Escape(aligned);
  auto* aligned_many = new Aligned[3];
  Escape(aligned_many);
  int* nothrow = new (std::nothrow) int(1);
  Escape(nothrow);
  void* raw = ::operator new(33, std::align_val_t(128));
  Escape(raw);
  const AllocStats mid = ThreadAllocStats() - start;
  EXPECT_EQ(mid.allocs, 6U);
  EXPECT_EQ(mid.bytes, sizeof(int) + 10 * sizeof(int) + sizeof(Aligned) +
                           3 * sizeof(Aligned) + sizeof(int) + 33);
  delete one;
  delete[] many;
  delete aligned;
  delete[] aligned_many;
  delete nothrow;
  ::operator delete(raw, std::align_val_t(128));
  EXPECT_EQ((ThreadAllocStats() - start).frees, 6U);
}

TEST_F(AllocCounterTest, ContainersCountWhatTheyAllocate) {
  const AllocStats start = ThreadAllocStats();
  {
    std::vector<int> v;
    v.reserve(100);
    Escape(v.data());
  }
  const AllocStats delta = ThreadAllocStats() - start;
  EXPECT_EQ(delta.allocs, 1U);
  EXPECT_EQ(delta.bytes, 400U);
  EXPECT_EQ(delta.frees, 1U);
}

TEST_F(AllocCounterTest, ThreadsCountOnlyTheirOwn) {
  constexpr int kThreads = 4;
  std::vector<AllocStats> seen(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &seen] {
      const AllocStats start = ThreadAllocStats();
      for (int i = 0; i < 1000 * (t + 1); ++i) {
        void* p = std::malloc(static_cast<size_t>(t + 1));
        Escape(p);
        std::free(p);
      }
      seen[static_cast<size_t>(t)] = ThreadAllocStats() - start;
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    const auto n = static_cast<uint64_t>(1000 * (t + 1));
    EXPECT_EQ(seen[static_cast<size_t>(t)].allocs, n);
    EXPECT_EQ(seen[static_cast<size_t>(t)].frees, n);
    EXPECT_EQ(seen[static_cast<size_t>(t)].bytes,
              n * static_cast<uint64_t>(t + 1));
  }
}

TEST_F(AllocCounterTest, PeakTrackingSeesLiveBytesAcrossThreads) {
  // The thread is started and joined outside the window: its own set-up
  // allocates too.
  std::atomic<int> step{0};
  void* b = nullptr;
  std::thread other([&] {
    while (step.load() != 1) std::this_thread::yield();
    b = std::malloc(2000);
    Escape(b);
    step.store(2);
  });
  StartPeakTracking();
  void* a = std::malloc(1000);
  Escape(a);
  step.store(1);
  while (step.load() != 2) std::this_thread::yield();
  std::free(a);
  const PeakStats stats = StopPeakTracking();
  other.join();
  std::free(b);
  EXPECT_EQ(stats.allocs, 2U);
  EXPECT_EQ(stats.bytes, 3000U);
  EXPECT_GE(stats.peak_bytes, 3000);
  // Frees of blocks from before the window count too, hence the slack.
  EXPECT_GE(stats.net_bytes, 2000 - 64);
  EXPECT_LT(stats.net_bytes, 2000 + 64);
}

}  // namespace
}  // namespace hotpath::harness
