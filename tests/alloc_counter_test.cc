// The counting layer counts each allocation call once, exactly, per thread;
// every block is made, sized and freed by one allocator, also with jemalloc
// or mimalloc preloaded (the alloc_counter_test.<allocator> CTest entries);
// the smoke test's cross-check catches a benchmark that allocates on a
// thread it does not count; and a benchmark over its allocation budget
// (AllocationScope::ExpectAtMost) is reported as failed.
#include "benches/harness/alloc_counter.h"

#include <benchmark/benchmark.h>
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <new>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "benches/harness/bench_support.h"

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

TEST_F(AllocCounterTest, ReallocarrayCountsAsRealloc) {
  const AllocStats start = ThreadAllocStats();
  void* p = reallocarray(nullptr, 10, 8);  // a malloc of 80
  ASSERT_NE(p, nullptr);
  Escape(p);
  void* q = reallocarray(p, 20, 8);  // a realloc to 160
  ASSERT_NE(q, nullptr);
  Escape(q);
  // n * size overflows: nothing allocated. Volatile, so the compiler does
  // not see (and warn about) the size.
  volatile size_t huge = SIZE_MAX / 2 + 1;
  errno = 0;
  EXPECT_EQ(reallocarray(nullptr, huge, 2), nullptr);
  EXPECT_EQ(errno, ENOMEM);
  const AllocStats mid = ThreadAllocStats() - start;
  EXPECT_EQ(mid.allocs, 2U);
  EXPECT_EQ(mid.bytes, 80U + 160);
  EXPECT_EQ(mid.frees, 1U);
  std::free(q);
  EXPECT_EQ((ThreadAllocStats() - start).frees, 2U);
}

// Each allocation function's block, as the allocator that made it sees it:
// malloc_usable_size covers the request, the block is aligned as asked, and
// free takes it. With jemalloc preloaded, pvalloc left to the dynamic linker
// is glibc's, whose block jemalloc can neither size nor free.
TEST_F(AllocCounterTest, EveryBlockIsSizedAndFreedByItsAllocator) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  struct Case {
    const char* name;
    size_t size;
    size_t align;
    std::function<void*()> make;
  };
  const std::vector<Case> cases = {
      {"malloc", 100, 1, [] { return std::malloc(100); }},
      {"calloc", 80, 1, [] { return std::calloc(10, 8); }},
      {"realloc", 300, 1, [] { return std::realloc(nullptr, 300); }},
      {"reallocarray", 96, 1, [] { return reallocarray(nullptr, 12, 8); }},
      {"posix_memalign", 128, 64,
       [] {
         void* p = nullptr;
         return posix_memalign(&p, 64, 128) == 0 ? p : nullptr;
       }},
      {"aligned_alloc", 256, 128, [] { return aligned_alloc(128, 256); }},
      {"memalign", 96, 32, [] { return memalign(32, 96); }},
      {"valloc", 10, page, [] { return valloc(10); }},
      {"pvalloc", 10, page, [] { return pvalloc(10); }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const AllocStats start = ThreadAllocStats();
    void* p = c.make();
    ASSERT_NE(p, nullptr);
    Escape(p);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % c.align, 0U);
    const size_t usable = malloc_usable_size(p);
    EXPECT_GE(usable, c.size);
    EXPECT_LT(usable, c.size + 2 * page);  // the block's own size, not junk
    std::memset(p, 0x5a, usable);
    std::free(p);
    const AllocStats delta = ThreadAllocStats() - start;
    EXPECT_EQ(delta.allocs, 1U);
    EXPECT_EQ(delta.frees, 1U);
    EXPECT_EQ(delta.bytes, c.size);
  }
  EXPECT_EQ(malloc_usable_size(nullptr), 0U);
}

// The preloaded entries really ran on the allocator they name.
TEST_F(AllocCounterTest, RunsOnTheExpectedAllocator) {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any thread starts
  const char* expected = std::getenv("HOTPATH_EXPECT_ALLOCATOR");
  const std::string_view name = expected == nullptr ? "glibc" : expected;
  const bool jemalloc = dlsym(RTLD_DEFAULT, "mallctl") != nullptr;
  const bool mimalloc = dlsym(RTLD_DEFAULT, "mi_version") != nullptr;
  EXPECT_EQ(jemalloc, name == "jemalloc");
  EXPECT_EQ(mimalloc, name == "mimalloc");
}

TEST_F(AllocCounterTest, UncountedPathIsNotCounted) {
  const AllocStats start = ThreadAllocStats();
  void* p = UncountedMalloc(64);
  ASSERT_NE(p, nullptr);
  Escape(p);
  UncountedFree(p);
  EXPECT_EQ(ThreadAllocStats() - start, AllocStats{});
}

// The cross-check (bench_support.h), on benchmarks run here through Google
// Benchmark's runner with the process-wide count on.

struct RunResult {
  std::string name;
  bool error = false;
  std::string message;
  double allocs_per_op = -1;
};

class CollectingReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context& /*context*/) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      RunResult r;
      r.name = run.benchmark_name();
      r.error = run.error_occurred;
      r.message = run.error_message;
      const auto it = run.counters.find("allocs_per_op");
      if (it != run.counters.end()) r.allocs_per_op = it->second.value;
      results.push_back(r);
    }
  }
  std::vector<RunResult> results;
};

// A helper thread that allocates one 48-byte block per request and counts
// its own allocations.
class Helper {
 public:
  Helper()
      : thread_([this] {
          const AllocStats start = ThreadAllocStats();
          uint64_t served = 0;
          while (true) {
            const uint64_t want = requests_.load(std::memory_order_acquire);
            if (want == kStop) break;
            if (want == served) {
              std::this_thread::yield();
              continue;
            }
            void* p = std::malloc(48);
            Escape(p);
            std::free(p);
            ++served;
            const AllocStats mine = ThreadAllocStats() - start;
            allocs_.store(mine.allocs, std::memory_order_relaxed);
            bytes_.store(mine.bytes, std::memory_order_relaxed);
            served_.store(served, std::memory_order_release);
          }
        }) {}
  ~Helper() {
    requests_.store(kStop, std::memory_order_release);
    thread_.join();
  }
  Helper(const Helper&) = delete;
  Helper& operator=(const Helper&) = delete;

  void Serve() {
    const uint64_t want = requests_.load(std::memory_order_relaxed) + 1;
    requests_.store(want, std::memory_order_release);
    while (served_.load(std::memory_order_acquire) != want) {
      std::this_thread::yield();
    }
  }
  uint64_t allocs() const { return allocs_.load(std::memory_order_relaxed); }
  uint64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }

 private:
  static constexpr uint64_t kStop = UINT64_MAX;
  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> served_{0};
  std::atomic<uint64_t> allocs_{0};
  std::atomic<uint64_t> bytes_{0};
  std::thread thread_;
};

// One allocation per iteration on the run's thread and one on the helper:
// added by hand, or not.
template <bool kAddHelper>
void BM_WithHelper(benchmark::State& state) {
  Helper helper;
  helper.Serve();  // warm-up, outside the region
  const uint64_t allocs_start = helper.allocs();
  const uint64_t bytes_start = helper.bytes();
  AllocationScope allocations(state);
  for (auto _ : state) {
    void* p = std::malloc(32);
    Escape(p);
    std::free(p);
    helper.Serve();
  }
  if (kAddHelper) {
    allocations.AddOtherThreads(helper.allocs() - allocs_start,
                                helper.bytes() - bytes_start);
  }
  allocations.Report();
}

// Every run thread allocates, and does more before and after its region
// (set-up and checks), which must not count.
void BM_RunThreads(benchmark::State& state) {
  std::vector<std::string> setup(8, std::string(100, 'x'));
  Escape(setup.data());
  AllocationScope allocations(state);
  for (auto _ : state) {
    auto* p = new char[50];
    Escape(p);
    delete[] p;
  }
  allocations.Report();
  std::vector<std::string> check(8, std::string(100, 'z'));
  Escape(check.data());
}

std::vector<RunResult> RunBenchmarks(const std::string& filter) {
  CollectingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter, filter);
  return reporter.results;
}

class CrossCheckTest : public AllocCounterTest {
 protected:
  void SetUp() override {
    AllocCounterTest::SetUp();
    if (IsSkipped()) return;
    EnableProcessCounting();
    static const bool registered = [] {
      benchmark::RegisterBenchmark("harness/CrossCheck/unaccounted",
                                   BM_WithHelper<false>)
          ->Iterations(200);
      benchmark::RegisterBenchmark("harness/CrossCheck/added",
                                   BM_WithHelper<true>)
          ->Iterations(200);
      benchmark::RegisterBenchmark("harness/CrossCheck/run_threads",
                                   BM_RunThreads)
          ->Iterations(200)
          ->Threads(1)
          ->Threads(3);
      return true;
    }();
    static_cast<void>(registered);
  }
};

TEST_F(CrossCheckTest, CatchesAnAllocationOnAnUncountedThread) {
  const auto results = RunBenchmarks("^harness/CrossCheck/unaccounted/");
  ASSERT_EQ(results.size(), 1U);
  EXPECT_TRUE(results[0].error);
  // Both counts named: 200 on the run's thread, 400 in the process.
  EXPECT_NE(results[0].message.find("allocation cross-check"),
            std::string::npos)
      << results[0].message;
  EXPECT_NE(results[0].message.find("counted 200 allocations (6400 bytes)"),
            std::string::npos)
      << results[0].message;
  EXPECT_NE(results[0].message.find("made 400 (16000 bytes)"),
            std::string::npos)
      << results[0].message;
}

TEST_F(CrossCheckTest, AcceptsAllocationsAddedByHand) {
  const auto results = RunBenchmarks("^harness/CrossCheck/added/");
  ASSERT_EQ(results.size(), 1U);
  EXPECT_FALSE(results[0].error) << results[0].message;
  EXPECT_EQ(results[0].allocs_per_op, 2.0);
}

TEST_F(CrossCheckTest, AcceptsEveryRunThreadsOwnAllocations) {
  const auto results = RunBenchmarks("^harness/CrossCheck/run_threads/");
  ASSERT_EQ(results.size(), 2U);
  for (const RunResult& r : results) {
    EXPECT_FALSE(r.error) << r.name << ": " << r.message;
    EXPECT_EQ(r.allocs_per_op, 1.0) << r.name;
  }
}

// Five allocations per iteration of four ops: 1.25 per op, against the
// budget in state.range(0) (negative: none stated).
void BM_Budget(benchmark::State& state) {
  AllocationScope allocations(state, 4.0);
  if (state.range(0) >= 0) {
    allocations.ExpectAtMost(static_cast<double>(state.range(0)) / 100.0);
  }
  for (auto _ : state) {
    for (int i = 0; i < 5; ++i) {
      void* p = std::malloc(16);
      Escape(p);
      std::free(p);
    }
  }
  allocations.Report();
}

class BudgetTest : public AllocCounterTest {
 protected:
  void SetUp() override {
    AllocCounterTest::SetUp();
    if (IsSkipped()) return;
    static const bool registered = [] {
      // Budgets in hundredths of an allocation per op.
      benchmark::RegisterBenchmark("harness/Budget/over", BM_Budget)
          ->Arg(0)
          ->Arg(124)
          ->Iterations(100)
          ->Threads(1)
          ->Threads(2);
      benchmark::RegisterBenchmark("harness/Budget/within", BM_Budget)
          ->Arg(125)
          ->Arg(200)
          ->Iterations(100)
          ->Threads(1)
          ->Threads(2);
      benchmark::RegisterBenchmark("harness/Budget/none", BM_Budget)
          ->Arg(-1)
          ->Iterations(100);
      return true;
    }();
    static_cast<void>(registered);
  }
};

TEST_F(BudgetTest, ReportsARunOverItsBudgetAsFailed) {
  const auto results = RunBenchmarks("^harness/Budget/over/");
  ASSERT_EQ(results.size(), 4U);
  for (const RunResult& r : results) {
    EXPECT_TRUE(r.error) << r.name;
    EXPECT_EQ(r.message.rfind("allocation budget: ", 0), 0U)
        << r.name << ": " << r.message;
    EXPECT_NE(r.message.find(" per op, measured 1.25"), std::string::npos)
        << r.name << ": " << r.message;
  }
  EXPECT_EQ(results[0].message, "allocation budget: 0 per op, measured 1.25");
}

TEST_F(BudgetTest, PassesARunWithinItsBudget) {
  const auto results = RunBenchmarks("^harness/Budget/(within|none)/");
  ASSERT_EQ(results.size(), 5U);
  for (const RunResult& r : results) {
    EXPECT_FALSE(r.error) << r.name << ": " << r.message;
    EXPECT_EQ(r.allocs_per_op, 1.25) << r.name;
  }
}

}  // namespace
}  // namespace hotpath::harness
