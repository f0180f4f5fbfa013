// Two ordinary Google Benchmark benchmarks of a suite that is not hotpath's,
// with Google Benchmark's own main (benchmark::benchmark_main). Linked with
// hotpath::alloc_counter, every row of their JSON carries
// allocs_per_iter, max_bytes_used, total_allocated_bytes and
// net_heap_growth (Google Benchmark's memory hook, registered by hotpath
// before main). BM_JoinReused adds hotpath's allocation scope, one line, for
// exact per-op counts of its loop (allocs_per_op, bytes_per_op) and a budget.
//
// FOREIGN_REGRESSION=1 in the environment makes both allocate once more per
// iteration: the regression tests/package/ makes benchgate catch.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#if FOREIGN_WITH_HOTPATH
#include <hotpath/allocation_scope.h>
#endif

namespace {

bool Regressed() {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any benchmark thread
  static const bool regressed = [] {
    const char* value = std::getenv("FOREIGN_REGRESSION");
    return value != nullptr && std::string_view(value) == "1";
  }();
  return regressed;
}

// A map of n ints built and dropped per iteration: n node allocations and
// n frees, so also the counting layer's cost per allocation pair.
void BM_MapInsert(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const int extra = Regressed() ? 1 : 0;
  for (auto _ : state) {
    std::map<int, int> map;
    for (int i = 0; i < n + extra; ++i) map.emplace(i, i);
    benchmark::DoNotOptimize(map);
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_MapInsert)->Arg(64);

// Joins words into a buffer reserved once: no allocation in steady state,
// and the budget says so.
void BM_JoinReused(benchmark::State& state) {
  const std::string_view words[] = {"raft", "propose", "entry", "commit"};
  std::string buffer;
  buffer.reserve(256);
#if FOREIGN_WITH_HOTPATH
  hotpath::AllocationScope allocations(state);
  allocations.ExpectAtMost(0);
#endif
  for (auto _ : state) {
    buffer.clear();
    for (const std::string_view word : words) {
      buffer += word;
      buffer += ',';
    }
    if (Regressed()) {
      std::string copy = buffer;  // 26 characters: past the small buffer
      benchmark::DoNotOptimize(copy.data());
    }
    benchmark::DoNotOptimize(buffer.data());
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_JoinReused);

}  // namespace
