// Helpers a benchmark body uses to report exact per-op counters.
//
// An AllocationScope is created right before the timed loop, after warm-up,
// and reported right after it. It reads the calling thread's counters, so in
// a multi-threaded benchmark each thread reports its own share and Google
// Benchmark sums the shares and divides by the total iteration count
// (kAvgIterations). Because warm-up happens outside the scope and every
// iteration does the same work, allocs_per_op is exact: it does not depend on
// how many iterations the runner chose.
#ifndef HOTPATH_BENCHES_HARNESS_BENCH_SUPPORT_H_
#define HOTPATH_BENCHES_HARNESS_BENCH_SUPPORT_H_

#include <benchmark/benchmark.h>

#include "benches/harness/alloc_counter.h"

namespace hotpath::harness {

class AllocationScope {
 public:
  // ops_per_iteration: how many logical operations one loop iteration does;
  // counters and items_per_second are per operation.
  explicit AllocationScope(benchmark::State& state,
                           double ops_per_iteration = 1.0)
      : state_(state),
        ops_per_iteration_(ops_per_iteration),
        start_(ThreadAllocStats()) {}

  AllocationScope(const AllocationScope&) = delete;
  AllocationScope& operator=(const AllocationScope&) = delete;

  // Call once, after the loop.
  void Report() {
    const AllocStats delta = ThreadAllocStats() - start_;
    const auto per_op = [this](uint64_t v) {
      return benchmark::Counter(static_cast<double>(v) / ops_per_iteration_,
                                benchmark::Counter::kAvgIterations);
    };
    state_.counters["allocs_per_op"] = per_op(delta.allocs);
    state_.counters["bytes_per_op"] = per_op(delta.bytes);
    state_.SetItemsProcessed(static_cast<int64_t>(
        static_cast<double>(state_.iterations()) * ops_per_iteration_));
  }

 private:
  benchmark::State& state_;
  double ops_per_iteration_;
  AllocStats start_;
};

}  // namespace hotpath::harness

#endif  // HOTPATH_BENCHES_HARNESS_BENCH_SUPPORT_H_
