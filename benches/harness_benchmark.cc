// harness/CountingLayer/<variant>: what the allocation counting layer adds to
// one allocation, as membership/UncontendedLock/instrumented shows what the
// lock counters add to one lock. An op is a malloc of 64 bytes and its free:
//   counted  through malloc/free, so through the layer (alloc_counter.cc):
//            the per-thread counters and the mode check, then the allocator
//   real     the same allocator's malloc/free, called directly (the function
//            pointers the layer forwards to), uncounted
// counted minus real is the layer's cost per allocation and free. With one
// and two threads (real time): the counters are thread-local, so the second
// thread should add nothing but the allocator's own scaling. Measured in
// timed runs, where the smoke test's process-wide cross-check is off.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

#include "benches/harness/alloc_counter.h"
#include "benches/harness/bench_support.h"

namespace hotpath::harness {
namespace {

constexpr size_t kBlockBytes = 64;

struct Counted {
  static constexpr std::string_view kName = "counted";
  static constexpr uint64_t kCountedPerOp = 1;
  // NOLINTNEXTLINE(cppcoreguidelines-no-malloc): malloc is what is measured
  static void* Allocate(size_t size) { return std::malloc(size); }
  // NOLINTNEXTLINE(cppcoreguidelines-no-malloc)
  static void Release(void* p) { std::free(p); }
};

struct Real {
  static constexpr std::string_view kName = "real";
  static constexpr uint64_t kCountedPerOp = 0;
  static void* Allocate(size_t size) { return UncountedMalloc(size); }
  static void Release(void* p) { UncountedFree(p); }
};

template <typename Path>
void BM_CountingLayer(benchmark::State& state) {
  const auto once = [] {
    void* p = Path::Allocate(kBlockBytes);
    // Escapes p, so the compiler can neither drop the pair nor keep the
    // block in a register: the call and the write are real. As an input
    // only (the const overload): Google Benchmark 1.7.1's read-write form
    // ("+m,r") is miscompiled by GCC 12 under -fsanitize=address,undefined,
    // which hands the asm a copy of p and then reads p's own, never written
    // stack slot, so the write below went to a null or wild pointer.
    benchmark::DoNotOptimize(std::as_const(p));
    static_cast<char*>(p)[0] = 1;
    benchmark::ClobberMemory();
    Path::Release(p);
  };
  once();
  const uint64_t before = ThreadAllocStats().allocs;
  AllocationScope allocations(state);
  for (auto _ : state) once();
  const uint64_t counted = ThreadAllocStats().allocs - before;
  allocations.Report();
  // The work ran once per iteration, through the path named.
  if (AllocCountingEnabled() &&
      counted !=
          Path::kCountedPerOp * static_cast<uint64_t>(state.iterations())) {
    state.SkipWithError("the counted path was not counted once per op");
  }
}

template <typename Path>
void Register() {
  const std::string name =
      std::string("harness/CountingLayer/") + std::string(Path::kName);
  benchmark::RegisterBenchmark(name.c_str(), BM_CountingLayer<Path>)
      ->Threads(1)
      ->Threads(2)
      ->UseRealTime();
}

const bool kRegistered = [] {
  Register<Counted>();
  Register<Real>();
  return true;
}();

}  // namespace
}  // namespace hotpath::harness
